package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/labdocs/dockerlab/tools/internal/check"
	"github.com/labdocs/dockerlab/tools/internal/record"
	"github.com/labdocs/dockerlab/tools/internal/report"
)

// page writes a page bundle into a fresh site folder and makes it the
// current directory, as authors run labrun from the repo root.
func page(t *testing.T, name, body string) string {
	t.Helper()
	dir := t.TempDir()
	t.Chdir(dir)
	path := filepath.Join("content", name, "index.md")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func labrun(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	code := run(context.Background(), append(args, "-work", filepath.Join(t.TempDir(), "work")), &out, &out)
	return code, out.String()
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const hostPage = "---\ntitle: Host\n---\n\nText.\n\n```console\n$ echo hello\n$ printf 'a\\nb\\n'\nstale\n```\n\n```text {file=\"note.txt\"}\nkept\n```\n\n```console {exit=1}\n$ cat note.txt\n$ grep absent note.txt\n```\n"

func TestCaptureThenVerifyTwice(t *testing.T) {
	p := page(t, "host", hostPage)
	if code, out := labrun(t, "capture", p); code != 0 {
		t.Fatalf("capture: %d\n%s", code, out)
	}
	got := read(t, p)
	want := strings.Replace(hostPage, "$ echo hello\n$ printf 'a\\nb\\n'\nstale\n", "$ echo hello\nhello\n$ printf 'a\\nb\\n'\na\nb\n", 1)
	want = strings.Replace(want, "$ cat note.txt\n", "$ cat note.txt\nkept\n", 1)
	if got != want {
		t.Fatalf("captured page:\n%s\nwant:\n%s", got, want)
	}
	for i := 0; i < 2; i++ {
		if code, out := labrun(t, "verify", p); code != 0 || !strings.Contains(out, "3 passed, 0 failed") {
			t.Fatalf("verify %d: %d\n%s", i, code, out)
		}
	}
	if read(t, p) != want {
		t.Fatal("verify wrote to the page")
	}
	// Nothing changed: capture skips the page and leaves every byte.
	rec := read(t, filepath.Join(filepath.Dir(p), "labrun.json"))
	if code, out := labrun(t, "capture", p); code != 0 || !strings.Contains(out, "unchanged since capture") {
		t.Fatalf("second capture: %d\n%s", code, out)
	}
	if read(t, p) != want || read(t, filepath.Join(filepath.Dir(p), "labrun.json")) != rec {
		t.Fatal("an unchanged capture rewrote files")
	}
}

func TestVerifyDriftPointsAtTheLine(t *testing.T) {
	p := page(t, "drift", "# Drift\n\n```console\n$ echo one\none\n$ echo two\nthree\n```\n")
	code, out := labrun(t, "verify", p)
	if code != 1 {
		t.Fatalf("verify: %d\n%s", code, out)
	}
	if !strings.Contains(out, p+":3:") || !strings.Contains(out, "-three") || !strings.Contains(out, "+two") {
		t.Fatalf("report:\n%s", out)
	}
}

// -json writes each block's result: the drifted block with the page's and
// the run's lines, normalised and as shown.
func TestVerifyWritesJSON(t *testing.T) {
	p := page(t, "json", "# JSON\n\n```console\n$ echo one\none\n$ echo two\nthree\n```\n")
	file := filepath.Join(t.TempDir(), "results.json")
	if code, out := labrun(t, "verify", "-json", file, p); code != 1 {
		t.Fatalf("verify: %d\n%s", code, out)
	}
	rr, err := check.ReadRunReport(file)
	if err != nil {
		t.Fatal(err)
	}
	if len(rr.Daemons) != 1 || rr.Daemons[0].Docker.Engine == "" || rr.Daemons[0].Machine.Kernel == "" {
		t.Errorf("the report does not name the daemon: %+v", rr.Daemons)
	}
	res := report.FromJSON(rr.Results)
	want := []string{"$ echo one", "one", "$ echo two"}
	if len(res) != 1 || res[0].Page != p || res[0].Line != 3 || res[0].Status != report.Drift ||
		!slices.Equal(res[0].Want, append(want, "three")) || !slices.Equal(res[0].GotRaw, append(want, "two")) {
		t.Fatalf("results: %+v", res)
	}
}

func TestUnexpectedExitFails(t *testing.T) {
	p := page(t, "exit", "```console\n$ false\n$ echo after\n```\n")
	code, out := labrun(t, "capture", p)
	if code != 1 || !strings.Contains(out, `"false" exited with status 1`) {
		t.Fatalf("%d\n%s", code, out)
	}
	if read(t, p) != "```console\n$ false\n$ echo after\n```\n" {
		t.Fatal("a failed capture wrote the page")
	}
}

func TestTimeoutKeepsPartialOutput(t *testing.T) {
	p := page(t, "slow", "```console {timeout=\"1s\"}\n$ echo begun; sleep 20\n```\n")
	code, out := labrun(t, "verify", p)
	if code != 1 || !strings.Contains(out, "timed out after 1s") || !strings.Contains(out, "begun") {
		t.Fatalf("%d\n%s", code, out)
	}
}

func TestBadPagesNameFileAndLine(t *testing.T) {
	p := page(t, "bad", "# Bad\n\n```python\nprint(1)\n```\n")
	code, out := labrun(t, "verify", p)
	if code != 1 || !strings.Contains(out, p+":3: \"python\" block is neither run nor used") {
		t.Fatalf("%d\n%s", code, out)
	}
	p = page(t, "lang", "# Lang\n\n```nosuchlang {file=\"x\"}\nx\n```\n")
	code, out = labrun(t, "verify", p)
	if code != 1 || !strings.Contains(out, p+":3: chroma knows no language \"nosuchlang\"") {
		t.Fatalf("%d\n%s", code, out)
	}
	p = page(t, "flat", "# Flat\n\n```console\n$ true\n```\n")
	flat := filepath.Join("content", "flat.md")
	if err := os.Rename(p, flat); err != nil {
		t.Fatal(err)
	}
	code, out = labrun(t, "verify", flat)
	if code != 1 || !strings.Contains(out, flat+":1: a page with runnable or console blocks must be a page bundle") {
		t.Fatalf("%d\n%s", code, out)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"frobnicate"}, {"verify", "-shard", "3/2"}, {"verify", "no/such/page.md"}} {
		var out bytes.Buffer
		if code := run(context.Background(), args, &out, &out); code == 0 {
			t.Errorf("%q: exit 0\n%s", args, out.String())
		}
	}
}

// An attribute list that does not parse stops the page with file:line;
// a block left open is run, with a warning naming its line.
func TestBadInputIsLoud(t *testing.T) {
	p := page(t, "badattrs", "Text.\n\n```console {term=\"x\" title=\"unterminated\n$ echo hi\n```\n")
	code, out := labrun(t, "verify", p)
	if code != 1 || !strings.Contains(out, "content/badattrs/index.md:3: ") || !strings.Contains(out, "closing quote") {
		t.Fatalf("%d\n%s", code, out)
	}
	p = page(t, "open", "```console\n$ echo hi\nhi\n")
	code, out = labrun(t, "verify", p)
	if code != 0 || !strings.Contains(out, "content/open/index.md:1: warning: code block has no closing") {
		t.Fatalf("%d\n%s", code, out)
	}
}

// A page captured on another engine that prints the same output keeps
// its text, but its record names the engine it ran on now: provenance
// must not name an engine the page no longer ran on.
func TestRecaptureOnAnotherEngineRenamesTheEngine(t *testing.T) {
	p := page(t, "host", hostPage)
	if code, out := labrun(t, "capture", p); code != 0 {
		t.Fatalf("capture: %d\n%s", code, out)
	}
	recPath := filepath.Join(filepath.Dir(p), "labrun.json")
	var rec record.Record
	if err := json.Unmarshal([]byte(read(t, recPath)), &rec); err != nil {
		t.Fatal(err)
	}
	engine := rec.Docker.Engine
	page := read(t, p)
	// As if captured on an older engine: another engine, another key.
	rec.Docker.Engine, rec.Inputs = "20.10.24+dfsg1", "captured-elsewhere"
	if err := rec.Save(); err != nil {
		t.Fatal(err)
	}
	if code, out := labrun(t, "capture", p); code != 0 || !strings.Contains(out, "rewritten") {
		t.Fatalf("capture: %d\n%s", code, out)
	}
	if read(t, p) != page {
		t.Error("the page changed, though its output did not")
	}
	if err := json.Unmarshal([]byte(read(t, recPath)), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Docker.Engine != engine || rec.Inputs == "captured-elsewhere" {
		t.Fatalf("the record still says engine %s, inputs %s; it ran on %s", rec.Docker.Engine, rec.Inputs, engine)
	}
}
