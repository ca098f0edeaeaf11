package ledger

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"sync"
	"testing"
)

func entry(n int) Entry {
	return Entry{Recipe: "nginx", Tags: []string{"nginx:latest", "nginx:1.22"}, Hash: fmt.Sprintf("%064x", n),
		Origin: fmt.Sprintf("built from tools/images/nginx %012x", n), Suite: "bookworm"}
}

// What is recorded reads back the same, from the file, and a forgotten
// entry is gone; a missing file is an empty ledger.
func TestRoundTrip(t *testing.T) {
	l := At(filepath.Join(t.TempDir(), "cache", "labdocs", "images.json"))
	if e, err := l.Load(); err != nil || len(e) != 0 {
		t.Fatalf("missing ledger: %v, %v", e, err)
	}
	want := Entries{"sha256:aa": entry(1), "sha256:bb": {Recipe: "busybox", Tags: []string{"busybox:latest"}, Origin: "pulled 127.0.0.1:5000/busybox@sha256:cc"}}
	for id, e := range want {
		if _, err := l.Record(id, e); err != nil {
			t.Fatal(err)
		}
	}
	got, err := At(l.Path()).Load()
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("read back %+v, %v\nwant %+v", got, err, want)
	}
	before, _ := os.ReadFile(l.Path())
	if _, err := l.Record("sha256:aa", entry(1)); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.ReadFile(l.Path()); string(after) != string(before) {
		t.Errorf("the same entries wrote another file:\n%s\n%s", before, after)
	}
	if _, err := l.Forget("sha256:aa"); err != nil {
		t.Fatal(err)
	}
	if got, _ := l.Load(); len(got) != 1 || got["sha256:bb"].Recipe != "busybox" {
		t.Errorf("after Forget: %+v", got)
	}
}

// A change that fails writes nothing; a file of another format is
// refused, not misread.
func TestFailedUpdateAndOtherFormat(t *testing.T) {
	l := At(filepath.Join(t.TempDir(), "images.json"))
	if _, err := l.Record("sha256:aa", entry(1)); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(l.Path())
	boom := errors.New("boom")
	if _, err := l.Update(func(e Entries) error { e["sha256:bb"] = entry(2); return boom }); !errors.Is(err, boom) {
		t.Fatalf("Update returned %v", err)
	}
	if after, _ := os.ReadFile(l.Path()); string(after) != string(before) {
		t.Errorf("a failed change was written:\n%s", after)
	}
	if err := os.WriteFile(l.Path(), []byte(`{"format": 99, "images": {}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Load(); err == nil {
		t.Error("a ledger of format 99 was read")
	}
}

func TestDefaultFollowsTheEnvironment(t *testing.T) {
	p := filepath.Join(t.TempDir(), "elsewhere.json")
	t.Setenv(EnvPath, p)
	l, err := Default()
	if err != nil || l.Path() != p {
		t.Errorf("with %s set: %v, %v", EnvPath, l, err)
	}
	t.Setenv(EnvPath, "")
	t.Setenv("XDG_CACHE_HOME", "/somewhere/cache")
	if l, err := Default(); err != nil || l.Path() != "/somewhere/cache/labdocs/images.json" {
		t.Errorf("default: %v, %v", l, err)
	}
}

// Writers in other processes and in this one, all at once: every entry
// each of them recorded is there at the end.
func TestConcurrentWriters(t *testing.T) {
	const procs, goroutines, each = 4, 4, 40
	path := filepath.Join(t.TempDir(), "images.json")
	var cmds []*exec.Cmd
	for p := range procs {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperWriter$")
		cmd.Env = append(os.Environ(), "LEDGER_TEST_WRITER="+path, "LEDGER_TEST_ID="+strconv.Itoa(p), "LEDGER_TEST_EACH="+strconv.Itoa(each))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	var wg sync.WaitGroup
	errs := make(chan error, goroutines*each)
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				if _, err := At(path).Record(fmt.Sprintf("sha256:g%d-%d", g, i), entry(i)); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for _, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Errorf("writer process: %v", err)
		}
	}
	got, err := At(path).Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != (procs+goroutines)*each {
		t.Errorf("%d entries, want %d: concurrent writers lost some", len(got), (procs+goroutines)*each)
	}
	for p := range procs {
		for i := range each {
			if _, ok := got[fmt.Sprintf("sha256:p%d-%d", p, i)]; !ok {
				t.Errorf("process %d's entry %d is missing", p, i)
			}
		}
	}
}

// TestHelperWriter is a writer process of TestConcurrentWriters.
func TestHelperWriter(t *testing.T) {
	path := os.Getenv("LEDGER_TEST_WRITER")
	if path == "" {
		t.Skip("a writer process of TestConcurrentWriters")
	}
	id := os.Getenv("LEDGER_TEST_ID")
	each, _ := strconv.Atoi(os.Getenv("LEDGER_TEST_EACH"))
	for i := range each {
		if _, err := At(path).Record(fmt.Sprintf("sha256:p%s-%d", id, i), entry(i)); err != nil {
			t.Fatal(err)
		}
	}
}
