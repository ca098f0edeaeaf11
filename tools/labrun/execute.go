package main

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"

	"github.com/labdocs/dockerlab/tools/internal/atomicfile"
	"github.com/labdocs/dockerlab/tools/internal/blocks"
	"github.com/labdocs/dockerlab/tools/internal/daemonlock"
	"github.com/labdocs/dockerlab/tools/internal/dockerenv"
	"github.com/labdocs/dockerlab/tools/internal/hostfacts"
	"github.com/labdocs/dockerlab/tools/internal/inventory"
	"github.com/labdocs/dockerlab/tools/internal/journal"
	"github.com/labdocs/dockerlab/tools/internal/normalize"
	"github.com/labdocs/dockerlab/tools/internal/record"
	"github.com/labdocs/dockerlab/tools/internal/report"
	"github.com/labdocs/dockerlab/tools/internal/run"
)

// env is what every page of one invocation shares.
type env struct {
	docker   client.APIClient
	lock     *daemonlock.Lock
	versions record.Versions
	facts    hostfacts.Facts // the daemon's machine
	images   []record.Image  // the lab images on this daemon
}

// connect reaches the daemon at host ("" for the environment's), and
// takes its lock for the whole run.
func connect(ctx context.Context, host string, stderr io.Writer) (*env, error) {
	var cli *client.Client
	var info dockerenv.Info
	var err error
	if host == "" {
		cli, info, err = dockerenv.Client(ctx)
	} else {
		cli, info, err = dockerenv.ClientAt(ctx, host)
	}
	if err != nil {
		return nil, err
	}
	lock, err := daemonlock.Acquire(ctx, cli.DaemonHost(), stderr)
	if err != nil {
		return nil, err
	}
	// Holding the lock, no other lab tool works on this daemon: what dead
	// runs left (their journals are unlocked) can go.
	if err := journal.Clean(ctx, cli, journal.Dir(cli.DaemonHost()), stderr); err != nil {
		lock.Unlock()
		return nil, fmt.Errorf("removing what an earlier run that died left: %w", err)
	}
	e := &env{docker: cli, lock: lock, facts: info.Facts, versions: record.Versions{
		Client: dockerenv.CLI(ctx).Version,
		Engine: info.EngineVersion,
		API:    info.APIVersion,
	}}
	e.versions.Buildx = dockerenv.Plugin(ctx, "buildx").Version
	e.versions.Compose = dockerenv.Plugin(ctx, "compose").Version
	ims, err := cli.ImageList(ctx, image.ListOptions{Filters: filters.NewArgs(filters.Arg("label", inventory.LabLabel))})
	if err != nil {
		return nil, err
	}
	for _, im := range ims {
		for _, ref := range im.RepoTags {
			// Images built FROM a lab image inherit its labels: a lab
			// image is one whose name is its recipe's.
			if ref[:strings.LastIndex(ref, ":")] != im.Labels[inventory.LabLabel] {
				continue
			}
			e.images = append(e.images, record.Image{Name: ref, ID: im.ID, Size: im.Size, Origin: im.Labels["org.labdocs.origin"]})
		}
	}
	sort.Slice(e.images, func(i, j int) bool { return e.images[i].Name < e.images[j].Name })
	return e, nil
}

// outcome of one page, for the report.
type outcome struct {
	page    *blocks.Page
	res     *run.Page
	results []report.Result
	note    string // e.g. "unchanged since capture"
	err     error  // environment error for this page
	envDiff []string
}

func execute(ctx context.Context, cfg *config, pages []*blocks.Page, stdout, stderr io.Writer) int {
	hosts := cfg.hosts
	if len(hosts) == 0 {
		hosts = []string{""} // the environment's daemon
	}
	var envs []*env
	for _, h := range hosts {
		e, err := connect(ctx, h, stderr)
		if err != nil {
			fmt.Fprintln(stderr, "labrun:", err)
			return exitEnv
		}
		defer e.lock.Unlock()
		envs = append(envs, e)
	}
	var todo []*blocks.Page
	nblocks := 0
	for _, p := range pages {
		if p.Runs() {
			todo = append(todo, p)
			nblocks += len(p.Blocks)
		}
	}
	progress := report.NewProgress(stderr, report.IsTerminal(stderr), len(todo), nblocks)
	if cfg.course {
		for _, p := range todo {
			progress.StartPage(p.Path)
		}
		outs := courses(ctx, cfg, envs[0], todo)
		for _, o := range outs {
			for _, r := range o.results {
				progress.Done(r)
			}
		}
		return conclude(ctx, cfg, outs, progress, stdout, stderr)
	}
	outs := make([]*outcome, len(todo))
	sched := newScheduler(todo, len(envs))
	stopWake := context.AfterFunc(ctx, sched.wake)
	defer stopWake()
	var wg sync.WaitGroup
	for d, e := range envs {
		for range max(cfg.jobs, 1) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := sched.next(ctx, d)
					if i < 0 {
						return
					}
					progress.StartPage(todo[i].Path)
					o := runPage(ctx, cfg, e, todo[i])
					for _, r := range o.results {
						progress.Done(r)
					}
					outs[i] = o
					sched.done(d, i)
				}
			}()
		}
	}
	wg.Wait()
	return conclude(ctx, cfg, outs, progress, stdout, stderr)
}

// conclude reports the outcomes (nil: a page that did not run) and
// returns the exit status.
func conclude(ctx context.Context, cfg *config, outs []*outcome, progress *report.Progress, stdout, stderr io.Writer) int {
	progress.Finish()
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "labrun: interrupted; the pages' Docker objects were removed")
		return exitEnv
	}
	code := exitOK
	var done []*outcome
	for _, o := range outs { // in page order, whatever order they ran in
		if o == nil {
			continue
		}
		done = append(done, o)
		if o.err != nil {
			code = exitEnv
		} else if o.failed() && code == exitOK {
			code = exitDrift
		}
	}
	if err := writeReport(cfg, done, stdout); err != nil {
		fmt.Fprintln(stderr, "labrun:", err)
		return exitEnv
	}
	return code
}

// courses runs the pages, which coursePages put course after course in
// reading order, one course at a time on one daemon.
func courses(ctx context.Context, cfg *config, e *env, pages []*blocks.Page) []*outcome {
	var outs []*outcome
	for len(pages) > 0 {
		section := filepath.Dir(filepath.Dir(pages[0].Path))
		n := 1
		for n < len(pages) && filepath.Dir(filepath.Dir(pages[n].Path)) == section {
			n++
		}
		outs = append(outs, runCourse(ctx, cfg, e, pages[:n])...)
		pages = pages[n:]
	}
	return outs
}

func (o *outcome) failed() bool {
	for _, r := range o.results {
		if r.Status.Failed() {
			return true
		}
	}
	return o.res != nil && o.res.Leaks != nil
}

func runPage(ctx context.Context, cfg *config, e *env, p *blocks.Page) *outcome {
	o, rec, inputs := prepare(cfg, e, p, cfg.force)
	if o.err != nil || o.note != "" {
		return o
	}
	res, err := run.Run(ctx, p, runOptions(cfg, e))
	if err != nil {
		o.err = err
		return o
	}
	return finish(cfg, e, o, rec, inputs, res)
}

func runOptions(cfg *config, e *env) run.Options {
	return run.Options{Docker: e.docker, WorkRoot: cfg.work, Env: os.Environ(), ReportStrays: cfg.jobs <= 1,
		JournalDir: journal.Dir(e.docker.DaemonHost())}
}

// runCourse runs a course's pages in one sequence, as a reader walking
// them in order (run.Sequence), and judges each page as runPage does.
func runCourse(ctx context.Context, cfg *config, e *env, pages []*blocks.Page) []*outcome {
	outs := make([]*outcome, len(pages))
	recs := make([]*record.Record, len(pages))
	inputs := make([]string, len(pages))
	for i, p := range pages {
		outs[i], recs[i], inputs[i] = prepare(cfg, e, p, true)
		if outs[i].err != nil {
			return outs[:i+1]
		}
	}
	opts := runOptions(cfg, e)
	opts.Course = true
	res, err := run.Sequence(ctx, pages, opts)
	if err != nil {
		outs[0].err = err
		return outs[:1]
	}
	for i := range pages {
		finish(cfg, e, outs[i], recs[i], inputs[i], res[i])
	}
	return outs
}

// prepare reads what a page's judgement needs: its record and the key of
// what its output depends on. A capture of a page whose key and blocks are
// those recorded is not needed unless force: the outcome's note says so.
func prepare(cfg *config, e *env, p *blocks.Page, force bool) (o *outcome, rec *record.Record, inputs string) {
	o = &outcome{page: p}
	rec, err := record.Load(p.Path)
	if err != nil {
		o.err = err
		return o, nil, ""
	}
	inputs, err = inputsHash(p, e)
	if err != nil {
		o.err = err
		return o, nil, ""
	}
	if cfg.cmd == "capture" && !force && rec != nil && rec.Inputs == inputs && rec.Shows(p) {
		o.note = "unchanged since capture (use -force to re-run)"
		return o, rec, inputs
	}
	if cfg.cmd == "verify" && rec != nil {
		o.envDiff = envChanges(rec, e)
	}
	return o, rec, inputs
}

// finish compares a run with the page and, for capture, writes it.
func finish(cfg *config, e *env, o *outcome, rec *record.Record, inputs string, res *run.Page) *outcome {
	p := o.page
	o.res = res
	for _, s := range res.Strays {
		o.envDiff = append(o.envDiff, fmt.Sprintf("%s appeared during the page but not through its docker commands (made through the socket directly, or by someone else): left alone", s))
	}
	if res.DaemonLost != nil {
		// It explains every failure at once, and is an environment
		// error, not drift.
		o.err = fmt.Errorf("%s:%d: %v (daemon %s): start it again and re-run; what the page made is removed by the next run or `labrun clean`",
			p.Path, p.Blocks[res.LostAt].Line, res.DaemonLost, e.docker.DaemonHost())
		o.results = compare(p, res, capturedOn(rec), e.facts)
		return o
	}
	o.results = compare(p, res, capturedOn(rec), e.facts)
	// Capture's job is to take the new output, but only where its meaning
	// changed: a block whose normalised output is the page's keeps the
	// page's text, so a capture elsewhere rewrites nothing it need not.
	changed := map[int]bool{}
	if cfg.cmd == "capture" {
		for i := range o.results {
			if o.results[i].Status == report.Drift {
				o.results[i].Status, o.results[i].Message = report.OK, "updated"
				changed[i] = true
			}
		}
	}
	if len(changed) > 0 && !mixable(p, res, changed, capturedOn(rec), e.facts) {
		// Kept and new text would disagree about which values are the
		// same: the whole page is taken from this run.
		for i, r := range res.Blocks {
			if r.Block.Kind == blocks.Console && r.Status == run.OK {
				changed[i] = true
			}
		}
	}
	if res.Leaks != nil {
		o.err = fmt.Errorf("%s: the page left Docker objects that could not be removed: %w", p.Path, res.Leaks)
	}
	if cfg.cmd == "capture" && !o.failed() && o.err == nil {
		if kept, err := capture(p, rec, res, changed, e, inputs); err != nil {
			o.err = err
		} else {
			o.note = fmt.Sprintf("captured: %d blocks kept, %d rewritten", kept, len(changed))
		}
	}
	return o
}

// mixable reports whether the page, with the changed blocks' new output
// and the others' old text, still compares equal to this run. Placeholders
// are numbered across the whole page: an ID that a kept block shows from
// the old capture and a rewritten block shows from this one would be two
// values where the run has one.
func mixable(p *blocks.Page, res *run.Page, changed map[int]bool, captured, now hostfacts.Facts) bool {
	nm, ng := normalize.New(), normalize.New()
	for _, f := range []hostfacts.Facts{captured, now} {
		for _, v := range f.Identifying() {
			nm.Known(v.Label, v.Text)
		}
	}
	for _, v := range now.Identifying() {
		ng.Known(v.Label, v.Text)
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

// compare sets each block's status: for verify, drift is a difference
// between the page and the run after normalisation. Each side has its own
// normaliser, fed in the same order, so placeholders line up when the
// structure is the same.
//
// Each side's own machine facts (hostfacts) become placeholders on that
// side: the kernel the capture machine printed against the kernel of this
// one.
func compare(p *blocks.Page, res *run.Page, captured, now hostfacts.Facts) []report.Result {
	nw, ng := normalize.New(), normalize.New()
	for _, v := range captured.Identifying() {
		nw.Known(v.Label, v.Text)
	}
	for _, v := range now.Identifying() {
		ng.Known(v.Label, v.Text)
	}
	var out []report.Result
	for i, r := range res.Blocks {
		b := r.Block
		rr := report.Result{Page: p.Path, Block: i, Line: b.Line, OutputLine: b.Line + 1, Title: b.Opts.Title,
			Status: report.Status(r.Status), Message: r.Message, Duration: r.Duration}
		if r.Status == run.NotRun {
			// Not run is not passed, whatever the kind of block.
			rr.Status, rr.Message = report.Skipped, "not run: "+cmp.Or(r.Message, "an earlier block failed")
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

// capture writes the output of the changed blocks into the page
// (atomically, and only if it changed) and the page's record beside it. It
// keeps every other block's text, and leaves the record alone when no
// block changed and the record already describes every block. It returns
// how many console blocks it kept.
func capture(p *blocks.Page, rec *record.Record, res *run.Page, changed map[int]bool, e *env, inputs string) (kept int, err error) {
	outputs := map[*blocks.Block]blocks.Output{}
	hosts := mirrorHosts()
	for i, r := range res.Blocks {
		if r.Block.Kind != blocks.Console || r.Status != run.OK {
			continue
		}
		if !changed[i] {
			kept++
			continue
		}
		o := blocks.Output{Leading: redactHosts(r.Output.Leading, hosts)}
		for _, c := range r.Output.Commands {
			o.Commands = append(o.Commands, redactHosts(c, hosts))
		}
		outputs[r.Block] = o
	}
	ran := make([]record.Ran, len(res.Blocks))
	for i, r := range res.Blocks {
		ran[i].Inside = r.Inside
		if r.Typed != nil {
			ran[i].Typed, ran[i].Cmd, ran[i].From = true, r.Typed.Cmd, r.Typed.From
		}
	}
	// A record that already says all this (and names the machine) is
	// left alone: nothing changed means nothing is written.
	if len(outputs) == 0 && rec != nil && rec.Host.Kernel != "" && reflect.DeepEqual(rec.Blocks, record.BlocksOf(p, ran)) {
		return kept, nil
	}
	np, rewritten, err := p.Rewrite(outputs)
	if err != nil {
		return kept, fmt.Errorf("%s: %w", p.Path, err)
	}
	if rewritten {
		info, err := os.Stat(p.Path)
		if err != nil {
			return kept, err
		}
		if err := atomicfile.Write(p.Path, np.Src, info.Mode().Perm()); err != nil {
			return kept, fmt.Errorf("%s: %w", p.Path, err)
		}
	}
	// The new page's blocks are the old ones with new output: same order.
	nrec := &record.Record{Page: filepath.ToSlash(p.Path), Captured: time.Now().UTC().Truncate(time.Second),
		DurationMS: res.Duration.Milliseconds(), Docker: e.versions, Host: e.facts, Images: usedImages(np, e.images),
		Blocks: record.BlocksOf(np, ran), Inputs: inputs}
	for _, b := range np.Blocks {
		switch b.Kind {
		case blocks.Skipped:
			nrec.Skipped++
		case blocks.Console:
			nrec.Ran++
		}
	}
	if rewritten {
		// The inputs include the page's blocks, which now hold new output.
		if nrec.Inputs, err = inputsHash(np, e); err != nil {
			return kept, err
		}
	}
	return kept, nrec.Save()
}

// usedImages are the lab images whose names the page's blocks mention.
func usedImages(p *blocks.Page, all []record.Image) []record.Image {
	text := p.RunText()
	out := []record.Image{}
	for _, im := range all {
		repo := im.Name[:strings.LastIndex(im.Name, ":")]
		re := regexp.MustCompile(`(?m)(?:^|[\s=/"'])` + regexp.QuoteMeta(repo) + `(?::[\w.-]+)?(?:$|[\s"'])`)
		if re.MatchString(text) {
			out = append(out, im)
		}
	}
	return out
}

// inputsHash covers what a page's output depends on: its blocks, the
// bundle's files, the engine version, the lab images' IDs and the host
// facts that change what the engine does (hostfacts.Facts.Key).
func inputsHash(p *blocks.Page, e *env) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "engine %s\n", e.versions.Engine)
	fmt.Fprintf(h, "host %s\n", e.facts.Key())
	for _, im := range usedImages(p, e.images) {
		fmt.Fprintf(h, "image %s %s\n", im.Name, im.ID)
	}
	for _, b := range p.Blocks {
		fmt.Fprintf(h, "block %s %s %v\n", b.Hash(), b.Lang, b.Attrs)
	}
	bundle := filepath.Dir(p.Path)
	err := filepath.WalkDir(bundle, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(bundle, path)
		if d.IsDir() || rel == filepath.Base(p.Path) || rel == record.FileName {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		fmt.Fprintf(h, "file %s %x\n", filepath.ToSlash(rel), sum)
		return nil
	})
	return hex.EncodeToString(h.Sum(nil)), err
}

// envChanges lists what differs in the environment since the capture.
func envChanges(rec *record.Record, e *env) []string {
	var out []string
	if rec.Docker.Engine != e.versions.Engine {
		out = append(out, fmt.Sprintf("engine %s at capture, %s now", rec.Docker.Engine, e.versions.Engine))
	}
	if was, now := rec.Host.Key(), e.facts.Key(); rec.Host.Kernel != "" && was != now {
		out = append(out, fmt.Sprintf("host %s at capture, %s now", was, now))
	}
	now := map[string]string{}
	for _, im := range e.images {
		now[im.Name] = im.ID
	}
	for _, im := range rec.Images {
		switch id, ok := now[im.Name]; {
		case !ok:
			out = append(out, fmt.Sprintf("image %s is gone (run make images)", im.Name))
		case id != im.ID:
			out = append(out, fmt.Sprintf("image %s changed: %s at capture, %s now", im.Name, short(im.ID), short(id)))
		}
	}
	return out
}

func short(id string) string {
	id = strings.TrimPrefix(id, "sha256:")
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
