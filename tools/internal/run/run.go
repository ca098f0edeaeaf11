// Package run executes one page: its blocks, in document order, in the
// page's named terminals, in a fresh work folder holding the page bundle's
// files. It returns what every block's terminal showed. It writes nothing
// into the page: capture, verify and report are the caller's.
package run

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/labdocs/dockerlab/tools/internal/bundle"

	"github.com/docker/docker/client"

	"github.com/labdocs/dockerlab/tools/internal/blocks"
	"github.com/labdocs/dockerlab/tools/internal/inventory"
	"github.com/labdocs/dockerlab/tools/internal/journal"
	"github.com/labdocs/dockerlab/tools/internal/terminal"
	"github.com/labdocs/dockerlab/tools/internal/tracker"
)

// DefaultTimeout bounds a block without a timeout attribute.
const DefaultTimeout = 2 * time.Minute

// Status of a block after a run.
type Status string

const (
	OK      Status = "ok"
	Failed  Status = "fail"
	Timeout Status = "timeout"
	Skipped Status = "skipped"
	NotRun  Status = "not run" // an earlier block failed
)

// Block is what one block did.
type Block struct {
	Block   *blocks.Block
	Status  Status
	Message string        // why it failed, with what to do
	Output  blocks.Output // what the terminal showed (console blocks)
	Inside  string        // container whose shell the block ran in
	// Typed is where the echo of the block's input= and keys= starts in
	// Output: what follows was typed by the reader, then answered.
	Typed    *Typed
	Duration time.Duration
}

// Typed points into a block's Output at the first line of its
// interaction: line From of command Cmd's output, or of the leading
// output when Cmd is -1.
type Typed struct {
	Cmd, From int
}

// Page is the outcome of running one page.
type Page struct {
	Page     *blocks.Page
	Blocks   []Block
	Duration time.Duration
	Leaks    error // objects the page made that could not be removed
	// Strays appeared while the page ran but not through its docker
	// commands (made straight through the socket, or by someone else at
	// the same time). They are left alone and reported.
	Strays []string
	// DaemonLost (wrapping ErrDaemonLost) says the daemon stopped or
	// restarted while block LostAt ran; the blocks after it did not run.
	DaemonLost error
	LostAt     int
}

// Failed reports whether any block failed.
func (p *Page) Failed() bool {
	for _, b := range p.Blocks {
		if b.Status == Failed || b.Status == Timeout {
			return true
		}
	}
	return false
}

// Options for a run.
type Options struct {
	Docker client.APIClient
	// WorkRoot holds the pages' work folders; each page gets
	// WorkRoot/<bundle name>, emptied first.
	WorkRoot string
	Env      []string // environment of the terminals' shells
	// ReportStrays: list objects that appeared during the page without
	// the page making them. Only meaningful when no other page runs on
	// the daemon at the same time.
	ReportStrays bool
	// JournalDir holds the page's journal (package journal), so that a
	// runner killed mid-page leaves its objects recognisable. Empty: no
	// journal.
	JournalDir string
	// Course: the pages are read as one course, in order (Sequence), so
	// blocks marked alone= (a page's "If you start here" part, which such
	// a reader skips) do not run.
	Course bool
}

// ErrConflict is returned (wrapped) when a page would reuse the name of a
// Docker object that it did not make.
var ErrConflict = errors.New("name already in use")

// Run executes page p. Errors are about the environment (no daemon, a name
// conflict, an unusable work folder): then no block ran. Block failures are
// in the result.
func Run(ctx context.Context, p *blocks.Page, o Options) (*Page, error) {
	res, err := Sequence(ctx, []*blocks.Page{p}, o)
	if err != nil {
		return nil, err
	}
	return res[0], nil
}

// Sequence runs pages one after the other as one reader walking them in
// order (a course, see Options.Course): the terminals stay open from page
// to page, so a shell left inside a container is still there, and nothing
// a page made is removed before the last page ended, so each page meets
// the containers, networks, volumes and images the pages before it left.
// Each page's files are in its own work folder, where a terminal at the
// host's prompt moves when the page starts, as a reader opens the step's
// folder. A page that fails stops the reader: the pages after it do not
// run. Leaks and strays are reported on the last page.
func Sequence(ctx context.Context, pages []*blocks.Page, o Options) ([]*Page, error) {
	started := time.Now()
	before, err := inventory.Take(ctx, o.Docker)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", pages[0].Path, err)
	}
	var names []Name
	works := make([]string, len(pages))
	builds := false
	for i, p := range pages {
		pn := Names(p) // read once: the bundle's files are read for it
		if err := checkNames(p, pn, before); err != nil {
			return nil, err
		}
		names = append(names, pn...)
		if works[i], err = prepareWork(p, o.WorkRoot); err != nil {
			return nil, err
		}
		builds = builds || Builds(p)
	}
	var jr *journal.Journal
	if o.JournalDir != "" {
		if jr, err = journal.Open(o.JournalDir, pages[0].Path); err != nil {
			return nil, fmt.Errorf("%s: %w", pages[0].Path, err)
		}
		for _, n := range names {
			switch {
			case n.Kind == "container" || n.Kind == "network" || n.Kind == "volume",
				// An image name the daemon has no tag of yet: BuildKit
				// tags inside the daemon, where the tracker cannot see.
				n.Kind == "image" && !hasRepo(before.Refs, n.Value):
				if err := jr.Name(n.Kind, n.Value); err != nil {
					jr.Discard()
					return nil, err
				}
			}
		}
	}
	// Build cache the page's builds leave would make a later run print
	// CACHED where a first-time reader sees the step run: it is recorded
	// before and removed after, by ID.
	var cacheBefore map[string]time.Time
	if builds {
		if cacheBefore, err = inventory.BuildCache(ctx, o.Docker); err != nil {
			if jr != nil {
				jr.Discard()
			}
			return nil, fmt.Errorf("%s: %w", pages[0].Path, err)
		}
	}
	// The tracker's socket sits beside the work folder, not in it: the
	// reader's `ls` must not show it.
	var rec tracker.Recorder
	if jr != nil {
		rec = newRefs{jr, before.Refs}
	}
	tr, err := tracker.Start(works[0]+".docker.sock", o.Docker.DaemonHost(), rec)
	if err != nil {
		if jr != nil {
			jr.Discard()
		}
		return nil, err
	}
	r := &runner{env: append(dockerEnv(o.Env), "DOCKER_HOST="+tr.Host()), course: o.Course,
		docker: o.Docker, terms: map[string]*terminal.Terminal{}}
	out := make([]*Page, len(pages))
	watch := watchDaemon(ctx, o.Docker)
	for i, p := range pages {
		t0 := time.Now()
		res := &Page{Page: p}
		out[i] = res
		r.page, r.work = p, works[i]
		var entered error
		if r.stuck == "" {
			if entered = r.enter(ctx); entered != nil {
				r.stuck = entered.Error()
			}
		}
		res.Blocks, res.LostAt, res.DaemonLost = r.all(ctx, watch)
		res.Duration = time.Since(t0)
		if entered != nil {
			// The page could not start: its first block that would have
			// run fails with why (a skipped block would hide it).
			for j := range res.Blocks {
				if res.Blocks[j].Status == NotRun {
					res.Blocks[j].Status = Failed
					break
				}
			}
		}
		if r.stuck == "" && (res.Failed() || res.DaemonLost != nil) {
			r.stuck = "an earlier page of the course failed: a reader would be stuck there"
		}
	}
	watch.stop()
	r.close()
	tr.Close()

	// Clean up even when ctx was cancelled (Ctrl-C): a fresh context.
	last := out[len(out)-1]
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	after, err := inventory.Take(cctx, o.Docker)
	if err != nil {
		last.Leaks = fmt.Errorf("cannot list objects after the page, some may be left: %w", err)
	} else {
		diff := before.Since(after)
		made := inventory.Snapshot{}
		for _, p := range pages {
			made = made.Union(pageMade(p, names, tr.Created(), diff, bundle.Of(p.Path).WorkName()))
		}
		if !made.Empty() {
			if err := inventory.Remove(cctx, o.Docker, made); err != nil {
				last.Leaks = err
			}
		}
		if o.ReportStrays {
			last.Strays = strays(diff, made)
		}
	}
	if cacheBefore != nil && last.Leaks == nil {
		if err := removeNewCache(cctx, o.Docker, cacheBefore); err != nil {
			last.Leaks = err
		}
	}
	if err := tr.Err(); err != nil && last.Leaks == nil {
		last.Leaks = fmt.Errorf("the page's journal could not be written: %w", err)
	}
	if jr != nil {
		if last.Leaks == nil {
			jr.Close()
		} else {
			jr.Keep() // the next run, or labrun clean, finishes the job
		}
	}
	if len(pages) == 1 {
		last.Duration = time.Since(started) // the page's share of set-up and clean-up too
	}
	return out, nil
}

// dockerEnv drops the variables that would point the page's docker CLI
// elsewhere than the tracker.
func dockerEnv(env []string) []string {
	var out []string
	for _, kv := range env {
		if strings.HasPrefix(kv, "DOCKER_HOST=") || strings.HasPrefix(kv, "DOCKER_CONTEXT=") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

// pageMade is what cleanup removes. Containers, networks and volumes come
// from the tracker, which saw the page create them. Images built by
// BuildKit are tagged inside the daemon where the tracker cannot see it,
// so new references are taken from the snapshot too, but only those the
// page names (or its Compose project's), so that an image someone else
// tagged meanwhile is left alone; new untagged images (a rebuilt tag's
// old image) are the page's. Likewise a new container, network or volume
// the tracker did not see (made with curl straight to the socket, and the
// page interrupted before it removed it) is the page's if the page names
// it.
func pageMade(p *blocks.Page, names []Name, c tracker.Created, diff inventory.Snapshot, project string) inventory.Snapshot {
	made := inventory.Snapshot{Containers: map[string]string{}, Networks: map[string]string{},
		Volumes: map[string]string{}, Images: map[string]string{}, Refs: map[string]string{}}
	for _, id := range c.Containers {
		made.Containers[id] = id
	}
	for _, id := range c.Networks {
		made.Networks[id] = id
	}
	for _, v := range c.Volumes {
		made.Volumes[v] = v
	}
	for _, ref := range c.Refs {
		made.Refs[ref] = ref
	}
	for _, id := range c.Images {
		made.Images[id] = id
	}
	named := map[string]map[string]bool{"container": {}, "network": {}, "volume": {}}
	for _, n := range names {
		if m, ok := named[n.Kind]; ok {
			m[n.Value] = true
		}
	}
	for kind, objs := range pairByKind(diff, made) {
		for id, name := range objs[0] {
			if named[kind][name] {
				objs[1][id] = name
			}
		}
	}
	text := p.RunText()
	for ref, id := range diff.Refs {
		repo := inventory.Repo(ref)
		if strings.Contains(text, repo) || strings.HasPrefix(repo, project+"-") {
			made.Refs[ref] = id
		}
	}
	for id, name := range diff.Images {
		if !strings.Contains(name, ":") {
			made.Images[id] = name // untagged
		}
	}
	return made
}

// hasRepo reports whether refs has a tag of repo.
func hasRepo(refs map[string]string, repo string) bool {
	for ref := range refs {
		if inventory.Repo(ref) == repo {
			return true
		}
	}
	return false
}

type runner struct {
	page   *blocks.Page
	work   string
	course bool   // Options.Course
	stuck  string // why the pages after a failed one do not run (Sequence)
	env    []string
	docker client.APIClient
	terms  map[string]*terminal.Terminal
	order  []string
}

// all runs the blocks in order. A failing block stops the page; so does a
// daemon that went away, which all reports with the block it happened in.
func (r *runner) all(ctx context.Context, watch *daemonWatch) ([]Block, int, error) {
	var out []Block
	failed := false
	lostAt, lost := -1, error(nil)
	for i, b := range r.page.Blocks {
		res := Block{Block: b}
		switch {
		case b.Kind == blocks.Skipped:
			res.Status = Skipped
			res.Message = b.Opts.Skip
		case r.course && b.Opts.Alone:
			res.Status = Skipped
			res.Message = "alone: runs only when the page is read on its own, not in the course"
			res.Output = b.Output()
		case failed || ctx.Err() != nil || r.stuck != "":
			res.Status, res.Message = NotRun, r.stuck
			res.Output = b.Output() // keep what the page has
		case b.Kind == blocks.File:
			res.Status = OK
			if err := r.writeFile(b); err != nil {
				res.Status, res.Message = Failed, err.Error()
			}
		default:
			t0 := time.Now()
			res = r.console(ctx, b)
			res.Duration = time.Since(t0)
		}
		if res.Status == Failed || res.Status == Timeout {
			failed = true
		}
		if lost == nil && (res.Status == Failed || res.Status == Timeout || watch.lost() != nil) {
			if err := watch.settle(ctx, r.docker); err != nil {
				lostAt, lost = i, err
				res.Status, res.Message = Failed, err.Error()
				failed = true
			}
		}
		out = append(out, res)
	}
	return out, lostAt, lost
}

// enter moves each terminal at the host's prompt to the work folder of
// the page about to run (r.page), as a reader opens the step's folder.
// The cd is not shown: the next block shows only its own output.
func (r *runner) enter(ctx context.Context) error {
	for _, name := range r.order {
		t := r.terms[name]
		if t.Inside() != "" || t.Running() {
			continue
		}
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		res, err := t.Run(ctx, "cd "+shellQuote(r.work), terminal.RunOptions{})
		cancel()
		if err == nil && (res.TimedOut || res.Status != 0) {
			err = fmt.Errorf("exit status %d", res.Status)
		}
		if err != nil {
			return fmt.Errorf("%s: moving terminal %s to the page's work folder: %w", r.page.Path, name, err)
		}
	}
	return nil
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func (r *runner) close() {
	for _, name := range r.order {
		r.terms[name].Close()
	}
}

// writeFile writes a file block into the work folder, exactly as the page
// shows it, with the line ending a file needs.
func (r *runner) writeFile(b *blocks.Block) error {
	path := filepath.Join(r.work, filepath.FromSlash(b.Opts.File))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	mode := b.Opts.Mode
	if mode == 0 {
		mode = 0o644
	}
	text := b.Text
	if text != "" && !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	if err := os.WriteFile(path, []byte(text), mode); err != nil {
		return err
	}
	return os.Chmod(path, mode)
}

func (r *runner) terminal(name string) (*terminal.Terminal, error) {
	if t, ok := r.terms[name]; ok {
		return t, nil
	}
	t, err := terminal.Open(name, r.work, r.env)
	if err != nil {
		return nil, err
	}
	r.terms[name] = t
	r.order = append(r.order, name)
	return t, nil
}

func (r *runner) console(ctx context.Context, b *blocks.Block) Block {
	res := Block{Block: b, Status: OK}
	fail := func(st Status, format string, args ...any) Block {
		res.Status = st
		res.Message = fmt.Sprintf(format, args...)
		return res
	}
	term, err := r.terminal(b.Opts.Term)
	if err != nil {
		return fail(Failed, "%v", err)
	}
	res.Inside = term.Inside()
	timeout := b.Opts.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	res.Output.Commands = make([][]string, len(b.Commands))

	// A block without commands shows what its terminal printed since it
	// was last shown: a listener's received message, say.
	if len(b.Commands) == 0 {
		lines, err := term.Show(ctx, b.Opts.Wait)
		res.Output.Leading = lines
		if err != nil {
			return fail(timeoutOr(ctx), "%v; the terminal showed:\n%s", err, strings.Join(lines, "\n"))
		}
	}
	for i, c := range b.Commands {
		last := i == len(b.Commands)-1
		opts := terminal.RunOptions{}
		// shell="open" marks the block's last host command as the one
		// that opens a shell; "none" turns the guess off for the block.
		if (b.Opts.Shell == "open" && i == lastHost(b)) || (b.Opts.Shell == "" && opensShell(c.Text)) {
			opts.OpensShell, opts.Inside = true, containerOf(c.Text)
		}
		if last && keepsRunning(b) {
			opts.Ready = r.ready(b)
		}
		out, err := term.Run(ctx, c.Text, opts)
		res.Output.Commands[i] = out.Lines
		switch {
		case err != nil:
			return fail(Failed, "%s: %v", c.Text, err)
		case out.TimedOut:
			return fail(Timeout, "timed out after %s running %q (pressed Ctrl-C); it printed:\n%s", timeout, c.Text, strings.Join(out.Lines, "\n"))
		case out.Running:
			more, err := r.afterStart(ctx, term, b)
			res.Output.Commands[i] = append(res.Output.Commands[i], more...)
			if err != nil {
				return fail(timeoutOr(ctx), "%q did not become ready: %v; it printed:\n%s", c.Text, err, strings.Join(res.Output.Commands[i], "\n"))
			}
		case opts.OpensShell && !out.Opened:
			// The commands after it would run on the host instead.
			return fail(Failed, "%q was to open a shell, but it ended with status %d and no shell prompted; it printed:\n%s",
				c.Text, out.Status, strings.Join(out.Lines, "\n"))
		case opts.OpensShell:
		case last && out.Status != b.Opts.Exit:
			return fail(Failed, "%q exited with status %d, the page expects %d (set exit=%d on the block if that is right)", c.Text, out.Status, b.Opts.Exit, out.Status)
		case !last && out.Status != 0:
			return fail(Failed, "%q exited with status %d; only a block's last command may fail (put it last and set exit=%d)", c.Text, out.Status, out.Status)
		}
	}
	// Typed input and keys go to whatever runs in the terminal now.
	if len(b.Given(blocks.Interaction)) > 0 {
		more, err := r.interact(ctx, term, b)
		if n := len(b.Commands); n > 0 {
			res.Typed = &Typed{Cmd: n - 1, From: len(res.Output.Commands[n-1])}
			res.Output.Commands[n-1] = append(res.Output.Commands[n-1], more...)
		} else {
			res.Typed = &Typed{Cmd: -1, From: len(res.Output.Leading)}
			res.Output.Leading = append(res.Output.Leading, more...)
		}
		if err != nil {
			return fail(timeoutOr(ctx), "%v", err)
		}
	}
	return res
}

func timeoutOr(ctx context.Context) Status {
	if ctx.Err() != nil {
		return Timeout
	}
	return Failed
}

// prepareWork makes an empty work folder holding the bundle's files.
func prepareWork(p *blocks.Page, root string) (string, error) {
	if root == "" {
		root = filepath.Join(os.TempDir(), "labrun-work")
	}
	b := bundle.Of(p.Path)
	work := filepath.Join(root, b.WorkName())
	if err := os.RemoveAll(work); err != nil {
		return "", err
	}
	err := os.MkdirAll(work, 0o755)
	if err == nil {
		err = b.CopyTo(work)
	}
	if err != nil {
		return "", fmt.Errorf("%s: preparing the work folder: %w", p.Path, err)
	}
	return work, nil
}

// lastHost is the index of the block's last command typed at a "$" prompt.
func lastHost(b *blocks.Block) int {
	last := len(b.Commands) - 1
	for i, c := range b.Commands {
		if c.Prompt == "$" {
			last = i
		}
	}
	return last
}

// strays are the containers, networks and volumes in diff that the page
// was not seen making.
func strays(diff, made inventory.Snapshot) []string {
	var out []string
	for kind, m := range pairByKind(diff, made) {
		for id, name := range m[0] {
			if _, ok := m[1][id]; !ok {
				out = append(out, kind+" "+name)
			}
		}
	}
	sort.Strings(out)
	return out
}

// pairByKind pairs the containers, networks and volumes (id → name) of two
// snapshots, by kind.
func pairByKind(a, b inventory.Snapshot) map[string][2]map[string]string {
	return map[string][2]map[string]string{
		"container": {a.Containers, b.Containers},
		"network":   {a.Networks, b.Networks},
		"volume":    {a.Volumes, b.Volumes},
	}
}
