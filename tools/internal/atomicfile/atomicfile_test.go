package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "page.md")
	if err := Write(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, []byte("new"), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "new" {
		t.Fatalf("content %q", b)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}

	// A failure after the data is written leaves the old file and no
	// temporary file.
	injected := errors.New("injected")
	beforeRename = func(tmp string) error {
		if b, err := os.ReadFile(tmp); err != nil || string(b) != "newer" {
			t.Errorf("temporary file holds %q, %v", b, err)
		}
		return injected
	}
	defer func() { beforeRename = func(string) error { return nil } }()
	if err := Write(path, []byte("newer"), 0o644); !errors.Is(err, injected) {
		t.Fatalf("err = %v, want the injected one", err)
	}
	beforeRename = func(string) error { return nil }
	if b, _ := os.ReadFile(path); string(b) != "new" {
		t.Errorf("old file became %q", b)
	}
	checkOnly(t, dir, "page.md")

	// A missing directory fails up front.
	if err := Write(filepath.Join(dir, "no", "page.md"), []byte("x"), 0o644); err == nil {
		t.Error("write into a missing directory succeeded")
	}
	checkOnly(t, dir, "page.md")

	// Renaming over a directory fails after the write.
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Write(filepath.Join(dir, "sub"), []byte("x"), 0o644); err == nil {
		t.Error("write over a directory succeeded")
	}
	checkOnly(t, dir, "page.md", "sub")

	// A read-only directory (root ignores permissions).
	if os.Geteuid() != 0 {
		ro := filepath.Join(dir, "ro")
		os.Mkdir(ro, 0o755)
		os.WriteFile(filepath.Join(ro, "page.md"), []byte("old"), 0o644)
		os.Chmod(ro, 0o555)
		defer os.Chmod(ro, 0o755)
		if err := Write(filepath.Join(ro, "page.md"), []byte("new"), 0o644); err == nil {
			t.Error("write into a read-only directory succeeded")
		}
		if b, _ := os.ReadFile(filepath.Join(ro, "page.md")); string(b) != "old" {
			t.Errorf("old file became %q", b)
		}
		checkOnly(t, ro, "page.md")
	}
}

// checkOnly fails unless dir holds exactly names.
func checkOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if !slices.Equal(got, names) {
		t.Errorf("%s holds %q, want %q", dir, got, names)
	}
}

// WriteJSON makes the folder, sorts keys, indents, keeps <, > and & as
// they are, and gives equal files for equal values.
func TestWriteJSON(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "b", "x.json")
	v := map[string]any{"z": 1, "a": "<b> & c"}
	if err := WriteJSON(path, v); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := "{\n  \"a\": \"<b> & c\",\n  \"z\": 1\n}\n"; string(got) != want {
		t.Errorf("wrote %q, want %q", got, want)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", fi.Mode().Perm())
	}
	if err := WriteJSON(path, func() {}); err == nil {
		t.Error("a value JSON cannot encode was written")
	}
	if again, _ := os.ReadFile(path); string(again) != string(got) {
		t.Error("a failed WriteJSON changed the file")
	}
}
