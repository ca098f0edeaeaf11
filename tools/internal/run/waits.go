package run

import (
	"context"
	"errors"
	"fmt"
	"net"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/docker/docker/api/types/events"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/client"

	"github.com/labdocs/dockerlab/tools/internal/blocks"
	"github.com/labdocs/dockerlab/tools/internal/terminal"
)

// An honour is what the runner does for one console attribute of kind
// blocks.Ready, Bound or Interaction. Package blocks declares each
// attribute once (name, kind, documentation, parser); what it means to
// wait for a port or a healthy container, or to press keys, needs
// terminals and the daemon, which blocks does not import. So the runner's
// part is here, keyed by the attribute's name, and TestHonours checks
// that the two agree: every such attribute has its honour, of its kind.
type honour struct {
	// screen (Ready): whether the output so far, its lines joined,
	// shows the starting command ready.
	screen func(b *blocks.Block, output string) bool
	// await (Ready, Bound): returns once the running command is ready,
	// or has reached its bound.
	await func(ctx context.Context, r *runner, term *terminal.Terminal, b *blocks.Block) error
	// interact (Interaction): types or presses, and returns what the
	// terminal showed.
	interact func(ctx context.Context, term *terminal.Terminal, b *blocks.Block) ([]string, error)
}

var honours = map[string]honour{
	"wait": {screen: func(b *blocks.Block, output string) bool { return b.Opts.Wait.MatchString(output) }},
	"port": {await: func(ctx context.Context, r *runner, term *terminal.Terminal, b *blocks.Block) error {
		return waitPort(ctx, term, b.Opts.Port)
	}},
	"healthy": {await: func(ctx context.Context, r *runner, term *terminal.Terminal, b *blocks.Block) error {
		return waitHealthy(ctx, r.docker, b.Opts.Healthy)
	}},
	// The last resort, for programs that give no sign of readiness.
	"settle": {await: func(ctx context.Context, r *runner, term *terminal.Terminal, b *blocks.Block) error {
		return sleep(ctx, b.Opts.Settle)
	}},
	// until and lines count complete lines only, so the Ctrl-C never
	// lands inside the line that matched.
	"until": {await: func(ctx context.Context, r *runner, term *terminal.Terminal, b *blocks.Block) error {
		return term.Await(ctx, b.Opts.Until)
	}},
	"lines": {await: func(ctx context.Context, r *runner, term *terminal.Terminal, b *blocks.Block) error {
		return term.Await(ctx, regexp.MustCompile(fmt.Sprintf(`(?m)(?:^.*\n){%d}`, b.Opts.Lines-1)+`^.*\S`))
	}},
	"for": {await: func(ctx context.Context, r *runner, term *terminal.Terminal, b *blocks.Block) error {
		_ = sleep(ctx, b.Opts.For) // the block's timeout ends the watch too
		term.LineEnd(ctx)          // time is up; let a line being printed end
		return nil
	}},
	"input": {interact: typeInput},
	"keys":  {interact: pressKeys},
}

// keepsRunning reports whether the block's last command is left running
// once it started: the block waits for it to be ready, or bounds what it
// prints.
func keepsRunning(b *blocks.Block) bool {
	return len(b.Given(blocks.Ready)) > 0 || len(b.Given(blocks.Bound)) > 0
}

// ready returns the screen check for a command that keeps running: its
// output must show what the block's Ready attributes that look at the
// screen (wait) want. The others (ports, health, settle, streaming
// bounds) are waited for by afterStart.
func (r *runner) ready(b *blocks.Block) func(context.Context, []string) (bool, error) {
	return func(_ context.Context, lines []string) (bool, error) {
		for _, a := range b.Given(blocks.Ready) {
			if h := honours[a.Name]; h.screen != nil && !h.screen(b, strings.Join(lines, "\n")) {
				return false, nil
			}
		}
		return true, nil
	}
}

// afterStart waits for the first of the block's Ready attributes that is
// waited for after the start (port, healthy, settle), then, for a
// streaming command (a Bound attribute: until, lines, for), for its
// first bound, and stops it with Ctrl-C. It returns the lines printed
// meanwhile.
func (r *runner) afterStart(ctx context.Context, term *terminal.Terminal, b *blocks.Block) ([]string, error) {
	var err error
	for _, a := range b.Given(blocks.Ready) {
		if h := honours[a.Name]; h.await != nil {
			err = h.await(ctx, r, term, b)
			break
		}
	}
	if err != nil {
		lines, _ := term.Show(context.Background(), nil)
		return lines, err
	}
	bound := b.Given(blocks.Bound)
	if len(bound) == 0 {
		lines, err := term.Show(ctx, nil)
		return lines, err
	}
	err = honours[bound[0].Name].await(ctx, r, term, b)
	lines, _ := term.Show(context.Background(), nil)
	if err != nil {
		return lines, err
	}
	if _, err := term.Press(ctx, []string{"ctrl-c"}, true); err != nil {
		return lines, err
	}
	more, err := term.Show(ctx, nil)
	return append(lines, more...), err
}

// interact performs the block's Interaction attributes in order: types
// its input, presses its keys.
func (r *runner) interact(ctx context.Context, term *terminal.Terminal, b *blocks.Block) ([]string, error) {
	var lines []string
	for _, a := range b.Given(blocks.Interaction) {
		more, err := honours[a.Name].interact(ctx, term, b)
		lines = append(lines, more...)
		if err != nil {
			return lines, err
		}
	}
	return lines, nil
}

// typeInput types the block's input. The echo is what the reader sees of
// typed text; a reply is shown by a following block (with wait=),
// whenever it comes.
func typeInput(ctx context.Context, term *terminal.Terminal, b *blocks.Block) ([]string, error) {
	return term.TypeLine(ctx, b.Opts.Input)
}

// pressKeys presses the block's keys. Keys that end a program or leave a
// shell wait for the prompt that follows.
func pressKeys(ctx context.Context, term *terminal.Terminal, b *blocks.Block) ([]string, error) {
	if slices.Equal(b.Opts.Keys, []string{"enter"}) {
		// Return alone: like typed input, the block shows its echo only.
		return term.TypeLine(ctx, "")
	}
	wait := (term.Running() || term.Level() > 0) && !slices.Contains(b.Opts.Keys, "enter")
	if _, err := term.Press(ctx, b.Opts.Keys, wait); err != nil {
		return nil, err
	}
	return term.Show(ctx, nil)
}

// sleep waits for d, or for ctx to end.
func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-time.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// portGrace is how long a port may take to answer after the program that
// started its server ended: `docker run -d` returns as soon as the
// container starts, before the server in it listens (an entrypoint that
// prepares its configuration first takes a moment).
const portGrace = 15 * time.Second

// waitPort waits until something answers TCP connections on the port on
// loopback, or the program holding the terminal has ended portGrace ago.
// There is no event to wait for, so it dials with a short backoff.
func waitPort(ctx context.Context, term *terminal.Terminal, port int) error {
	addr := net.JoinHostPort("127.0.0.1", fmt.Sprint(port))
	delay := 20 * time.Millisecond
	var ended time.Time
	for {
		// Twice in a row: under load the proxy's hang-up can come late.
		if answers(ctx, addr) && answers(ctx, addr) {
			return nil
		}
		if !term.Running() {
			if ended.IsZero() {
				ended = time.Now()
			} else if time.Since(ended) > portGrace {
				return fmt.Errorf("the program ended and port %d did not answer within %s", port, portGrace)
			}
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
