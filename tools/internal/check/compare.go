package check

import (
	"cmp"
	"slices"
	"strings"

	"github.com/labdocs/dockerlab/tools/internal/blocks"
	"github.com/labdocs/dockerlab/tools/internal/hostfacts"
	"github.com/labdocs/dockerlab/tools/internal/normalize"
	"github.com/labdocs/dockerlab/tools/internal/record"
	"github.com/labdocs/dockerlab/tools/internal/report"
	"github.com/labdocs/dockerlab/tools/internal/run"
)

// compare sets each block's status: drift is a difference between the
// page and the run after normalisation. Each side has its own
// normaliser, fed in the same order, so placeholders line up when the
// structure is the same.
//
// Each side's own machine facts (hostfacts) become placeholders on that
// side: the kernel the capture machine printed against the kernel of this
// one.
func compare(p *blocks.Page, res *run.Page, captured, now hostfacts.Facts) []report.Result {
	nw, ng := normalizers(captured, now)
	var out []report.Result
	for i, r := range res.Blocks {
		b := r.Block
		rr := report.Result{Page: p.Path, Block: i, Line: b.Line, OutputLine: b.Line + 1, Title: b.Opts.Title,
			Status: status(r.Status), Message: r.Message, Duration: r.Duration}
		if r.Status == run.NotRun {
			rr.Message = "not run: " + cmp.Or(r.Message, "an earlier block failed")
		}
		switch b.Kind {
		case blocks.File:
			rr.Command = "file " + b.Opts.File
		case blocks.Skipped:
			rr.Status = report.Skipped
		case blocks.Console:
			var cmds []string
			for _, c := range b.Commands {
				cmds = append(cmds, c.Text)
			}
			rr.Command = strings.Join(cmds, "\n")
			rr.WantRaw = transcript(b, b.Output())
			rr.Want = nw.Lines(rr.WantRaw, b.Opts.Redact)
			if r.Status == run.NotRun || r.Status == run.Skipped {
				break
			}
			rr.GotRaw = redactHosts(transcript(b, r.Output), mirrorHosts())
			rr.Got = ng.Lines(rr.GotRaw, b.Opts.Redact)
			if r.Status == run.OK && !slices.Equal(rr.Want, rr.Got) {
				rr.Status = report.Drift
				rr.Message = "the terminal showed something else than the page (make capture takes it, if it is right)"
			}
		}
		out = append(out, rr)
	}
	return out
}

// status is the report's word for what a block did. A block that did not
// run, of whatever kind, is skipped, never passed.
func status(s run.Status) report.Status {
	switch s {
	case run.OK:
		return report.OK
	case run.Failed:
		return report.Fail
	case run.Timeout:
		return report.Timeout
	}
	return report.Skipped // run.Skipped, run.NotRun
}

// normalizers returns the page's normaliser, knowing the facts of the
// machine that captured it, and the run's, knowing this one's.
func normalizers(captured, now hostfacts.Facts) (page, got *normalize.Normalizer) {
	page, got = normalize.New(), normalize.New()
	for _, v := range captured.Identifying() {
		page.Known(v.Label, v.Text)
	}
	for _, v := range now.Identifying() {
		got.Known(v.Label, v.Text)
	}
	return page, got
}

// mixable reports whether the page, with the changed blocks' new output
// and the others' old text, still compares equal to this run. Placeholders
// are numbered across the whole page: an ID that a kept block shows from
// the old capture and a rewritten block shows from this one would be two
// values where the run has one.
func mixable(res *run.Page, changed map[int]bool, captured, now hostfacts.Facts) bool {
	nm, ng := normalizers(captured, now)
	// The mixed page holds values of both machines.
	for _, v := range now.Identifying() {
		nm.Known(v.Label, v.Text)
	}
	hosts := mirrorHosts()
	for i, r := range res.Blocks {
		b := r.Block
		if b.Kind != blocks.Console || r.Status != run.OK {
			continue
		}
		got := redactHosts(transcript(b, r.Output), hosts)
		mixed := transcript(b, b.Output())
		if changed[i] {
			mixed = got
		}
		if !slices.Equal(nm.Lines(mixed, b.Opts.Redact), ng.Lines(got, b.Opts.Redact)) {
			return false
		}
	}
	return true
}

// capturedOn is the machine the page's output came from: nothing known for
// a page never captured, or captured before records kept it.
func capturedOn(rec *record.Record) hostfacts.Facts {
	if rec == nil {
		return hostfacts.Facts{}
	}
	return rec.Host
}

// transcript lays out a block's content lines: leading output, then each
// command's lines and its output, so index i is line Block.Line+1+i.
func transcript(b *blocks.Block, o blocks.Output) []string {
	lines := append([]string(nil), o.Leading...)
	for i, c := range b.Commands {
		for j, l := range strings.Split(c.Text, "\n") {
			if j == 0 {
				l = c.Prompt + " " + l
				if c.Text == "" {
					l = c.Prompt
				}
			}
			lines = append(lines, l)
		}
		if i < len(o.Commands) {
			lines = append(lines, o.Commands[i]...)
		}
	}
	return lines
}
