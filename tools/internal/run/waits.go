package run

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/docker/docker/api/types/events"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/client"

	"github.com/labdocs/dockerlab/tools/internal/terminal"
)

// waitPort waits until something answers TCP connections on the port on
// loopback, or the program holding the terminal ends. There is no event to
// wait for, so it dials with a short backoff.
func waitPort(ctx context.Context, term *terminal.Terminal, port int) error {
	addr := net.JoinHostPort("127.0.0.1", fmt.Sprint(port))
	delay := 20 * time.Millisecond
	for {
		// Twice in a row: under load the proxy's hang-up can come late.
		if answers(ctx, addr) && answers(ctx, addr) {
			return nil
		}
		if !term.Running() {
			return fmt.Errorf("the program ended before port %d answered", port)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("port %d never answered: %w", port, ctx.Err())
		case <-time.After(delay):
		}
		delay = min(delay*2, 500*time.Millisecond)
	}
}

// waitHealthy waits for the container's health status to become healthy,
// through the daemon's event stream.
func waitHealthy(ctx context.Context, cli client.APIClient, name string) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Subscribe first, then look: no change can slip between the two.
	msgs, errc := cli.Events(ctx, events.ListOptions{Filters: filters.NewArgs(
		filters.Arg("type", "container"), filters.Arg("container", name), filters.Arg("event", "health_status"))})
	state := func() (string, error) {
		c, err := cli.ContainerInspect(ctx, name)
		if err != nil {
			return "", nil // not created yet: keep waiting
		}
		if c.Config == nil || c.Config.Healthcheck == nil || len(c.Config.Healthcheck.Test) == 0 || c.Config.Healthcheck.Test[0] == "NONE" {
			return "", fmt.Errorf("container %s has no healthcheck", name)
		}
		if c.State == nil || c.State.Health == nil {
			// Created, not started yet (the Ready check runs while
			// docker run is still busy): the health state comes with
			// the start.
			return "", nil
		}
		if c.State.Status == "exited" || c.State.Status == "dead" {
			return "", fmt.Errorf("container %s %s (exit code %d) before it became healthy", name, c.State.Status, c.State.ExitCode)
		}
		return c.State.Health.Status, nil
	}
	for {
		st, err := state()
		if err != nil {
			return err
		}
		if st == "healthy" {
			return nil
		}
		select {
		case <-msgs:
		case err := <-errc:
			return fmt.Errorf("waiting for %s to be healthy: %w", name, err)
		case <-ctx.Done():
			return fmt.Errorf("container %s never became healthy (last: %q): %w", name, st, ctx.Err())
		case <-time.After(time.Second):
			// A container created after the subscription started is
			// covered by the filter; this tick only covers a missed name.
		}
	}
}

// answers tells whether a server is behind addr. Docker's userland proxy
// accepts connections on a published port before the container's server
// listens, then hangs up at once; a real server keeps the connection open
// (or greets). So: connect, and read briefly: a hang-up is "not yet".
func answers(ctx context.Context, addr string) bool {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return false
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	_, err = c.Read(make([]byte, 1))
	var ne net.Error
	return err == nil || (errors.As(err, &ne) && ne.Timeout())
}
