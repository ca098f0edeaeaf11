package schedule

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/labdocs/dockerlab/tools/internal/blocks"
)

func parse(t *testing.T, path, src string) *blocks.Page {
	t.Helper()
	p, err := blocks.Parse(path, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestClaims(t *testing.T) {
	dir := t.TempDir()
	bundle := filepath.Join(dir, "content", "compose")
	os.MkdirAll(bundle, 0o755)
	os.WriteFile(filepath.Join(bundle, "compose.yaml"), []byte("name: visits\nservices:\n  app:\n    ports:\n      - \"8081:3000\"\n"), 0o644)
	p := parse(t, filepath.Join(bundle, "index.md"), "```console\n$ docker run -d --name web -p 7000:80 nginx\n$ docker network create chat\n$ docker run -v data:/data debian true\n$ docker build -t hello-node .\n$ curl localhost:5000/v2/\n$ curl -s -X POST --unix-socket /var/run/docker.sock 'http://localhost/containers/create?name=api-made'\n```\n")
	c := Of(p)
	for _, want := range []string{"project:compose", "project:visits", "container:web", "network:chat", "volume:data", "image:hello-node", "container:api-made"} {
		if !slices.Contains(c.Names, want) {
			t.Errorf("names %q lack %q", c.Names, want)
		}
	}
	for _, want := range []string{"port:7000", "port:8081", "port:5000", "workdir:compose"} {
		if !slices.Contains(c.Ports, want) {
			t.Errorf("machine claims %q lack %q", c.Ports, want)
		}
	}
}

// Two pages publishing the same host port never run at once, even on two
// daemons; pages with nothing in common do.
func TestSchedulerKeepsClaimsApart(t *testing.T) {
	a := parse(t, "content/a/index.md", "```console\n$ docker run -d -p 7000:80 nginx\n```\n")
	b := parse(t, "content/b/index.md", "```console\n$ docker run -d -p 7000:80 nginx\n```\n")
	c := parse(t, "content/c/index.md", "```console\n$ echo hi\n```\n")
	s := New([]*blocks.Page{a, b, c}, 2)
	ctx := context.Background()
	if got := s.Next(ctx, 0); got != 0 {
		t.Fatalf("first page: %d", got)
	}
	// Daemon 1 cannot take b (port 7000 is in use on this machine): c.
	if got := s.Next(ctx, 1); got != 2 {
		t.Fatalf("second pick: %d", got)
	}
	got := make(chan int)
	go func() { got <- s.Next(ctx, 1) }()
	select {
	case i := <-got:
		t.Fatalf("b started while a holds its port: %d", i)
	case <-time.After(100 * time.Millisecond):
	}
	s.Done(0, 0)
	if i := <-got; i != 1 {
		t.Fatalf("after a: %d", i)
	}
}
