// Package bundle says what belongs to a page bundle: the folder of a
// page (index.md or _index.md), its capture record, the files the page's
// commands see in their work folder, and that folder's name. The runner,
// the inputs key and name inference all ask here, so they cannot
// disagree about which files a page depends on.
package bundle

import (
	"io/fs"
	"os"
	"path/filepath"

	"github.com/labdocs/dockerlab/tools/internal/record"
)

// A Bundle is the folder of one page.
type Bundle struct {
	Dir  string // the bundle's folder
	Page string // the page's Markdown file, as given
}

// Of returns the bundle of the page at path.
func Of(path string) Bundle { return Bundle{Dir: filepath.Dir(path), Page: path} }

// Record is the path of the page's capture record.
func (b Bundle) Record() string { return record.PathFor(b.Page) }

// WorkName is the name of the page's work folder: the bundle's folder
// name, so that names derived from it (a Compose project) are the same
// every run and on every machine.
func (b Bundle) WorkName() string { return filepath.Base(b.Dir) }

// A File is one file of the bundle that the page's commands see.
type File struct {
	Rel  string      // slash-separated path inside the bundle
	Mode fs.FileMode // permission bits
	Data []byte
}

// Files are the bundle's files that go into the page's work folder, in
// lexical order: all but the page and its record, and none from a
// subfolder that is a page of its own (it has its own work folder).
func (b Bundle) Files() ([]File, error) {
	var out []File
	err := filepath.WalkDir(b.Dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(b.Dir, path)
		if d.IsDir() {
			if rel != "." && IsPage(path) {
				return fs.SkipDir
			}
			return nil
		}
		switch rel {
		case "index.md", "_index.md", record.FileName:
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		out = append(out, File{Rel: filepath.ToSlash(rel), Mode: info.Mode().Perm(), Data: data})
		return nil
	})
	return out, err
}

// IsPage reports whether dir is a page bundle: it holds index.md or
// _index.md.
func IsPage(dir string) bool {
	for _, n := range []string{"index.md", "_index.md"} {
		if _, err := os.Stat(filepath.Join(dir, n)); err == nil {
			return true
		}
	}
	return false
}

// CopyTo writes the bundle's Files into dir, which must exist.
func (b Bundle) CopyTo(dir string) error {
	files, err := b.Files()
	for _, f := range files {
		if err != nil {
			break
		}
		dst := filepath.Join(dir, filepath.FromSlash(f.Rel))
		if err = os.MkdirAll(filepath.Dir(dst), 0o755); err == nil {
			err = os.WriteFile(dst, f.Data, f.Mode)
		}
	}
	return err
}
