package cmdline

import (
	"reflect"
	"strings"
	"testing"
)

// calls reads line and describes its docker calls: the command, the
// flags as name=value, the arguments, and what follows them (the
// container's command), one call a string.
func calls(t *testing.T, line string) []string {
	t.Helper()
	cmds, err := Parse(line)
	if err != nil {
		t.Fatalf("%q: %v", line, err)
	}
	var out []string
	for _, c := range Docker(cmds) {
		var b strings.Builder
		b.WriteString(c.Cmd)
		for _, f := range c.Flags {
			b.WriteString(" -" + f.Name)
			if f.Value.Text != "" {
				b.WriteString("=" + f.Value.Text)
			}
		}
		for _, a := range c.Args {
			b.WriteString(" [" + a.Text + "]")
		}
		if len(c.Rest) > 0 {
			b.WriteString(" |")
			for _, a := range c.Rest {
				b.WriteString(" " + a.Text)
			}
		}
		if c.Help {
			b.WriteString(" (help)")
		}
		for k, v := range c.Env {
			b.WriteString(" env:" + k + "=" + v)
		}
		out = append(out, b.String())
	}
	return out
}

func TestDockerCalls(t *testing.T) {
	for _, tc := range []struct {
		line string
		want []string
	}{
		{"docker run --name web -p 8080:80 nginx", []string{"run -name=web -p=8080:80 [nginx]"}},
		{"docker run --name=web --publish=8080:80 nginx", []string{"run -name=web -publish=8080:80 [nginx]"}},
		{`docker run --name "web" -v 'data:/data' nginx`, []string{"run -name=web -v=data:/data [nginx]"}},
		// Combined short flags; a value glued to its flag.
		{"docker run -dit -p8080:80 debian bash", []string{"run -d -i -t -p=8080:80 [debian] | bash"}},
		// -e takes a value: -ti here is an environment variable, not flags.
		{"docker run -e -ti debian bash", []string{"run -e=-ti [debian] | bash"}},
		// Continuation lines, as a page writes them.
		{"docker run -d \\\n    --name web \\\n    -p 7000:80 nginx", []string{"run -d -name=web -p=7000:80 [nginx]"}},
		// The container's command is never docker's flags, not even in sh -c.
		{"docker run --rm debian sh -c 'docker run --name inner x; echo --name y'",
			[]string{"run -rm [debian] | sh -c docker run --name inner x; echo --name y"}},
		{"docker run --rm debian --name x", []string{"run -rm [debian] | --name x"}},
		// A script the host's shell runs is read.
		{"sh -c 'docker run --name inner nginx'", []string{"run -name=inner [nginx]"}},
		{"bash -ec \"docker network create lab && docker volume create data\"",
			[]string{"network create [lab]", "volume create [data]"}},
		// Pipelines, lists, $(…), loops, functions, env prefixes, wrappers.
		{"docker export hello-files | tar -t | sort", []string{"export [hello-files]"}},
		{"docker rm -f $(docker ps -aq) && docker volume prune -f; echo done",
			[]string{"rm -f [$(docker ps -aq)]", "ps -a -q", "volume prune -f"}},
		{"for i in 1 2; do docker stats --no-stream web; done", []string{"stats -no-stream [web]"}},
		// An expansion cannot be read: it ends docker run's flags, as an
		// image would.
		{"f() { docker run --rm \"$@\" debian true; }", []string{"run -rm [\"$@\"] | debian true"}},
		{"FOO=1 docker run --rm debian true", []string{"run -rm [debian] | true env:FOO=1"}},
		{"time docker run --rm debian true", []string{"run -rm [debian] | true"}},
		{"sudo -u root docker volume create data", []string{"volume create [data]"}},
		{"env COMPOSE_PROJECT_NAME=demo docker compose up -d", []string{"compose up -d env:COMPOSE_PROJECT_NAME=demo"}},
		// Management commands fold onto the commands they stand for.
		{"docker container run -it --rm debian /bin/sh", []string{"run -i -t -rm [debian] | /bin/sh"}},
		{"docker image build -q -t hello-node:v2 .", []string{"build -q -t=hello-node:v2 [.]"}},
		{"docker buildx build --no-cache -t x .", []string{"build -no-cache -t=x [.]"}},
		{"docker network create -d bridge --subnet 10.9.0.0/24 labnet", []string{"network create -d=bridge -subnet=10.9.0.0/24 [labnet]"}},
		{"docker network create labnet --internal", []string{"network create -internal [labnet]"}},
		{"docker commit -c 'LABEL lab=demo' gen1 img:latest", []string{"commit -c=LABEL lab=demo [gen1] [img:latest]"}},
		// Global flags, before the command.
		{"docker -H tcp://localhost:2375 --debug ps", []string{"ps -H=tcp://localhost:2375 -debug"}},
		{"docker compose -p demo -f a.yaml up -d --build", []string{"compose up -p=demo -f=a.yaml -d -build"}},
		{"docker-compose up --wait", []string{"compose up -wait"}},
		{"docker compose exec -T redis redis-cli get visits", []string{"compose exec -T [redis] | redis-cli get visits"}},
		// -- ends the flags.
		{"docker run -d -- nginx --name x", []string{"run -d [nginx] | --name x"}},
		// Help.
		{"docker run --help", []string{"run -help (help)"}},
		{"docker network create -h", []string{"network create -h (help)"}},
		{"docker run -h box debian hostname", []string{"run -h=box [debian] | hostname"}},
		{"FOO= docker ps", []string{"ps env:FOO="}},
		// Not docker.
		{"sudo", nil},
		{"time", nil},
		{"X=$(docker ps -q)", []string{"ps -q"}},
		{"echo docker run --name x nginx", nil},
		{"iptables -t nat -S DOCKER", nil},
	} {
		if got := calls(t, tc.line); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q:\n got %q\nwant %q", tc.line, got, tc.want)
		}
	}
}

func TestSingle(t *testing.T) {
	for line, want := range map[string]bool{
		"docker run -ti debian bash":             true,
		"FOO=1 docker run -ti debian bash":       true,
		"docker run -ti debian bash 2>/dev/null": true,
		"docker run -ti debian bash | cat":       false,
		"cd x && docker run -ti debian bash":     false,
		"docker run -ti debian bash &":           false,
		"docker run -ti debian bash; echo":       false,
		"docker run 'unclosed":                   false,
	} {
		if _, got := Single(line); got != want {
			t.Errorf("Single(%q) = %v, want %v", line, got, want)
		}
	}
}

// Any line is read without a panic.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"docker run -ti --name=x -p8080:80 debian bash", "sudo", "docker -H", "docker compose -p",
		"docker run -e", "sh -c 'sh -c \"docker ps\"'", "env FOO=1", "docker-compose", "docker network create -- x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		cmds, _ := Parse(line)
		for _, c := range Docker(cmds) {
			c.Values("name", "p")
			c.Has("i")
			c.Arg(0)
		}
		if c, ok := Single(line); ok {
			DockerCall(c)
		}
	})
}
