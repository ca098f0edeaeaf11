//go:build linux

package main

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/labdocs/dockerlab/tools/internal/atomicfile"
	"github.com/labdocs/dockerlab/tools/internal/matrix"
)

// defaultDockerd is the other engine's daemon unless -dockerd or
// $LABRUN_DOCKERD says otherwise: Debian's.
const defaultDockerd = "/usr/sbin/dockerd"

// matrixCmd is `labrun matrix [-dockerd PATH] [-dockerd-flag F ...] [-write]`: every course on
// another engine, block by block beside their pages (package
// matrix). Without -write it fails with a diff where the engines page's
// data no longer says what the two engines print.
func matrixCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("labrun matrix", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dockerd := fs.String("dockerd", cmp.Or(os.Getenv("LABRUN_DOCKERD"), defaultDockerd), "the other engine's dockerd (its folder's containerd, runc and docker-proxy are used if there); default $LABRUN_DOCKERD or "+defaultDockerd)
	var flags []string
	if v := os.Getenv("LABRUN_DOCKERD_FLAGS"); v != "" {
		flags = strings.Fields(v)
	}
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
	if err != nil {
		fmt.Fprintln(stderr, "labrun:", err)
		return exitEnv
	}
	m, err := matrix.Run(ctx, matrix.Options{Root: ".", Dockerd: *dockerd, DockerdArgs: flags, Labrun: self, Progress: stderr})
	if err != nil {
		fmt.Fprintln(stderr, "labrun matrix:", err)
		return exitEnv
	}
	now, err := matrix.Generate(m)
	if err != nil {
		fmt.Fprintln(stderr, "labrun matrix:", err)
		return exitEnv
	}
	old, err := os.ReadFile(matrix.DataPath)
	if err != nil && !(*write && errors.Is(err, os.ErrNotExist)) {
		fmt.Fprintln(stderr, "labrun matrix:", err)
		return exitEnv
	}
	switch {
	case bytes.Equal(old, now):
		fmt.Fprintf(stdout, "labrun matrix: %s unchanged (%s)\n", matrix.DataPath, m.Totals)
	case *write:
		if err := atomicfile.Write(matrix.DataPath, now, 0o644); err != nil {
			fmt.Fprintln(stderr, "labrun matrix:", err)
			return exitEnv
		}
		fmt.Fprintf(stdout, "labrun matrix: wrote %s (%s)\n", matrix.DataPath, m.Totals)
	default:
		fmt.Fprintf(stdout, "%s\nlabrun matrix: %s no longer says what the engines print (%s): run make matrix, and read the diff of the engines page\n",
			matrix.Compare(old, now), matrix.DataPath, m.Totals)
		return exitDrift
	}
	return exitOK
}
