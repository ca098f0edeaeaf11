// Package ledger is the host's record of the lab images: which image ID
// labimages built from which recipe (and that recipe's hash), or pulled
// from where. Lab images carry no labels of ours, as the official images
// carry none: what `docker inspect` and `docker history` show on a page is
// what a reader of the official images sees.
//
// The ledger is a JSON file, $LABDOCS_LEDGER or labdocs/images.json under
// the user's cache folder, keyed by image ID. An ID names content, so an
// entry holds on every daemon that has the image, and an image the ledger
// does not name (a user's, or one built FROM a lab image) is never taken
// for a lab image. Writers take an flock and replace the file atomically:
// labimages runs on several daemons at once never lose each other's
// entries, and a reader never sees half a file.
package ledger

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/labdocs/dockerlab/tools/internal/atomicfile"
)

// EnvPath names the environment variable that puts the ledger elsewhere
// (tests, CI, a lab run by two users).
const EnvPath = "LABDOCS_LEDGER"

// format is the file's version; a file of another version is refused
// rather than misread.
const format = 1

// Entry is what labimages knows of one image.
type Entry struct {
	Recipe string `json:"recipe"`
	// Tags are the recipe's tags (without a test prefix): the names
	// under which this image is a lab image. The same image under
	// another name (docker tag debian mine) is a reader's.
	Tags []string `json:"tags"`
	// Hash is the recipe hash the image was built from; empty for a
	// pulled image, to which recipes do not apply.
	Hash string `json:"recipe_hash,omitempty"`
	// Origin is for humans: "built from tools/images/nginx 3f2a1b2c3d4e"
	// or "pulled <repo@digest>".
	Origin string `json:"origin"`
	// Suite is the Debian suite the image is built on ("bookworm"),
	// empty when none: it names the set of lab images for readers.
	Suite string `json:"suite,omitempty"`
}

// Entries maps image IDs to what the ledger knows of them.
type Entries map[string]Entry

type file struct {
	Format int     `json:"format"`
	Images Entries `json:"images"`
}

// Ledger is one ledger file.
type Ledger struct{ path string }

// Default is the ledger at $LABDOCS_LEDGER, else
// <user cache folder>/labdocs/images.json.
func Default() (*Ledger, error) {
	if p := os.Getenv(EnvPath); p != "" {
		return At(p), nil
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return nil, fmt.Errorf("the lab images' ledger: %w (set %s to a file path)", err, EnvPath)
	}
	return At(filepath.Join(dir, "labdocs", "images.json")), nil
}

// At is the ledger in the file at path (which need not exist yet).
func At(path string) *Ledger { return &Ledger{path: path} }

// Path is the ledger's file.
func (l *Ledger) Path() string { return l.path }

// Load reads the ledger; a missing file is an empty ledger.
func (l *Ledger) Load() (Entries, error) {
	return Read(l.path)
}

// Read reads a ledger file (the host's, or one exported beside images).
func Read(path string) (Entries, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Entries{}, nil
	}
	if err != nil {
		return nil, err
	}
	var f file
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if f.Format != format {
		return nil, fmt.Errorf("%s: ledger format %d, this labimages reads %d", path, f.Format, format)
	}
	if f.Images == nil {
		f.Images = Entries{}
	}
	return f.Images, nil
}

// Write writes entries as a ledger file at path, atomically; sorted
// keys, so that equal entries give equal files.
func Write(path string, e Entries) error {
	if e == nil {
		e = Entries{}
	}
	return atomicfile.WriteJSON(path, file{Format: format, Images: e})
}

// Update changes the ledger under its lock: it reads the file as it is
// now, lets change edit the entries, and writes them back (unless change
// fails). Concurrent Updates apply one after the other. It returns the
// entries as written.
func (l *Ledger) Update(change func(Entries) error) (Entries, error) {
	if err := os.MkdirAll(filepath.Dir(l.path), 0o755); err != nil {
		return nil, err
	}
	// A lock file beside the ledger: the ledger itself is replaced by
	// each write, so a lock on it would be on a file already gone.
	lf, err := os.OpenFile(l.path+".lock", os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	defer lf.Close()
	if err := syscall.Flock(int(lf.Fd()), syscall.LOCK_EX); err != nil {
		return nil, fmt.Errorf("lock %s: %w", lf.Name(), err)
	}
	e, err := l.Load()
	if err != nil {
		return nil, err
	}
	if err := change(e); err != nil {
		return nil, err
	}
	return e, Write(l.path, e)
}

// Record sets the entry of image id.
func (l *Ledger) Record(id string, en Entry) (Entries, error) {
	return l.Update(func(e Entries) error {
		e[id] = en
		return nil
	})
}

// Forget removes the entries of ids.
func (l *Ledger) Forget(ids ...string) (Entries, error) {
	return l.Update(func(e Entries) error {
		for _, id := range ids {
			delete(e, id)
		}
		return nil
	})
}
