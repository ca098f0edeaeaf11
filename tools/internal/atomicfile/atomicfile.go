// Package atomicfile writes files so that a reader, or a crash, only ever
// sees the old content or the new one, never a half-written file.
package atomicfile

import (
	"os"
	"path/filepath"
)

// Write writes data to path through a temporary file in the
// same directory, synced and renamed over path, so a reader or a crash
// sees either the old file or the new one, never a part. The file gets
// mode perm (not masked by the umask); a symbolic link at path is
// replaced, not followed. On failure the temporary file is removed and
// path is untouched.
func Write(path string, data []byte, perm os.FileMode) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	err = func() error {
		if _, err := f.Write(data); err != nil {
			return err
		}
		if err := f.Chmod(perm); err != nil {
			return err
		}
		if err := f.Sync(); err != nil {
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		if err := beforeRename(tmp); err != nil {
			return err
		}
		return os.Rename(tmp, path)
	}()
	if err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	// Make the rename itself durable; not every system can sync a
	// directory, so this is best effort.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// beforeRename lets tests fail Write after the data is written.
var beforeRename = func(string) error { return nil }
