package course

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func write(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Only sections that say ordered: true are courses; their pages come in
// the order the site shows them.
func TestFind(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, "lab/_index.md"), "---\ntitle: Lab\nordered: true\n---\n")
	write(t, filepath.Join(root, "lab/b-second/index.md"), "---\ntitle: B\nweight: 2\n---\n")
	write(t, filepath.Join(root, "lab/a-third/index.md"), "---\ntitle: Z\nweight: 10\n---\n")
	write(t, filepath.Join(root, "lab/c-first/index.md"), "---\ntitle: C\nweight: 1\n---\n")
	write(t, filepath.Join(root, "lab/d-unweighted/index.md"), "---\ntitle: A\n---\n")
	write(t, filepath.Join(root, "lab/files/app.js"), "console.log(1)\n") // not a page
	write(t, filepath.Join(root, "reference/_index.md"), "---\ntitle: Reference\n---\n")
	write(t, filepath.Join(root, "reference/x/index.md"), "---\ntitle: X\nweight: 1\n---\n")
	got, err := Find(root)
	if err != nil {
		t.Fatal(err)
	}
	want := []Course{{Section: filepath.Join(root, "lab"), Pages: []string{
		filepath.Join(root, "lab/c-first/index.md"),
		filepath.Join(root, "lab/b-second/index.md"),
		filepath.Join(root, "lab/a-third/index.md"),
		filepath.Join(root, "lab/d-unweighted/index.md"),
	}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Find = %v, want %v", got, want)
	}
}

// A broken _index.md is an error naming the file, not a course dropped.
func TestFindBadFrontMatter(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, "lab/_index.md"), "---\ntitle: [oops\n---\n")
	_, err := Find(root)
	if err == nil || !filepath.IsAbs(root) || !strings.Contains(err.Error(), filepath.Join(root, "lab/_index.md")) {
		t.Errorf("Find with broken front matter: %v", err)
	}
}
