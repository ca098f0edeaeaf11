package run

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/labdocs/dockerlab/tools/internal/blocks"
)

// bundlePage writes files into a fresh page bundle and parses the page
// made of the console commands given (one block).
func bundlePage(t *testing.T, files map[string]string, cmds ...string) *blocks.Page {
	t.Helper()
	bundle := filepath.Join(t.TempDir(), "page")
	os.MkdirAll(bundle, 0o755)
	for name, text := range files {
		os.WriteFile(filepath.Join(bundle, name), []byte(text), 0o644)
	}
	src := "```console\n"
	for _, c := range cmds {
		src += "$ " + c + "\n"
	}
	p, err := blocks.Parse(filepath.Join(bundle, "index.md"), []byte(src+"```\n"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// names reads the page made of the console commands given and files in
// its bundle, and returns its names as kind:value.
func names(t *testing.T, files map[string]string, cmds ...string) []string {
	t.Helper()
	var out []string
	for _, n := range Names(bundlePage(t, files, cmds...)) {
		if n.Kind != "project" || n.Value != "page" {
			out = append(out, n.Kind+":"+n.Value)
		}
	}
	return out
}

func TestNamesFromCommands(t *testing.T) {
	for _, tc := range []struct {
		cmd  string
		want []string
	}{
		{"docker run -d --name web -p 7000:80 nginx", []string{"container:web", "port:7000"}},
		{"docker run -d --name=web --publish=127.0.0.1:7000:80/tcp nginx", []string{"container:web", "port:7000"}},
		{`docker run -d --name "web" -p '[::1]:7000:80' nginx`, []string{"container:web", "port:7000"}},
		{"docker run -d -p 80 -p 127.0.0.1::81 -p 7000-7002:80-82 nginx", []string{"port:7000", "port:7001", "port:7002"}},
		{"docker run -d \\\n    --name web \\\n    -p 7000:80 nginx", []string{"container:web", "port:7000"}},
		{"FOO=1 docker run --name web nginx", []string{"container:web"}},
		{"docker run -v data:/data -v \"$PWD\":/src -v /abs:/x --mount type=volume,src=more,dst=/m --mount type=bind,src=/a,dst=/b debian true",
			[]string{"volume:data", "volume:more"}},
		// The container's command is the container's: not docker's flags, not the host's ports.
		{"docker run --rm debian sh -c 'x --name inner; curl localhost:9000'", nil},
		{"sh -c 'docker run --name inner nginx'", []string{"container:inner"}},
		{"echo $(docker run -d --name sub nginx)", []string{"container:sub"}},
		// Before run, -p names the project; after it, -p publishes a port.
		{"docker compose -p demo run --rm -p 8080:80 web", []string{"port:8080", "project:demo"}},
		{"docker compose --project-name demo up -d", []string{"project:demo"}},
		{"docker network create -d bridge labnet", []string{"network:labnet"}},
		{"docker volume create --label lab=demo vol", []string{"volume:vol"}},
		{"docker build -q -t hello-node:v2 .", []string{"image:hello-node"}},
		{"docker commit -c 'LABEL lab=demo' gen1 prune-img:latest", []string{"image:prune-img"}},
		{"docker tag netcat localhost:5000/netcat:1.0", []string{"image:localhost:5000/netcat"}},
		// A registry on this machine is connected to by push and pull,
		// not by a run of an image already there.
		{"docker push localhost:5000/netcat", []string{"port:5000"}},
		{"docker run --rm localhost:5000/netcat nc -h", nil},
		{"curl -s http://localhost:8080/x | head", []string{"port:8080"}},
		{"curl -s --unix-socket /var/run/docker.sock 'http://localhost/containers/create?name=api-made'", []string{"container:api-made"}},
		{"docker compose -p demo up -d", []string{"project:demo"}},
		{"COMPOSE_PROJECT_NAME=demo docker compose up -d", []string{"project:demo"}},
		// Known false positives of the regular expressions this replaced.
		{"iptables -t nat -S DOCKER", nil},
		{"docker export hello-files | tar -t | sort", nil},
		{"docker rm -f -v registry", nil},
		{"grep -v foo file", nil},
		{"docker run --help", nil},
		{"sudo", nil},
		{"GREETING=hello; cd /tmp", nil},
	} {
		if got := names(t, nil, tc.cmd); !slices.Equal(got, tc.want) {
			t.Errorf("%q: %q, want %q", tc.cmd, got, tc.want)
		}
	}
}

func TestNamesFromCompose(t *testing.T) {
	compose := `name: visits
services:
  app:
    build: .
    image: visits-app:dev
    ports:
      - "3000:3000"
      - 9229
      - target: 80
        published: "8080"
      - target: 81
        published: 8081
  db:
    image: redis
    container_name: visits-db
    ports: ["127.0.0.1:6379:6379"]
volumes:
  data:
  kept:
    name: kept-data
  old:
    external: true
    name: old-data
networks:
  back:
    name: visits-back
`
	got := names(t, map[string]string{"compose.yaml": compose, "Dockerfile": "FROM scratch\nUSER 65534:65534\n",
		"package.json": `{"name": "not-a-project"}`}, "docker compose up -d")
	want := []string{"project:visits", "image:visits-app", "port:3000", "port:8080", "port:8081",
		"container:visits-db", "port:6379", "volume:kept-data", "network:visits-back"}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("names %q, want %q", got, want)
	}
}

func TestBuilds(t *testing.T) {
	page := func(files map[string]string, cmds ...string) *blocks.Page { return bundlePage(t, files, cmds...) }
	for _, tc := range []struct {
		files map[string]string
		cmd   string
		want  bool
	}{
		{nil, "docker build -q -t x .", true},
		{nil, "docker buildx build -t x .", true},
		{nil, "docker image build .", true},
		{nil, "docker compose up -d --build", true},
		{nil, "docker compose build", true},
		{nil, "docker compose up -d", false},
		{nil, "docker build --help", false},
		{nil, "docker --help", false},
		{nil, "echo build", false},
		{nil, "docker run --rm debian sh -c 'make build'", false},
		{map[string]string{"compose.yaml": "services:\n  app:\n    build: .\n"}, "docker compose up -d", true},
		{map[string]string{"compose.yaml": "services:\n  app:\n    image: nginx\n"}, "docker compose up -d", false},
		{map[string]string{"make.sh": "#!/bin/sh\ndocker build -t x .\n"}, "./make.sh", true},
	} {
		if got := Builds(page(tc.files, tc.cmd)); got != tc.want {
			t.Errorf("%q with %v: Builds = %v, want %v", tc.cmd, tc.files, got, tc.want)
		}
	}
}
