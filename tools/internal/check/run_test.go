package check

import (
	"bytes"
	"context"
	"io"
	"os"
	"slices"
	"testing"

	"github.com/labdocs/dockerlab/tools/internal/blocks"
	"github.com/labdocs/dockerlab/tools/internal/report"
)

// Run, on the real daemon: a page with nothing to run is not taken, a
// page is captured and then verified, page by page and as a course, and
// progress stays quiet off a terminal.
func TestRunCapturesThenVerifies(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the Docker daemon")
	}
	ctx := context.Background()
	e, err := Connect(ctx, "", io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	p := writeBundle(t, "# P\n\n```console\n$ echo captured\n```\n", 0o644)
	prose := writeBundle(t, "# Q\n\nProse, no block.\n", 0o644)
	var progress bytes.Buffer
	c := &Checker{Mode: Capture{}, Work: t.TempDir()}
	outs := c.Run(ctx, []*Env{e}, []*blocks.Page{p, prose}, false, &progress)
	if len(outs) != 1 || outs[0].Page != p || outs[0].Err != nil || outs[0].Failed() {
		t.Fatalf("capture: %d outcomes (want the one page with a block, passed): %+v", len(outs), outs)
	}
	if progress.Len() != 0 {
		t.Errorf("progress wrote %q to a buffer, not a terminal", progress.String())
	}
	src, _ := os.ReadFile(p.Path)
	if !bytes.Contains(src, []byte("$ echo captured\ncaptured\n")) {
		t.Fatalf("the page after capture:\n%s", src)
	}
	for _, course := range []bool{false, true} {
		c := &Checker{Mode: Verify{}, Work: t.TempDir()}
		outs := c.Run(ctx, []*Env{e}, []*blocks.Page{reread(t, p.Path)}, course, io.Discard)
		if len(outs) != 1 || outs[0].Err != nil || !slices.Equal(statuses(outs[0].Results), []report.Status{report.OK}) {
			t.Errorf("verify (course %v): %+v", course, outs)
		}
	}
}
