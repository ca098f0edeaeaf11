// Package check runs pages against Docker daemons and judges each run
// against its page. Both commands take the same steps: read the page's
// record and the key of its inputs, run the page (package run), compare
// each block's output with the page after normalisation, each side with
// its own machine's facts; then a Mode decides what the run is for.
// Verify reports the differences as drift; Capture writes what the
// terminals showed back into the page and its record (labrun.json).
package check

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/labdocs/dockerlab/tools/internal/blocks"
	"github.com/labdocs/dockerlab/tools/internal/journal"
	"github.com/labdocs/dockerlab/tools/internal/record"
	"github.com/labdocs/dockerlab/tools/internal/report"
	"github.com/labdocs/dockerlab/tools/internal/run"
	"github.com/labdocs/dockerlab/tools/internal/schedule"
)

// Outcome is what became of one page.
type Outcome struct {
	Page    *blocks.Page
	Run     *run.Page // nil: the page did not run
	Results []report.Result
	Note    string   // e.g. "unchanged since capture"
	Err     error    // an environment error for this page
	EnvDiff []string // what changed around the page since its capture

	rec    *record.Record // the page's record; nil if never captured
	inputs string         // the key of the page's inputs now
	images []record.Image // the lab images the page uses (inputsKey)
}

// Failed reports whether a block failed or the page left objects behind.
func (o *Outcome) Failed() bool {
	for _, r := range o.Results {
		if r.Status.Failed() {
			return true
		}
	}
	return o.Run != nil && o.Run.Leaks != nil
}

// A Mode is what a run of pages is for, chosen once per command: Verify
// or Capture.
type Mode interface {
	// Name is the command: "verify" or "capture".
	Name() string
	// before sees the page's outcome before it runs, its record and
	// inputs key read; a Note then means the page need not run.
	before(o *Outcome, e *Env)
	// after takes the compared outcome of a run that reached its end.
	after(o *Outcome, e *Env)
}

// Verify compares: a difference is drift, and nothing is written.
type Verify struct{}

// Name is "verify".
func (Verify) Name() string { return "verify" }

func (Verify) before(o *Outcome, e *Env) {
	if o.rec != nil {
		o.EnvDiff = envChanges(o.rec, e)
	}
}

// after fails blocks whose page text shows the lab images' bookkeeping.
func (Verify) after(o *Outcome, _ *Env) { failStandIns(o, false) }

// Checker runs pages in one Mode.
type Checker struct {
	Mode Mode
	Work string // the folder of the pages' work folders ("": run's default)
	Jobs int    // pages at once per daemon
}

// Page runs one page on e and judges it.
func (c *Checker) Page(ctx context.Context, e *Env, p *blocks.Page) *Outcome {
	o := c.prepare(e, p)
	if o.Err != nil || o.Note != "" {
		return o
	}
	res, err := run.Run(ctx, p, c.options(e))
	if err != nil {
		o.Err = err
		return o
	}
	return c.finish(e, o, res)
}

// Course runs a course's pages in one sequence, as a reader walking them
// in order (run.Sequence), and judges each page as Page does. A course
// runs every page, whatever its record says.
func (c *Checker) Course(ctx context.Context, e *Env, pages []*blocks.Page) []*Outcome {
	outs := make([]*Outcome, len(pages))
	for i, p := range pages {
		outs[i] = c.prepare(e, p)
		outs[i].Note = ""
		if outs[i].Err != nil {
			return outs[:i+1]
		}
	}
	opts := c.options(e)
	opts.Course = true
	res, err := run.Sequence(ctx, pages, opts)
	if err != nil {
		outs[0].Err = err
		return outs[:1]
	}
	for i := range pages {
		c.finish(e, outs[i], res[i])
	}
	return outs
}

// Run runs the pages that keep a record (Page.Recorded) on envs, as
// courses on the first daemon if course is set (Courses), else page by
// page (Pages), and shows progress on w (a bar on a terminal, nothing
// otherwise). It returns the outcomes of the pages that started.
func (c *Checker) Run(ctx context.Context, envs []*Env, pages []*blocks.Page, course bool, w io.Writer) []*Outcome {
	var todo []*blocks.Page
	nblocks := 0
	for _, p := range pages {
		if p.Recorded() {
			todo = append(todo, p)
			nblocks += len(p.Blocks)
		}
	}
	progress := report.NewProgress(w, report.IsTerminal(w), len(todo), nblocks)
	defer progress.Finish()
	var outs []*Outcome
	if course {
		outs = c.Courses(ctx, envs[0], todo, progress)
	} else {
		outs = c.Pages(ctx, envs, todo, progress)
	}
	return slices.DeleteFunc(outs, func(o *Outcome) bool { return o == nil })
}

// Courses runs pages that come course after course, each in reading
// order (as load puts them), one course at a time on e.
func (c *Checker) Courses(ctx context.Context, e *Env, pages []*blocks.Page, progress *report.Progress) []*Outcome {
	for _, p := range pages {
		progress.StartPage(p.Path)
	}
	var outs []*Outcome
	for len(pages) > 0 {
		section := filepath.Dir(filepath.Dir(pages[0].Path))
		n := 1
		for n < len(pages) && filepath.Dir(filepath.Dir(pages[n].Path)) == section {
			n++
		}
		outs = append(outs, c.Course(ctx, e, pages[:n])...)
		pages = pages[n:]
	}
	for _, o := range outs {
		for _, r := range o.Results {
			progress.Done(r)
		}
	}
	return outs
}

// Pages runs each page on one of the daemons, up to Jobs at once on each,
// never two pages with a common claim (package schedule) at once. The
// outcomes are in the pages' order, whatever order they ran in; nil for a
// page that did not start because ctx ended.
func (c *Checker) Pages(ctx context.Context, envs []*Env, pages []*blocks.Page, progress *report.Progress) []*Outcome {
	outs := make([]*Outcome, len(pages))
	sched := schedule.New(pages, len(envs))
	stopWake := context.AfterFunc(ctx, sched.Wake)
	defer stopWake()
	var wg sync.WaitGroup
	for d, e := range envs {
		for range max(c.Jobs, 1) {
			wg.Go(func() {
				for {
					i := sched.Next(ctx, d)
					if i < 0 {
						return
					}
					progress.StartPage(pages[i].Path)
					o := c.Page(ctx, e, pages[i])
					for _, r := range o.Results {
						progress.Done(r)
					}
					outs[i] = o
					sched.Done(d, i)
				}
			})
		}
	}
	wg.Wait()
	return outs
}

func (c *Checker) options(e *Env) run.Options {
	return run.Options{Docker: e.Docker, WorkRoot: c.Work, Env: os.Environ(), ReportStrays: c.Jobs <= 1,
		JournalDir: journal.Dir(e.Docker.DaemonHost())}
}

// prepare reads what a page's judgement needs: its record and the key of
// what its output depends on; then the Mode says whether it runs.
func (c *Checker) prepare(e *Env, p *blocks.Page) *Outcome {
	o := &Outcome{Page: p}
	var err error
	if o.rec, err = record.Load(p.Path); err != nil {
		o.Err = err
		return o
	}
	if o.inputs, o.images, err = inputsKey(p, e); err != nil {
		o.Err = err
		return o
	}
	c.Mode.before(o, e)
	return o
}

// finish compares a run with the page, then hands it to the Mode.
func (c *Checker) finish(e *Env, o *Outcome, res *run.Page) *Outcome {
	p := o.Page
	o.Run = res
	for _, s := range res.Strays {
		o.EnvDiff = append(o.EnvDiff, fmt.Sprintf("%s appeared during the page but not through its docker commands (made through the socket directly, or by someone else): left alone", s))
	}
	o.Results = compare(p, res, capturedOn(o.rec), e.Facts)
	if res.DaemonLost != nil {
		// It explains every failure at once, and is an environment
		// error, not drift.
		o.Err = fmt.Errorf("%s:%d: %v (daemon %s): start it again and re-run; what the page made is removed by the next run or `labrun clean`",
			p.Path, p.Blocks[res.LostAt].Line, res.DaemonLost, e.Docker.DaemonHost())
		return o
	}
	if res.Leaks != nil {
		o.Err = fmt.Errorf("%s: the page left Docker objects that could not be removed: %w", p.Path, res.Leaks)
	}
	c.Mode.after(o, e)
	return o
}
