package check

import (
	"fmt"
	"strings"

	"github.com/labdocs/dockerlab/tools/internal/blocks"
	"github.com/labdocs/dockerlab/tools/internal/report"
)

// standInMarks are what the lab's own image bookkeeping would print: the
// labels lab images once carried, and the tool that makes them. A reader
// pulling the official images never sees them, so no page may show them
// (the ledger keeps that bookkeeping off the images, package ledger).
var standInMarks = []string{"org.labdocs", "labimages"}

// failStandIns fails every console block whose output shows a stand-in
// mark, naming the line: on the page as it is (verify), or in the run
// that is about to be written into it (capture).
func failStandIns(o *Outcome, fromRun bool) {
	if o.Run == nil {
		return
	}
	for i, r := range o.Run.Blocks {
		b := r.Block
		if b.Kind != blocks.Console || i >= len(o.Results) {
			continue
		}
		res := &o.Results[i]
		if res.Status == report.Fail || res.Status == report.Timeout || res.Status == report.Skipped {
			continue
		}
		out := b.Output()
		where := "the page shows"
		if fromRun {
			out, where = r.Output, "the run printed"
		}
		k, mark := standIn(b, out)
		if mark == "" {
			continue
		}
		res.Status, res.Line = report.Fail, b.Line+1+k
		res.Message = fmt.Sprintf("%s %q, the lab images' bookkeeping, which a reader of the official images never sees: make images rebuilds the images without it, make capture takes the new output", where, mark)
	}
}

// standIn finds the first output line of o that holds a stand-in mark:
// its index in the block's transcript (so its page line is b.Line+1+k)
// and the mark; "" when none does. Command lines are the author's and
// are not looked at.
func standIn(b *blocks.Block, o blocks.Output) (k int, mark string) {
	find := func(l string) string {
		for _, m := range standInMarks {
			if strings.Contains(l, m) {
				return m
			}
		}
		return ""
	}
	for _, l := range o.Leading {
		if m := find(l); m != "" {
			return k, m
		}
		k++
	}
	for i, c := range b.Commands {
		k += strings.Count(c.Text, "\n") + 1
		if i >= len(o.Commands) {
			continue
		}
		for _, l := range o.Commands[i] {
			if m := find(l); m != "" {
				return k, m
			}
			k++
		}
	}
	return 0, ""
}
