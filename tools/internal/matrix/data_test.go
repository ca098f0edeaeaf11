package matrix

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/labdocs/dockerlab/tools/internal/images"
)

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := images.FindRepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// The engines page's data is its generator's output: Generate(Decode(file))
// is the file, byte for byte (counts and diffs derived from the blocks,
// the engines in a fixed order, the format). A hand edit, or a change of
// the generator without `make matrix`, fails here, without a daemon;
// whether the data still says what the engines print is make e2e's
// `labrun matrix`.
func TestCheckedInDataIsGenerated(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot(t), DataPath))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Decode(data)
	if err != nil {
		t.Fatalf("%s: %v", DataPath, err)
	}
	again, err := Generate(m)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, data) {
		t.Errorf("%s is not what the generator makes of it (run make matrix):\n%s", DataPath, Compare(data, again))
	}
	if m.Totals.Blocks == 0 || len(m.Engines.Lab) == 0 || m.Engines.Other.Engine == "" {
		t.Errorf("%s compares nothing: %s, engines %+v", DataPath, m.Totals, m.Engines)
	}
}

// A check that fails because the second engine is not the one the data
// was written with says so before its diff; the same bytes compare equal.
func TestCompareNamesTheEngines(t *testing.T) {
	gen := func(lab, other string) []byte {
		t.Helper()
		b, err := Generate(&Matrix{Engines: Engines{Lab: []Engine{{Engine: lab, Pages: 1}}, Other: Engine{Engine: other}}})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	written, now := gen("20.10.24", "29.9.0"), gen("29.9.0", "20.10.24")
	if got := Compare(written, written); got != "" {
		t.Errorf("the same data compares as different:\n%s", got)
	}
	got := Compare(written, now)
	for _, want := range []string{
		"beside engine 29.9.0; this run's second engine is 20.10.24",
		"captured on engine 20.10.24 when the data was written; now on 29.9.0",
		"\n-      \"engine\": \"29.9.0\"",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the comparison lacks %q:\n%s", want, got)
		}
	}
}

// Update writes the data only when asked; asked to compare, it leaves the
// file alone and returns ErrDrift with a message that names the file and
// shows the difference.
func TestUpdate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "matrix.json")
	m := &Matrix{Engines: Engines{Lab: []Engine{{Engine: "29.9.0", Pages: 1}}, Other: Engine{Engine: "20.10.24"}}}
	if _, err := Update(path, m, false); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("comparing with no data: %v, want a missing file", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	msg, err := Update(path, m, true)
	if err != nil || !strings.HasPrefix(msg, "wrote "+path) {
		t.Fatalf("write = %q, %v", msg, err)
	}
	written, _ := os.ReadFile(path)
	if want, _ := Generate(m); !bytes.Equal(written, want) {
		t.Errorf("wrote %q, want Generate's %q", written, want)
	}
	if msg, err := Update(path, m, false); err != nil || !strings.HasPrefix(msg, path+" unchanged") {
		t.Errorf("the same matrix again = %q, %v", msg, err)
	}
	m.Engines.Other.Engine = "28.5.2"
	msg, err = Update(path, m, false)
	if !errors.Is(err, ErrDrift) {
		t.Fatalf("another engine compares as %v, want ErrDrift", err)
	}
	for _, want := range []string{path + " no longer says what the engines print", "this run's second engine is 28.5.2", "+      \"engine\": \"28.5.2\""} {
		if !strings.Contains(msg, want) {
			t.Errorf("the drift message lacks %q:\n%s", want, msg)
		}
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, written) {
		t.Error("comparing changed the file")
	}
}
