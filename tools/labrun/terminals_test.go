package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func testdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The terminal features (nested shells, detach and attach, a server with
// a port wait, bounded log following) capture and then verify clean.
// Ten verifies in a row are the e2e suite's (make e2e, LAB_STABLE=10).
func TestTerminalsPage(t *testing.T) {
	needDebian(t)
	body := testdata(t, "terminals/index.md")
	wd, _ := os.Getwd()
	p := page(t, "terminals", body)
	_ = wd
	if code, out := labrun(t, "capture", p); code != 0 {
		t.Fatalf("capture: %d\n%s", code, out)
	}
	got := read(t, p)
	for _, want := range []string{"\ninside 13\n", "ls: cannot access '/no/such/file'", "\n200\n", "term-box Up", "\nback inside\n", "\ntick 3\n", "^C"} {
		if !strings.Contains(got, want) {
			t.Errorf("captured page lacks %q:\n%s", want, got)
		}
	}
	n := 1
	if os.Getenv("LAB_STABLE") != "" {
		n = 10
	}
	for i := range n {
		if code, out := labrun(t, "verify", p); code != 0 {
			t.Fatalf("verify %d of %d: %d\n%s", i+1, n, code, out)
		}
	}
}

func TestNeverReadyTimesOutNamingTheBlock(t *testing.T) {
	p := page(t, "never", testdata(t, "never-ready.md"))
	code, out := labrun(t, "verify", p)
	if code != 1 || !strings.Contains(out, p+":1: timeout") || !strings.Contains(out, "starting") {
		t.Fatalf("%d\n%s", code, out)
	}
}
