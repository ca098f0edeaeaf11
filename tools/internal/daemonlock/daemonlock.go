// Package daemonlock serialises the lab's tools on one Docker daemon.
//
// A page's cleanup removes every object that appeared while it ran, so two
// runs on the same daemon at once (two authors' captures, a capture and an
// image build) would remove each other's objects. Each tool holds an
// exclusive flock on a file named after the daemon's address while it
// works; a second one waits, and says so.
package daemonlock

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// Lock is a held lock; Unlock releases it.
type Lock struct{ f *os.File }

// Acquire takes the lock for the daemon at host (its DOCKER_HOST-style
// address), waiting until ctx ends. It tells w once if it has to wait.
func Acquire(ctx context.Context, host string, w io.Writer) (*Lock, error) {
	path := Path(host)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		return nil, err
	}
	told := false
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return &Lock{f}, nil
		}
		if err != syscall.EWOULDBLOCK {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if !told && w != nil {
			fmt.Fprintf(w, "waiting for another lab tool working on the daemon at %s (lock %s)\n", host, path)
			told = true
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// Path is the lock file of the daemon at host. A daemon that lived for
// one run (a test's, another machine's) removes it when it stops.
func Path(host string) string {
	sum := sha256.Sum256([]byte(host))
	return filepath.Join(os.TempDir(), fmt.Sprintf("labdocs-daemon-%x.lock", sum[:6]))
}

// Unlock releases the lock.
func (l *Lock) Unlock() error { return l.f.Close() }
