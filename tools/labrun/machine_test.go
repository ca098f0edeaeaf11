package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/labdocs/dockerlab/tools/internal/blocks"
	"github.com/labdocs/dockerlab/tools/internal/check"
	"github.com/labdocs/dockerlab/tools/internal/record"
)

// runOn runs one page as `labrun capture` would, on the environment's
// daemon, with the machine facts changed by mutate: how a test sees
// another machine without having one.
func runOn(t *testing.T, path string, mutate func(*check.Env)) *check.Outcome {
	t.Helper()
	ctx := context.Background()
	e, err := check.Connect(ctx, "", os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if mutate != nil {
		mutate(e)
	}
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := blocks.Parse(path, src)
	if err != nil {
		t.Fatal(err)
	}
	c := &check.Checker{Mode: check.Capture{}, Work: t.TempDir()}
	return c.Page(ctx, e, p)
}

const machinePage = "```console\n$ uname -r\n```\n\n```console\n$ docker run --rm debian uname -r\n```\n\n```console\n$ docker run --rm debian echo stable\n```\n"

// A page captured on a machine with another kernel verifies here, and a
// capture here changes no file: the kernel is a machine fact, not drift.
func TestAnotherKernelIsNotDrift(t *testing.T) {
	needDebian(t)
	p := page(t, "kernel", machinePage)
	if code, out := labrun(t, "capture", p); code != 0 {
		t.Fatalf("%d\n%s", code, out)
	}
	// Make the page look captured on a machine whose kernel is another:
	// its text and its record say so.
	rec, err := record.Load(p)
	if err != nil || rec == nil {
		t.Fatal(rec, err)
	}
	here := rec.Host.Kernel
	if here == "" {
		t.Fatal("the record does not say which kernel captured the page")
	}
	const there = "6.8.0-1017-azure"
	text := strings.ReplaceAll(read(t, p), here, there)
	if !strings.Contains(text, there) {
		t.Fatalf("the page does not show the kernel:\n%s", text)
	}
	os.WriteFile(p, []byte(text), 0o644)
	rec.Host.Kernel = there
	rec.Inputs = "captured elsewhere"
	// The record names the blocks by their text, which now shows the
	// other kernel.
	np, err := blocks.Parse(p, []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	old := rec.Blocks
	rec.Blocks = record.BlocksOf(np, nil)
	for i := range rec.Blocks {
		rec.Blocks[i].Inside, rec.Blocks[i].Typed = old[i].Inside, old[i].Typed
	}
	if err := rec.Save(); err != nil {
		t.Fatal(err)
	}
	recBytes := read(t, record.PathFor(p))

	if code, out := labrun(t, "verify", p); code != 0 {
		t.Fatalf("verify on another kernel: %d\n%s", code, out)
	}
	code, out := labrun(t, "capture", p)
	if code != 0 || !strings.Contains(out, "captured: 3 blocks kept, 0 rewritten") {
		t.Fatalf("capture: %d\n%s", code, out)
	}
	if read(t, p) != text || read(t, record.PathFor(p)) != recBytes {
		t.Fatal("a capture where nothing real changed rewrote the page or its record")
	}

	// A real change is still drift. Capture then writes a record naming
	// this machine, so it takes the whole page from this run: a block
	// kept from the other machine would show its kernel under a record
	// naming this one's, and the next verify would call that drift.
	changed := strings.Replace(text, "\nstable\n", "\nunstable\n", 1)
	os.WriteFile(p, []byte(changed), 0o644)
	if code, out := labrun(t, "verify", p); code != 1 || !strings.Contains(out, "index.md:") {
		t.Fatalf("verify of a changed output: %d\n%s", code, out)
	}
	code, out = labrun(t, "capture", p)
	if code != 0 || !strings.Contains(out, "0 blocks kept, 3 rewritten") {
		t.Fatalf("capture: %d\n%s", code, out)
	}
	if got := read(t, p); strings.Contains(got, there) || !strings.Contains(got, here) || !strings.Contains(got, "\nstable\n") {
		t.Fatalf("the page still shows the other machine's kernel, or the changed block was not rewritten:\n%s", got)
	}
	if code, out := labrun(t, "verify", p); code != 0 {
		t.Fatalf("verify after the capture: %d\n%s", code, out)
	}
}

// The incremental key includes the machine facts: a capture on a machine
// with another kernel re-runs a page that is unchanged here.
func TestKernelChangeReRunsThePage(t *testing.T) {
	needDebian(t)
	p := page(t, "rerun", machinePage)
	if code, out := labrun(t, "capture", p); code != 0 {
		t.Fatalf("%d\n%s", code, out)
	}
	if o := runOn(t, p, nil); !strings.Contains(o.Note, "unchanged since capture") {
		t.Fatalf("same machine: %q", o.Note)
	}
	// Memory and CPU count are no reason to re-run.
	if o := runOn(t, p, func(e *check.Env) { e.Facts.CPUs, e.Facts.Memory = 64, 1<<40 }); !strings.Contains(o.Note, "unchanged") {
		t.Fatalf("CPU count re-ran the page: %q", o.Note)
	}
	for _, mutate := range []func(*check.Env){
		func(e *check.Env) { e.Facts.Kernel = "6.10.14-linuxkit" },
		func(e *check.Env) { e.Facts.StorageDriver = "vfs" },
		func(e *check.Env) { e.Facts.CgroupVersion = "2" },
		func(e *check.Env) { e.Facts.OS = "Ubuntu 24.04.1 LTS" },
		func(e *check.Env) { e.Facts.Arch = "aarch64" },
	} {
		o := runOn(t, p, mutate)
		if strings.Contains(o.Note, "unchanged") || o.Run == nil || o.Err != nil {
			t.Fatalf("a changed machine fact did not re-run the page: %q %v", o.Note, o.Err)
		}
	}
}

func TestRecordKeepsTheMachine(t *testing.T) {
	needDebian(t)
	p := page(t, "facts", "```console\n$ true\n```\n")
	if code, out := labrun(t, "capture", p); code != 0 {
		t.Fatalf("%d\n%s", code, out)
	}
	data, _ := os.ReadFile(filepath.Join(filepath.Dir(p), record.FileName))
	for _, field := range []string{`"kernel"`, `"storage_driver"`, `"cgroup_version"`, `"docker_root"`} {
		if !bytes.Contains(data, []byte(field)) {
			t.Errorf("the record lacks %s:\n%s", field, data)
		}
	}
}

// Placeholders are numbered across a page: when one block must be
// rewritten and a kept block shows the same object from the old capture,
// the whole page is taken from the new run, so that it verifies.
func TestRecaptureKeepsIdentitiesConsistent(t *testing.T) {
	needDebian(t)
	name := "ident-" + suffix()
	p := page(t, "ident", "```console\n$ docker run -d --name "+name+" debian sleep 60\n```\n\n"+
		"```console\n$ echo v1; docker inspect -f '{{.Id}}' "+name+"\n```\n")
	if code, out := labrun(t, "capture", p); code != 0 {
		t.Fatalf("%d\n%s", code, out)
	}
	// A real change in the second block only.
	os.WriteFile(p, []byte(strings.Replace(read(t, p), "\nv1\n", "\nv0\n", 1)), 0o644)
	code, out := labrun(t, "capture", p, "-force")
	if code != 0 || !strings.Contains(out, "0 blocks kept, 2 rewritten") {
		t.Fatalf("%d\n%s", code, out)
	}
	src := read(t, p)
	var ids []string
	for _, l := range strings.Split(src, "\n") {
		if len(l) == 64 {
			ids = append(ids, l)
		}
	}
	if len(ids) != 2 || ids[0] != ids[1] {
		t.Fatalf("the two blocks show different containers:\n%s", src)
	}
	if code, out := labrun(t, "verify", p); code != 0 {
		t.Fatalf("verify: %d\n%s", code, out)
	}
}

// A page that builds starts from the build cache a first-time reader has:
// what its builds cached is removed after it, so the RUN step runs again
// on every verify instead of printing CACHED.
func TestBuildCacheDoesNotCarryOver(t *testing.T) {
	needDebian(t)
	img := "heldout-img-" + suffix()
	// BuildKit loads its inputs in parallel, so only the RUN step's lines
	// are shown: whether it ran or came from the cache.
	p := page(t, "heldout", "```console {timeout=\"5m\"}\n$ docker build --progress=plain -t "+img+" . 2>&1 | grep -A1 'RUN echo' | cut -d' ' -f2-\n```\n")
	os.WriteFile(filepath.Join(filepath.Dir(p), "Dockerfile"), []byte("FROM debian\nRUN echo built > /built\n"), 0o644)
	if code, out := labrun(t, "capture", p); code != 0 {
		t.Fatalf("%d\n%s", code, out)
	}
	if src := read(t, p); !strings.Contains(src, "\n[2/2] RUN echo built > /built\nDONE ") {
		t.Fatalf("the capture does not show the step running:\n%s", src)
	}
	for i := range 2 {
		if code, out := labrun(t, "verify", p); code != 0 {
			t.Fatalf("verify %d: %d\n%s", i+1, code, out)
		}
	}
}
