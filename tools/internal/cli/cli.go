// Package cli is what every command of the lab's tools does around its
// own work: it runs under a context that ends on Ctrl-C or SIGTERM, so
// that a run interrupted removes what it started before it exits, and the
// process exits with the status the command returns.
package cli

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// A Command is a tool's whole work, callable from its tests: it reads
// args, writes to stdout and stderr, and returns the exit status.
type Command func(ctx context.Context, args []string, stdout, stderr io.Writer) int

// Main runs cmd on the process's arguments and streams and exits with its
// status. The context ends on SIGINT or SIGTERM; a second signal kills the
// process as usual, since stop restores the default handling.
func Main(cmd Command) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cmd(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
