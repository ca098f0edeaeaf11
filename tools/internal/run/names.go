package run

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/docker/docker/api/types/events"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/client"

	"github.com/labdocs/dockerlab/tools/internal/blocks"
	"github.com/labdocs/dockerlab/tools/internal/inventory"
	"github.com/labdocs/dockerlab/tools/internal/record"
	"github.com/labdocs/dockerlab/tools/internal/terminal"
)

var (
	// docker run -ti … bash, docker exec -it c sh, docker container run …
	interactiveRE = regexp.MustCompile(`^docker\s+(?:container\s+)?(?:run|exec)\b.*(?:\s-[a-zA-Z]*(?:it|ti)[a-zA-Z]*|\s-i\s.*-t\b|\s-t\s.*-i\b|--interactive\b.*--tty\b|--tty\b.*--interactive\b)`)
	shellRE       = regexp.MustCompile(`(?:^|/)(?:bash|sh|ash|dash|zsh)$`)
	attachRE      = regexp.MustCompile(`^docker\s+(?:container\s+)?attach\s`)
	nameFlagRE    = regexp.MustCompile(`--name[=\s]+([A-Za-z0-9][A-Za-z0-9_.-]*)`)
)

// opensShell tells whether a command starts an interactive shell the
// following commands run in: docker run/exec with -ti whose last word is a
// shell, or docker attach.
func opensShell(cmd string) bool {
	cmd = strings.TrimSpace(strings.ReplaceAll(cmd, "\\\n", " "))
	if strings.Contains(cmd, " --help") || strings.HasSuffix(cmd, " -h") {
		return false
	}
	if attachRE.MatchString(cmd) {
		return true
	}
	f := strings.Fields(cmd)
	return interactiveRE.MatchString(cmd) && len(f) > 0 && shellRE.MatchString(f[len(f)-1])
}

// containerOf names the container a shell-opening command enters.
func containerOf(cmd string) string {
	cmd = strings.ReplaceAll(cmd, "\\\n", " ")
	if m := nameFlagRE.FindStringSubmatch(cmd); m != nil {
		return m[1]
	}
	f := strings.Fields(cmd)
	if attachRE.MatchString(cmd) || strings.Contains(cmd, " exec ") {
		// docker exec [flags] CONTAINER cmd / docker attach CONTAINER
		for i := 2; i < len(f); i++ {
			if strings.HasPrefix(f[i], "-") {
				if f[i] == "-u" || f[i] == "--user" || f[i] == "-w" || f[i] == "-e" {
					i++
				}
				continue
			}
			return f[i]
		}
	}
	return "container"
}

// A Name is a Docker object or a host resource that a page creates or
// takes, read from its commands and its bundle's files. The runner checks
// them against the user's objects before a page runs, and the scheduler
// keeps pages with a common name from running at once.
type Name struct {
	Kind  string // container, network, volume, image, project, port
	Value string
	Line  int // the command that names it; 0 for the bundle's files
}

var (
	nameNetRE     = regexp.MustCompile(`docker\s+network\s+create\s+(?:-\S+\s+)*([A-Za-z0-9][A-Za-z0-9_.-]*)`)
	nameVolRE     = regexp.MustCompile(`(?:docker\s+volume\s+create\s+|(?:-v|--volume)[=\s]+)([A-Za-z0-9][A-Za-z0-9_.-]*)`)
	nameTagRE     = regexp.MustCompile(`(?:-t|--tag)[=\s]+([^\s:]+)|docker\s+(?:commit\s+\S+|tag\s+\S+)\s+([^\s:]+)`)
	namePortRE    = regexp.MustCompile(`(?:-p|--publish)[=\s]+(?:[0-9.]+:)?([0-9]+):[0-9]+|(?:localhost|127\.0\.0\.1):([0-9]{2,5})`)
	filePortRE    = regexp.MustCompile(`["'\s-]([0-9]{2,5}):[0-9]{2,5}["'\s]`)
	composeNameRE = regexp.MustCompile(`(?m)^name:\s*["']?([A-Za-z0-9_.-]+)`)
	// The Engine API straight (curl --unix-socket): POST /containers/create?name=x
	nameAPIRE = regexp.MustCompile(`/containers/create\?(?:[^\s'"]*&)?name=([A-Za-z0-9][A-Za-z0-9_.-]*)`)
)

// Names lists what page p creates or takes. Its work folder's name is
// always a project name: it is Compose's default.
func Names(p *blocks.Page) []Name {
	var out []Name
	seen := map[Name]bool{}
	add := func(kind, value string, line int) {
		n := Name{kind, value, line}
		if value != "" && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	add("project", WorkName(p), 0)
	composeLine := 0
	var files []string
	for _, b := range p.Blocks {
		switch b.Kind {
		case blocks.File:
			files = append(files, b.Text)
		case blocks.Console:
			for _, c := range b.Commands {
				cmd := strings.ReplaceAll(c.Text, "\\\n", " ")
				if composeLine == 0 && strings.Contains(cmd, "docker compose") {
					composeLine = c.Line
				}
				for _, m := range nameFlagRE.FindAllStringSubmatch(cmd, -1) {
					add("container", m[1], c.Line)
				}
				for _, m := range nameAPIRE.FindAllStringSubmatch(cmd, -1) {
					add("container", m[1], c.Line)
				}
				for _, m := range nameNetRE.FindAllStringSubmatch(cmd, -1) {
					add("network", m[1], c.Line)
				}
				for _, m := range nameVolRE.FindAllStringSubmatch(cmd, -1) {
					add("volume", m[1], c.Line)
				}
				for _, m := range nameTagRE.FindAllStringSubmatch(cmd, -1) {
					add("image", m[1]+m[2], c.Line)
				}
				for _, m := range namePortRE.FindAllStringSubmatch(cmd, -1) {
					add("port", m[1]+m[2], c.Line)
				}
			}
		}
	}
	// The bundle's files and the page's file blocks: a Compose file names
	// its project and publishes ports.
	bundle := filepath.Dir(p.Path)
	entries, _ := os.ReadDir(bundle)
	for _, e := range entries {
		if e.IsDir() || strings.HasSuffix(e.Name(), ".md") || e.Name() == record.FileName {
			continue
		}
		if data, err := os.ReadFile(filepath.Join(bundle, e.Name())); err == nil {
			files = append(files, string(data))
		}
	}
	for _, f := range files {
		for _, m := range composeNameRE.FindAllStringSubmatch(f, -1) {
			add("project", m[1], composeLine)
		}
		for _, m := range filePortRE.FindAllStringSubmatch(f, -1) {
			add("port", m[1], 0)
		}
	}
	return out
}

// checkNames stops a page whose names clash with objects it did not make.
func checkNames(p *blocks.Page, s inventory.Snapshot) error {
	has := func(m map[string]string, name string) bool {
		for _, v := range m {
			if v == name {
				return true
			}
		}
		return false
	}
	var errs []error
	clash := func(line int, kind, name, fix string) {
		errs = append(errs, fmt.Errorf("%s:%d: the page creates %s %q, but one of that name exists already and is not the page's: %s (nothing was run) %w",
			p.Path, line, kind, name, fix, ErrConflict))
	}
	names := Names(p)
	usesCompose := false
	for _, n := range names {
		usesCompose = usesCompose || (n.Kind == "project" && n.Line > 0)
	}
	for _, n := range names {
		switch n.Kind {
		case "container":
			if has(s.Containers, n.Value) {
				clash(n.Line, "container", n.Value, "remove or rename it (docker rm -f "+n.Value+")")
			}
		case "network":
			if has(s.Networks, n.Value) {
				clash(n.Line, "network", n.Value, "remove it (docker network rm "+n.Value+")")
			}
		case "volume":
			if has(s.Volumes, n.Value) {
				clash(n.Line, "volume", n.Value, "remove it (docker volume rm "+n.Value+")")
			}
		case "project":
			if !usesCompose {
				continue
			}
			line := n.Line
			if line == 0 {
				for _, m := range names {
					if m.Kind == "project" && m.Line > 0 {
						line = m.Line
					}
				}
			}
			for kind, m := range map[string]map[string]string{"container": s.Containers, "network": s.Networks, "volume": s.Volumes} {
				for _, v := range m {
					if strings.HasPrefix(v, n.Value+"-") || strings.HasPrefix(v, n.Value+"_") {
						clash(line, kind, v, "it belongs to a Compose project named "+n.Value+"; remove it (docker compose -p "+n.Value+" down -v)")
					}
				}
			}
		}
	}
	return errors.Join(errs...)
}

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
		if c.State == nil || c.State.Health == nil {
			return "", fmt.Errorf("container %s has no healthcheck", name)
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
