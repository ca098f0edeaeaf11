package check

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/labdocs/dockerlab/tools/internal/blocks"
	"github.com/labdocs/dockerlab/tools/internal/bundle"
	"github.com/labdocs/dockerlab/tools/internal/hostfacts"
	"github.com/labdocs/dockerlab/tools/internal/record"
	"github.com/labdocs/dockerlab/tools/internal/report"
	"github.com/labdocs/dockerlab/tools/internal/run"
)

// These tests reach the core without a daemon: runs are built by hand,
// as package run would return them.

// writeBundle writes a page bundle into a fresh folder and reads its page.
func writeBundle(t *testing.T, src string, perm os.FileMode) *blocks.Page {
	t.Helper()
	path := filepath.Join(t.TempDir(), "content", "page", "index.md")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(src), perm); err != nil {
		t.Fatal(err)
	}
	return reread(t, path)
}

// reread reads and parses the page at path, as the next command would.
func reread(t *testing.T, path string) *blocks.Page {
	t.Helper()
	var p *blocks.Page
	src, err := os.ReadFile(path)
	if err == nil {
		p, err = blocks.Parse(path, src)
	}
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// ran is a run of p in which every console block printed outputs[i] for
// its i-th command, and every other block did what status says.
func ran(p *blocks.Page, status run.Status, outputs ...[]string) *run.Page {
	res := &run.Page{Page: p}
	k := 0
	for _, b := range p.Blocks {
		r := run.Block{Block: b, Status: status, Output: b.Output()}
		switch b.Kind {
		case blocks.Skipped:
			r.Status, r.Message = run.Skipped, b.Opts.Skip
		case blocks.Console:
			r.Status = run.OK
			r.Output = blocks.Output{}
			for range b.Commands {
				r.Output.Commands = append(r.Output.Commands, outputs[k])
				k++
			}
		}
		res.Blocks = append(res.Blocks, r)
	}
	return res
}

var here = hostfacts.Facts{Kernel: "6.1.0-9-amd64", Hostname: "here", OS: "Debian GNU/Linux 12 (bookworm)"}

func env() *Env {
	return &Env{Versions: record.Versions{Engine: "20.10.24"}, Facts: here}
}

func statuses(rs []report.Result) []report.Status {
	var out []report.Status
	for _, r := range rs {
		out = append(out, r.Status)
	}
	return out
}

const twoBlocks = "```console\n$ echo one\none\n```\n\n```console\n$ uname -r\n6.1.0-9-amd64\n```\n"

func TestCompareDriftAndNoDrift(t *testing.T) {
	p := writeBundle(t, twoBlocks, 0o644)
	// The same output, and the kernel of another machine: no drift.
	there := here
	there.Kernel = "6.8.0-1017-azure"
	got := compare(p, ran(p, run.OK, []string{"one"}, []string{there.Kernel}), here, there)
	if s := statuses(got); s[0] != report.OK || s[1] != report.OK {
		t.Fatalf("same output: %v\n%+v", s, got)
	}
	// Another line is drift, at the block's line.
	got = compare(p, ran(p, run.OK, []string{"two"}, []string{here.Kernel}), here, here)
	if s := statuses(got); s[0] != report.Drift || s[1] != report.OK || got[0].Line != 1 {
		t.Fatalf("changed output: %v\n%+v", s, got)
	}
	if c := report.Count(got); c.Failed != 1 || c.Passed != 1 {
		t.Errorf("counts %v", c)
	}
}

// A file block that did not run, because an earlier block failed or
// because it is left out of a course, is skipped, never passed.
func TestFileBlockNotRunIsNotPassed(t *testing.T) {
	p := writeBundle(t, "```text {file=\"a.txt\"}\na\n```\n\n```text {file=\"b.txt\" alone=true}\nb\n```\n", 0o644)
	res := ran(p, run.OK)
	res.Blocks[0].Status, res.Blocks[0].Message = run.NotRun, ""
	res.Blocks[1].Status, res.Blocks[1].Message = run.Skipped, "alone: runs only when the page is read on its own"
	got := compare(p, res, here, here)
	for i, r := range got {
		if r.Status != report.Skipped {
			t.Errorf("block %d: %s, want skipped", i, r.Status)
		}
	}
	if got[0].Message != "not run: an earlier block failed" {
		t.Errorf("message %q", got[0].Message)
	}
	if c := report.Count(got); c.Passed != 0 || c.Skipped != 2 {
		t.Errorf("counts %v", c)
	}
	// Every status a block can have says what it is.
	for s, want := range map[run.Status]report.Status{run.OK: report.OK, run.Failed: report.Fail, run.Timeout: report.Timeout, run.Skipped: report.Skipped, run.NotRun: report.Skipped} {
		if got := status(s); got != want {
			t.Errorf("status(%q) = %q, want %q", s, got, want)
		}
	}
}

// Capture writes the page by replacing it whole (a reader of the old
// file reads the old page to its end), keeps its mode, leaves no
// temporary file, rewrites only the block that changed and saves the
// record; a verify of the same run then passes.
func TestCaptureWritesThePageWhole(t *testing.T) {
	const src = "```console\n$ echo one\none\n```\n\n```console\n$ echo two\nstale\n```\n"
	p := writeBundle(t, src, 0o600)
	old, err := os.Open(p.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	e := env()
	c := &Checker{Mode: Capture{}}
	res := ran(p, run.OK, []string{"one"}, []string{"two"})
	o := c.finish(e, c.prepare(e, p), res)
	if o.Err != nil || o.Failed() || o.Note != "captured: 1 blocks kept, 1 rewritten" {
		t.Fatalf("capture: %v %q %+v", o.Err, o.Note, o.Results)
	}
	want := strings.Replace(src, "stale", "two", 1)
	if got, _ := os.ReadFile(p.Path); string(got) != want {
		t.Fatalf("page:\n%s\nwant:\n%s", got, want)
	}
	if before, _ := io.ReadAll(old); string(before) != src {
		t.Errorf("the old file was written in place: %q", before)
	}
	if info, err := os.Stat(p.Path); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, %v", info.Mode(), err)
	}
	entries, _ := os.ReadDir(filepath.Dir(p.Path))
	var names []string
	for _, d := range entries {
		names = append(names, d.Name())
	}
	if strings.Join(names, " ") != "index.md labrun.json" {
		t.Errorf("the bundle holds %v", names)
	}
	rec, err := record.Load(p.Path)
	if err != nil || rec == nil || rec.Host.Kernel != here.Kernel || rec.Ran != 2 {
		t.Fatalf("record %+v, %v", rec, err)
	}
	np := reread(t, p.Path)
	if !rec.Shows(np) {
		t.Error("the record is not of the captured page")
	}
	v := &Checker{Mode: Verify{}}
	if o := v.finish(e, v.prepare(e, np), ran(np, run.OK, []string{"one"}, []string{"two"})); o.Failed() || o.Err != nil {
		t.Errorf("verify after capture: %v %+v", o.Err, o.Results)
	}
	// Captured again with nothing changed, the page does not run.
	if o := c.prepare(e, np); !strings.Contains(o.Note, "unchanged since capture") {
		t.Errorf("second capture: %q", o.Note)
	}
}

// The inputs key changes with a file of the bundle, and not with the
// record beside the page.
func TestInputsKeyFollowsTheBundle(t *testing.T) {
	p := writeBundle(t, "```console\n$ cat Dockerfile\n```\n", 0o644)
	dir := filepath.Dir(p.Path)
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	key := func() string {
		t.Helper()
		k, _, err := inputsKey(p, env())
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	write("Dockerfile", "FROM debian\n")
	k1 := key()
	write(record.FileName, "{}\n")
	if key() != k1 {
		t.Error("the record changed the key")
	}
	write("Dockerfile", "FROM debian:12\n")
	k2 := key()
	if k2 == k1 {
		t.Error("a changed bundle file kept the key")
	}
	e := env()
	e.Versions.Engine = "28.0.0"
	if k, _, _ := inputsKey(p, e); k == k2 {
		t.Error("another engine kept the key")
	}
}

// The hosts this machine's apt sources name never reach the page, and
// a capture with them verifies.
func TestMirrorHostsAreRedacted(t *testing.T) {
	hosts := mirrorHosts()
	if len(hosts) == 0 {
		t.Skip("this machine's apt sources name no host")
	}
	p := writeBundle(t, "```console\n$ apt-get update\n```\n", 0o644)
	// The host is built at run time so that no file names it.
	line := "Get:1 http://" + hosts[0] + "/debian bookworm InRelease"
	e := env()
	c := &Checker{Mode: Capture{}}
	if o := c.finish(e, c.prepare(e, p), ran(p, run.OK, []string{line})); o.Err != nil || o.Failed() {
		t.Fatalf("capture: %v %+v", o.Err, o.Results)
	}
	got, _ := os.ReadFile(p.Path)
	if strings.Contains(string(got), hosts[0]) || !strings.Contains(string(got), "http://<mirror>/debian") {
		t.Fatalf("captured:\n%s", got)
	}
	np := reread(t, p.Path)
	if r := compare(np, ran(np, run.OK, []string{line}), here, here); r[0].Status != report.OK {
		t.Errorf("verify: %+v", r[0])
	}
}

// A capture whose page fails writes nothing, so a block that differs is
// reported as drift, not as updated.
func TestCaptureOfAFailedPageUpdatesNothing(t *testing.T) {
	const src = "```console\n$ echo one\nstale\n```\n\n```console\n$ false\n```\n"
	p := writeBundle(t, src, 0o644)
	e := env()
	c := &Checker{Mode: Capture{}}
	res := ran(p, run.OK, []string{"one"}, nil)
	res.Blocks[1].Status, res.Blocks[1].Message = run.Failed, "exited with status 1"
	o := c.finish(e, c.prepare(e, p), res)
	if s := statuses(o.Results); s[0] != report.Drift || s[1] != report.Fail {
		t.Errorf("statuses %v, want drift then fail: %+v", s, o.Results)
	}
	if got, _ := os.ReadFile(p.Path); string(got) != src {
		t.Errorf("a failed capture wrote the page:\n%s", got)
	}
}

// Output that shows the lab images' bookkeeping fails at its file:line:
// verify judges the page's text, capture the run's, which it then does
// not write; a capture whose run no longer shows it replaces the page's.
func TestStandInMarksFail(t *testing.T) {
	const src = "```console\n$ echo one\none\n```\n\n```console\n$ docker inspect debian\n[\n  \"org.labdocs.recipe\": \"debian\"\n]\n```\n"
	inspect := []string{"[", `  "org.labdocs.recipe": "debian"`, "]"}
	clean := []string{"[", `  "Cmd": ["bash"]`, "]"}
	p := writeBundle(t, src, 0o644)
	e := env()

	v := &Checker{Mode: Verify{}}
	o := v.finish(e, v.prepare(e, p), ran(p, run.OK, []string{"one"}, inspect))
	if s := statuses(o.Results); s[0] != report.OK || s[1] != report.Fail {
		t.Fatalf("verify: statuses %v, want ok then fail: %+v", s, o.Results)
	}
	var out strings.Builder
	Report(&out, []*Outcome{o}, ReportOptions{})
	if want := p.Path + ":9: fail: the page shows \"org.labdocs\""; !strings.Contains(out.String(), want) {
		t.Errorf("verify's report lacks %q:\n%s", want, out.String())
	}

	c := &Checker{Mode: Capture{}}
	o = c.finish(e, c.prepare(e, p), ran(p, run.OK, []string{"labimages: built"}, clean))
	if s := statuses(o.Results); s[0] != report.Fail || o.Results[0].Line != 3 || !strings.Contains(o.Results[0].Message, `the run printed "labimages"`) {
		t.Fatalf("capture of a run that prints a mark: %v %+v", s, o.Results)
	}
	if got, _ := os.ReadFile(p.Path); string(got) != src {
		t.Errorf("a capture whose run shows a mark wrote the page:\n%s", got)
	}

	o = c.finish(e, c.prepare(e, p), ran(p, run.OK, []string{"one"}, clean))
	if o.Err != nil || o.Failed() {
		t.Fatalf("capture of a clean run: %v %+v", o.Err, o.Results)
	}
	np := reread(t, p.Path)
	if o := v.finish(e, v.prepare(e, np), ran(np, run.OK, []string{"one"}, clean)); o.Failed() {
		t.Errorf("verify after the clean capture: %+v", o.Results)
	}
}

// A page uses the images its blocks and bundle files name, as NAME:TAG or
// as a bare NAME (Docker's NAME:latest), and not the other tags the same
// image has, nor those of a block that is not run.
func TestUsedImagesAreTheNamedOnes(t *testing.T) {
	p := writeBundle(t, "# P\n\n```console\n$ docker run --rm debian cat /etc/debian_version\n13.8\n$ docker tag registry:3 localhost:5000/registry:3\n```\n\n"+
		"```dockerfile {file=\"Dockerfile\"}\nARG BASE=node:24\nFROM ${BASE}\n```\n\n"+
		"```console {skip=\"not run\"}\n$ docker run busybox:1.37\n```\n", 0o644)
	// A Compose file of the bundle names its images too.
	if err := os.WriteFile(filepath.Join(filepath.Dir(p.Path), "compose.yaml"), []byte("services:\n  db:\n    image: \"redis:8\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var all []record.Image
	for _, n := range []string{"busybox:1.37", "debian:13", "debian:bookworm", "debian:latest", "debian:trixie", "node:24", "redis:8", "redis:latest", "registry:3", "registry:latest"} {
		all = append(all, record.Image{Name: n})
	}
	files, err := bundle.Of(p.Path).Files()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, im := range usedImages(p, files, all) {
		got = append(got, im.Name)
	}
	if want := []string{"debian:latest", "node:24", "redis:8", "registry:3"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("used images = %v, want %v", got, want)
	}
}

// On the machine that captured it, a page whose inputs moved (here a
// bundle file) but whose output did not gets its record's key renewed, so
// that the next capture does not run it again. On another machine the
// record stays as it is (its key holds the capturing machine's facts).
func TestCaptureRenewsTheKeyOnItsMachine(t *testing.T) {
	p := writeBundle(t, "```console\n$ echo one\none\n```\n", 0o644)
	e := env()
	c := &Checker{Mode: Capture{}}
	capture := func(e *Env) *Outcome {
		t.Helper()
		p := reread(t, p.Path)
		o := c.prepare(e, p)
		if o.Note == "" {
			o = c.finish(e, o, ran(p, run.OK, []string{"one"}))
		}
		if o.Err != nil || o.Failed() {
			t.Fatalf("capture: %v %+v", o.Err, o.Results)
		}
		return o
	}
	capture(e)
	if err := os.WriteFile(filepath.Join(filepath.Dir(p.Path), "app.txt"), []byte("edited\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	elsewhere := env()
	elsewhere.Facts.Kernel, elsewhere.Facts.Hostname = "6.12.0-1-amd64", "there"
	before, _ := os.ReadFile(record.PathFor(p.Path))
	if o := capture(elsewhere); o.Note != "captured: 1 blocks kept, 0 rewritten" {
		t.Errorf("on another machine: %q", o.Note)
	}
	if after, _ := os.ReadFile(record.PathFor(p.Path)); string(after) != string(before) {
		t.Error("a capture on another machine rewrote the record")
	}
	capture(e)
	if o := capture(e); !strings.Contains(o.Note, "unchanged since capture") {
		t.Errorf("a capture after the key was renewed ran the page again: %q", o.Note)
	}
}
