package bundle

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/labdocs/dockerlab/tools/internal/record"
)

func write(t *testing.T, path, data string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), mode); err != nil {
		t.Fatal(err)
	}
}

// The files a page's commands see: nested ones with their modes, not
// the page, not its record, not a sub-page's bundle.
func TestFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "step")
	write(t, filepath.Join(dir, "index.md"), "# page\n", 0o644)
	write(t, filepath.Join(dir, record.FileName), "{}", 0o644)
	write(t, filepath.Join(dir, "Dockerfile"), "FROM debian\n", 0o644)
	write(t, filepath.Join(dir, "test", "run.sh"), "#!/bin/sh\n", 0o755)
	write(t, filepath.Join(dir, "notes.md"), "kept: not a page\n", 0o600)
	write(t, filepath.Join(dir, "child", "index.md"), "# another page\n", 0o644)
	write(t, filepath.Join(dir, "child", "compose.yaml"), "services: {}\n", 0o644)

	b := Of(filepath.Join(dir, "index.md"))
	if b.WorkName() != "step" || b.Record() != filepath.Join(dir, record.FileName) {
		t.Fatalf("WorkName %q, Record %q", b.WorkName(), b.Record())
	}
	files, err := b.Files()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		got = append(got, f.Rel+" "+f.Mode.String()+" "+string(f.Data))
	}
	want := []string{
		"Dockerfile -rw-r--r-- FROM debian\n",
		"notes.md -rw------- kept: not a page\n",
		"test/run.sh -rwxr-xr-x #!/bin/sh\n",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("Files:\n%q\nwant\n%q", got, want)
	}
	copied := t.TempDir()
	if err := b.CopyTo(copied); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(copied, "test", "run.sh")); err != nil || fi.Mode().Perm() != 0o755 {
		t.Fatalf("copied test/run.sh: %v, %v", fi, err)
	}
	if _, err := os.Stat(filepath.Join(copied, "child")); err == nil {
		t.Fatal("the sub-page's folder was copied")
	}
	if _, err := Of(filepath.Join(t.TempDir(), "gone", "index.md")).Files(); err == nil {
		t.Fatal("a missing bundle gave no error")
	}
}
