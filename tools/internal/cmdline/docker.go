package cmdline

import "strings"

// A Call is one docker command (docker-compose too), read as the docker
// CLI reads it.
type Call struct {
	// Cmd is the subcommand, management words folded: "run" (docker
	// container run too), "build" (docker image build, docker buildx
	// build), "network create", "compose up", "" for docker alone.
	Cmd   string
	Flags []Flag // docker's (and compose's) global flags, then the subcommand's
	// Global counts the flags of Flags given before the subcommand:
	// docker compose -p demo run -p 8080:80 names a project, then a port.
	Global int
	// Args are the positional arguments. For commands whose first
	// argument is followed by a command of its own (run, create, exec;
	// compose run and exec) Args holds that first argument only (the
	// image, container or service) and Rest the command and its words.
	Args []Arg
	Rest []Arg
	Help bool // -h or --help: docker prints help and does nothing
	Env  map[string]string
}

// A Flag is one flag as given: Name without its dashes (a short flag of
// a combined -ti is "t" and "i"), Value its value if it takes one.
type Flag struct {
	Name  string
	Value Arg
}

// Docker returns the docker calls among cmds.
func Docker(cmds []Command) []Call {
	var out []Call
	for _, c := range cmds {
		if call, ok := DockerCall(c); ok {
			out = append(out, call)
		}
	}
	return out
}

// DockerCall reads c as a docker command; false when it is not one.
func DockerCall(c Command) (Call, bool) {
	call := Call{Env: c.Env}
	var args []Arg
	switch c.Name() {
	case "docker":
		args = call.parse(c.Args[1:], global)
		if len(args) == 0 || !args[0].Lit {
			return call, true
		}
	case "docker-compose":
		args = append([]Arg{{"compose", true}}, c.Args[1:]...)
	default:
		return call, false
	}
	cmd, args := args[0].Text, args[1:]
	if m, ok := management[cmd]; ok {
		if cmd == "compose" {
			g := composeGlobal
			g.interspersed = false
			args = call.parse(args, g)
		}
		sub := ""
		if len(args) > 0 && args[0].Lit {
			sub, args = args[0].Text, args[1:]
		}
		cmd = m(sub)
	}
	s, ok := specs[cmd]
	if !ok {
		s = spec{interspersed: true}
		if strings.HasPrefix(cmd, "compose ") {
			s = specs["compose"]
		}
	} else if strings.HasPrefix(cmd, "compose ") {
		s.values += " " + composeGlobal.values
		s.bools += " " + composeGlobal.bools
	}
	call.Cmd = cmd
	call.Global = len(call.Flags)
	rest := call.parse(args, s)
	if !s.interspersed && len(rest) > 0 {
		call.Args, call.Rest = rest[:1], rest[1:]
	} else {
		call.Args = rest
	}
	return call, true
}

// Values are the values of the flags named (any of names), in order;
// only literal ones.
func (c Call) Values(names ...string) []string {
	var out []string
	for _, f := range c.Flags {
		for _, n := range names {
			if f.Name == n && f.Value.Lit {
				out = append(out, f.Value.Text)
			}
		}
	}
	return out
}

// GlobalValues are Values among the flags given before the subcommand.
func (c Call) GlobalValues(names ...string) []string {
	return Call{Flags: c.Flags[:c.Global]}.Values(names...)
}

// OwnValues are Values among the subcommand's own flags.
func (c Call) OwnValues(names ...string) []string {
	return Call{Flags: c.Flags[c.Global:]}.Values(names...)
}

// Has tells whether any of the flags named was given (a boolean flag
// given as --flag=false is not).
func (c Call) Has(names ...string) bool {
	for _, f := range c.Flags {
		for _, n := range names {
			if f.Name == n && f.Value.Text != "false" {
				return true
			}
		}
	}
	return false
}

// Arg is positional argument i, literal; "" when absent or not literal.
func (c Call) Arg(i int) string {
	if i < len(c.Args) && c.Args[i].Lit {
		return c.Args[i].Text
	}
	return ""
}

// A spec says how a command reads its flags.
type spec struct {
	values, bools string // names of the flags that take a value, and of those that do not
	// unknownValue: a flag in neither list takes a value (docker run's
	// many), else it does not.
	unknownValue bool
	// interspersed: flags may follow positional arguments; when not,
	// the first positional argument ends docker's flags and what follows
	// it is a command of its own.
	interspersed bool
}

func (s spec) takesValue(name string) bool {
	switch {
	case has(s.values, name):
		return true
	case has(s.bools, name):
		return false
	}
	return s.unknownValue
}

func has(list, name string) bool {
	for _, n := range strings.Fields(list) {
		if n == name {
			return true
		}
	}
	return false
}

// parse reads args' flags into c.Flags and returns the positional
// arguments: up to the first one when s is not interspersed, then
// everything after it as well.
func (c *Call) parse(args []Arg, s spec) []Arg {
	var pos []Arg
	for i := 0; i < len(args); i++ {
		a := args[i]
		t := a.Text
		switch {
		case !a.Lit || t == "-" || !strings.HasPrefix(t, "-"):
			if !s.interspersed {
				return append(pos, args[i:]...)
			}
			pos = append(pos, a)
		case t == "--":
			return append(pos, args[i+1:]...)
		case strings.HasPrefix(t, "--"):
			name, value, eq := strings.Cut(t[2:], "=")
			f := Flag{Name: name}
			switch {
			case eq:
				f.Value = Arg{value, true}
			case s.takesValue(name) && i+1 < len(args):
				i++
				f.Value = args[i]
			}
			c.Flags = append(c.Flags, f)
			c.Help = c.Help || name == "help"
		default: // -abc: short flags; the first that takes a value takes the rest
		shorts:
			for k := 1; k < len(t); k++ {
				f := Flag{Name: t[k : k+1]}
				if s.takesValue(f.Name) {
					switch {
					case k+1 < len(t):
						f.Value = Arg{strings.TrimPrefix(t[k+1:], "="), true}
					case i+1 < len(args):
						i++
						f.Value = args[i]
					}
					c.Flags = append(c.Flags, f)
					break shorts
				}
				c.Flags = append(c.Flags, f)
				c.Help = c.Help || f.Name == "h"
			}
		}
	}
	return pos
}

// management folds docker's management commands onto the commands they
// stand for: docker container run is docker run.
var management = map[string]func(sub string) string{
	"container": func(sub string) string { return sub },
	"image": func(sub string) string {
		switch sub {
		case "build", "tag", "push", "pull":
			return sub
		}
		return "image " + sub
	},
	"buildx": func(sub string) string {
		if sub == "b" {
			sub = "build"
		}
		if sub == "build" || sub == "bake" {
			return sub
		}
		return "buildx " + sub
	},
	"builder": func(sub string) string {
		if sub == "build" {
			return sub
		}
		return "builder " + sub
	},
	"network": func(sub string) string { return "network " + sub },
	"volume":  func(sub string) string { return "volume " + sub },
	"compose": func(sub string) string { return strings.TrimSpace("compose " + sub) },
}

var (
	global = spec{
		values: "config c context H host l log-level tlscacert tlscert tlskey",
		bools:  "D debug tls tlsverify v version h help",
	}
	composeGlobal = spec{
		values:       "f file p project-name project-directory env-file profile ansi progress parallel",
		bools:        "compatibility dry-run all-resources v version h help",
		interspersed: true,
	}
	// docker run and create: every flag takes a value but these.
	runSpec = spec{
		bools:        "d detach i interactive t tty rm init privileged P publish-all read-only no-healthcheck oom-kill-disable q quiet sig-proxy disable-content-trust use-api-socket help",
		unknownValue: true,
	}
	buildSpec = spec{
		values:       "t tag f file target build-arg progress platform network secret ssh cache-from cache-to label iidfile o output metadata-file build-context add-host shm-size ulimit cgroup-parent allow annotation attest builder call provenance sbom isolation m memory memory-swap c cpu-shares cpuset-cpus cpuset-mems cpu-period cpu-quota security-opt",
		interspersed: true,
	}
	specs = map[string]spec{
		"run":    runSpec,
		"create": runSpec,
		"exec": {
			values: "e env env-file u user w workdir detach-keys",
			bools:  "d detach i interactive t tty privileged help",
		},
		"attach": {values: "detach-keys", bools: "no-stdin sig-proxy help", interspersed: true},
		"start":  {values: "detach-keys checkpoint checkpoint-dir", bools: "a attach i interactive help", interspersed: true},
		"build":  buildSpec,
		"bake":   {values: "f file set progress metadata-file allow call builder", interspersed: true},
		"commit": {values: "a author c change m message", bools: "p pause help", interspersed: true},
		"push":   {values: "platform", bools: "a all-tags q quiet disable-content-trust help", interspersed: true},
		"pull":   {values: "platform", bools: "a all-tags q quiet disable-content-trust help", interspersed: true},
		"login":  {values: "u username p password", bools: "password-stdin help", interspersed: true},
		"network create": {
			values:       "d driver subnet gateway ip-range aux-address o opt label ipam-driver ipam-opt scope config-from",
			interspersed: true,
		},
		"volume create": {
			values:       "d driver label o opt name availability group limit-bytes required-bytes scope secret sharing topology-preferred topology-required type",
			interspersed: true,
		},
		"compose": composeGlobal,
		"compose run": {
			values: "name p publish v volume e env env-from-file u user w workdir entrypoint l label cap-add cap-drop pull",
			bools:  "d detach rm T no-TTY i interactive service-ports use-aliases no-deps build quiet-pull quiet-build remove-orphans help",
		},
		"compose exec": {
			values: "e env u user w workdir index",
			bools:  "d detach T no-TTY i interactive privileged help",
		},
		"compose up": {
			values:       "scale t timeout wait-timeout exit-code-from attach no-attach pull",
			interspersed: true,
		},
		"compose create": {values: "scale pull", interspersed: true},
	}
)
