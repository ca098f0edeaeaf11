package run

import (
	"github.com/labdocs/dockerlab/tools/internal/cmdline"
)

// opensShell tells whether a command starts an interactive shell the
// following commands run in: docker run/exec with -i and -t (in any
// spelling: -ti, -it, -i -t, --interactive --tty) whose command is a
// shell, docker compose exec/run (a TTY unless -T) whose command is a
// shell, or docker attach. The command line must be that docker call
// alone: in a pipeline or a list it does not hold the terminal.
func opensShell(line string) bool {
	c, ok := cmdline.Single(line)
	if !ok {
		return false
	}
	call, ok := cmdline.DockerCall(c)
	if !ok || call.Help {
		return false
	}
	switch call.Cmd {
	case "attach":
		return true
	case "run", "exec":
		return call.Has("i", "interactive") && call.Has("t", "tty") && isShell(call.Rest)
	case "compose exec", "compose run":
		return !call.Has("T", "no-TTY") && isShell(call.Rest)
	}
	return false
}

// isShell tells whether a container's command is an interactive shell:
// bash, /bin/sh…, alone or with a login or interactive option (not -c,
// not --help).
func isShell(cmd []cmdline.Arg) bool {
	if len(cmd) == 0 || !cmd[0].Lit || !cmdline.IsShell(cmd[0].Text) {
		return false
	}
	for _, a := range cmd[1:] {
		switch a.Text {
		case "-l", "--login", "-i", "-il", "-li":
		default:
			return false
		}
	}
	return true
}

// containerOf names the container a shell-opening command enters: the
// --name of docker run, the container of docker exec, attach or start
// (the service of docker compose exec); "container" when the line does
// not say.
func containerOf(line string) string {
	cmds, err := cmdline.Parse(line)
	if err != nil {
		return "container"
	}
	calls := cmdline.Docker(cmds)
	for i := len(calls) - 1; i >= 0; i-- {
		c := calls[i]
		switch c.Cmd {
		case "run", "create", "compose run":
			if v := c.Values("name"); len(v) > 0 && validName(v[len(v)-1]) {
				return v[len(v)-1]
			}
		case "exec", "attach", "start", "compose exec":
			if n := c.Arg(0); validName(n) {
				return n
			}
		}
	}
	return "container"
}
