package run

import (
	"context"
	"net"
	"testing"
)

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
