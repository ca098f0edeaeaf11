//go:build !linux

package main

import (
	"context"
	"fmt"
	"io"
)

// matrixCmd needs Linux: the second engine runs in namespaces of its own
// (package machine).
func matrixCmd(_ context.Context, _ []string, _, stderr io.Writer) int {
	fmt.Fprintln(stderr, "labrun matrix needs Linux (the second engine runs in namespaces of its own) and root")
	return exitEnv
}
