//go:build linux

package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/labdocs/dockerlab/tools/internal/matrix"
)

// matrixCmd is `labrun matrix [-dockerd PATH] [-dockerd-flag F ...] [-write]`:
// every course on another engine, block by block beside their pages
// (package matrix). Without -write it fails with a diff where the engines
// page's data no longer says what the two engines print.
func matrixCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("labrun matrix", flag.ContinueOnError)
	fs.SetOutput(stderr)
	// Debian's dockerd unless -dockerd or $LABRUN_DOCKERD says otherwise.
	dockerd := fs.String("dockerd", cmp.Or(os.Getenv("LABRUN_DOCKERD"), "/usr/sbin/dockerd"), "the other engine's dockerd (its folder's containerd, runc and docker-proxy are used if there); default $LABRUN_DOCKERD or Debian's")
	flags := strings.Fields(os.Getenv("LABRUN_DOCKERD_FLAGS"))
	fs.Func("dockerd-flag", "a flag for the other engine's dockerd (repeat; default $LABRUN_DOCKERD_FLAGS, split at spaces), e.g. --feature=embedded-containerd for an engine whose containerd is linked in", func(v string) error {
		flags = append(flags, v)
		return nil
	})
	write := fs.Bool("write", false, "write "+matrix.DataPath+" instead of comparing with it")
	if err := fs.Parse(args); err != nil {
		return exitEnv
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(stderr, "labrun matrix takes no pages: the engines page holds every course")
		return exitEnv
	}
	self, err := os.Executable()
	if err == nil {
		var m *matrix.Matrix
		if m, err = matrix.Run(ctx, matrix.Options{Root: ".", Dockerd: *dockerd, DockerdArgs: flags, Labrun: self, Progress: stderr}); err == nil {
			var msg string
			msg, err = matrix.Update(matrix.DataPath, m, *write)
			fmt.Fprintln(stdout, "labrun matrix:", msg)
		}
	}
	switch {
	case errors.Is(err, matrix.ErrDrift):
		return exitDrift
	case err != nil:
		fmt.Fprintln(stderr, "labrun matrix:", err)
		return exitEnv
	}
	return exitOK
}
