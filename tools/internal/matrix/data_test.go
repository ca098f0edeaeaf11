package matrix

import (
	"bytes"
	"os"
	"path/filepath"
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
