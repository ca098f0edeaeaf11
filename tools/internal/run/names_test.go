package run

import (
	"context"
	"net"
	"testing"
)

func TestOpensShell(t *testing.T) {
	for cmd, want := range map[string]bool{
		"docker run --name netcat -ti debian bash":     true,
		"docker exec -ti netcat bash":                  true,
		"docker exec -it web sh":                       true,
		"docker container run --rm -it debian /bin/sh": true,
		"docker run -i -t debian bash":                 true,
		"docker attach netcat":                         true,
		"docker run --rm debian bash":                  false,
		"docker run -d --name web nginx":               false,
		"docker exec netcat ls":                        false,
		"docker run -ti debian ls":                     false,
		"echo docker run -ti debian bash | cat":        false,
		"docker attach --help":                         false,
		"docker run -ti debian bash --help":            false,
	} {
		if got := opensShell(cmd); got != want {
			t.Errorf("opensShell(%q) = %v, want %v", cmd, got, want)
		}
	}
}

func TestContainerOf(t *testing.T) {
	for cmd, want := range map[string]string{
		"docker run --name netcat -ti debian bash": "netcat",
		"docker run --name=web -ti nginx sh":       "web",
		"docker exec -ti netcat2 bash":             "netcat2",
		"docker exec -u root -ti web sh":           "web",
		"docker attach netcat":                     "netcat",
		"docker run -ti debian bash":               "container",
	} {
		if got := containerOf(cmd); got != want {
			t.Errorf("containerOf(%q) = %q, want %q", cmd, got, want)
		}
	}
}

func TestAnswers(t *testing.T) {
	ctx := context.Background()
	// A server that keeps the connection open answers.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	if !answers(ctx, ln.Addr().String()) {
		t.Fatal("a listening server must answer")
	}
	// One that hangs up at once (Docker's proxy before the container
	// listens) does not.
	hang, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer hang.Close()
	go func() {
		for {
			c, err := hang.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	if answers(ctx, hang.Addr().String()) {
		t.Fatal("a server that hangs up must not count as ready")
	}
	if answers(ctx, "127.0.0.1:1") {
		t.Fatal("nothing listens on port 1")
	}
}
