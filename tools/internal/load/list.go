package load

import (
	"fmt"
	"io"
	"strings"

	"github.com/labdocs/dockerlab/tools/internal/blocks"
)

// List writes what a run of pages would run, for `labrun list` and
// --list: each page that keeps a record, each of its blocks at its
// file:line (a console block by its terminal and first command, a file
// block by its path, a skipped block with its reason), then the counts.
func List(w io.Writer, pages []*blocks.Page) {
	skipped, total := 0, 0
	for _, p := range pages {
		if !p.Recorded() {
			continue
		}
		fmt.Fprintf(w, "%s\n", p.Path)
		for _, b := range p.Blocks {
			total++
			switch b.Kind {
			case blocks.Skipped:
				skipped++
				fmt.Fprintf(w, "  %s:%d: skipped: %s\n", p.Path, b.Line, b.Opts.Skip)
			case blocks.File:
				fmt.Fprintf(w, "  %s:%d: file %s\n", p.Path, b.Line, b.Opts.File)
			default:
				first := ""
				if len(b.Commands) > 0 {
					first, _, _ = strings.Cut(b.Commands[0].Text, "\n")
					first = b.Commands[0].Prompt + " " + first
				}
				fmt.Fprintf(w, "  %s:%d: console term=%s %s\n", p.Path, b.Line, b.Opts.Term, first)
			}
		}
	}
	fmt.Fprintf(w, "%d blocks, %d skipped\n", total, skipped)
}
