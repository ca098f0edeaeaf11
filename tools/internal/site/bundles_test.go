package site

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// Step 6 ships its own copy of step 5's app, so that each step's folder
// is a complete download. The copies must not drift apart: a fix made in
// one must be made in the other.
func TestComposeStepCarriesStepFiveApp(t *testing.T) {
	root := repoRoot(t)
	five := filepath.Join(root, "content", "lab", "5-dockerfile")
	six := filepath.Join(root, "content", "lab", "6-compose")
	n := 0
	err := filepath.WalkDir(five, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(five, path)
		if rel == "index.md" || rel == "labrun.json" {
			return nil
		}
		a, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(filepath.Join(six, rel))
		if err != nil {
			t.Errorf("step 6 lacks %s: copy it from step 5", rel)
			return nil
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between step 5 and step 6: make the same change in both", rel)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 5 {
		t.Fatalf("only %d app files found in step 5", n)
	}
}
