// Package journal keeps a page run's Docker objects recognisable as the
// runner's after the runner itself is gone (SIGKILL, a crash, a machine
// that lost power).
//
// Each page run writes a journal: one file of JSON lines in a folder of the
// daemon's (Dir), held under an exclusive flock for as long as the run
// lives. The tracker adds a line for every object the page creates before
// the create call returns to the page's command, and the run adds the names
// it will create before it starts. A run that cleans up after itself
// deletes its journal. So a journal whose lock can be taken belongs to a
// run that died: Leftovers reads those, and Clean removes their objects.
//
// What is removed is only what a dead run's journal names: an object by its
// ID, or by name or reference when it was made inside the run's lifetime
// (between the journal's start and its last heartbeat, plus a few seconds
// for a create call under way when the run died). An object of the same
// name that the user made later is never touched.
//
// The format, one JSON object a line:
//
//	{"t":"2026-12-06T04:21:42Z","op":"start","page":"content/lab/3-network/index.md","pid":1234}
//	{"t":"…","op":"name","kind":"container","name":"netcat"}    the page will create it
//	{"t":"…","op":"created","kind":"container","id":"3f4e…","name":"netcat"}
//	{"t":"…","op":"ref","name":"localhost:5000/netcat:latest"}  a reference the page tagged (absent before the run)
//	{"t":"…","op":"image","id":"sha256:…"}                     an image the page committed
//	{"t":"…","op":"build"}                                     the page started a build
//
// A dead run that built leaves build cache records; those made while it
// lived are removed with its objects.
// kind is container, network, volume, or image for a name whose tags
// BuildKit makes inside the daemon (a tag of it made while the run lived
// is the run's). Unknown ops are ignored, so a newer
// runner's journal does not break an older one's cleanup.
package journal

import (
	"bufio"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Heartbeat is how often a live run touches its journal, and Slack how long
// after the last touch a create call may still have been under way.
const (
	Heartbeat = 2 * time.Second
	Slack     = Heartbeat + 10*time.Second
)

// Entry is one line of a journal.
type Entry struct {
	T    time.Time `json:"t"`
	Op   string    `json:"op"`
	Kind string    `json:"kind,omitempty"`
	ID   string    `json:"id,omitempty"`
	Name string    `json:"name,omitempty"`
	Page string    `json:"page,omitempty"`
	PID  int       `json:"pid,omitempty"`
}

// Dir is the journal folder for the daemon at host: under $LABRUN_STATE,
// else $XDG_STATE_HOME/labrun, else ~/.local/state/labrun.
func Dir(host string) string {
	root := os.Getenv("LABRUN_STATE")
	if root == "" {
		if x := os.Getenv("XDG_STATE_HOME"); x != "" {
			root = filepath.Join(x, "labrun")
		} else if home, err := os.UserHomeDir(); err == nil {
			root = filepath.Join(home, ".local", "state", "labrun")
		} else {
			root = filepath.Join(os.TempDir(), "labrun-state")
		}
	}
	sum := sha256.Sum256([]byte(host))
	return filepath.Join(root, "journal", fmt.Sprintf("%x", sum[:6]))
}

// Journal is a live run's journal.
type Journal struct {
	path string
	mu   sync.Mutex
	f    *os.File
	stop chan struct{}
	done chan struct{}
}

// Open starts a journal for page in dir and holds its lock.
func Open(dir, page string) (*Journal, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	f, err := os.CreateTemp(dir, "run-*.jsonl")
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("journal %s: %w", f.Name(), err)
	}
	j := &Journal{path: f.Name(), f: f, stop: make(chan struct{}), done: make(chan struct{})}
	if err := j.write(Entry{Op: "start", Page: page, PID: os.Getpid()}); err != nil {
		j.Discard()
		return nil, err
	}
	go j.beat()
	return j, nil
}

// beat keeps the journal's modification time recent while the run lives.
func (j *Journal) beat() {
	defer close(j.done)
	t := time.NewTicker(Heartbeat)
	defer t.Stop()
	for {
		select {
		case <-j.stop:
			return
		case now := <-t.C:
			j.mu.Lock()
			if j.f != nil {
				os.Chtimes(j.path, now, now)
			}
			j.mu.Unlock()
		}
	}
}

// write appends one line. A plain write(2) is enough: the page cache
// keeps it when the process is killed.
func (j *Journal) write(e Entry) error {
	if e.T.IsZero() {
		e.T = time.Now().UTC()
	}
	line, err := json.Marshal(e)
	if err != nil {
		return err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return errors.New("journal: closed")
	}
	if _, err := j.f.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	return nil
}

// Name notes that the page will create an object of this kind and name.
func (j *Journal) Name(kind, name string) error {
	return j.write(Entry{Op: "name", Kind: kind, Name: name})
}

// Created notes an object the daemon just created for the page.
func (j *Journal) Created(kind, id, name string) error {
	return j.write(Entry{Op: "created", Kind: kind, ID: id, Name: name})
}

// Ref notes an image reference the page tagged that did not exist before.
func (j *Journal) Ref(ref string) error { return j.write(Entry{Op: "ref", Name: ref}) }

// Image notes an image the page committed.
func (j *Journal) Image(id string) error { return j.write(Entry{Op: "image", ID: id}) }

// Build notes that the page started an image build.
func (j *Journal) Build() error { return j.write(Entry{Op: "build"}) }

// Close ends a run that cleaned up after itself: the journal is deleted.
func (j *Journal) Close() error {
	j.shut()
	return os.Remove(j.path)
}

// Keep ends a run whose cleanup did not finish: the journal stays, its
// lock is released, and the next run or `labrun clean` takes over.
func (j *Journal) Keep() { j.shut() }

// Discard is Close for a journal that recorded nothing worth keeping.
func (j *Journal) Discard() { j.Close() }

func (j *Journal) shut() {
	j.mu.Lock()
	f := j.f
	j.f = nil
	j.mu.Unlock()
	if f == nil {
		return
	}
	close(j.stop)
	<-j.done
	f.Close()
}

// Path is the journal's file.
func (j *Journal) Path() string { return j.path }

// Dead is the journal of a run that is no longer alive. Its lock is held
// until Release (or Remove), so two cleaners never work on one journal.
type Dead struct {
	Path    string
	Page    string
	Started time.Time
	Last    time.Time // the last sign of life: the file's modification time
	Entries []Entry
	f       *os.File
}

// Leftovers opens the journals in dir whose runs are no longer alive. A
// journal that cannot be read whole (a line cut short by the crash) is
// used as far as it can be read.
func Leftovers(dir string) ([]*Dead, error) {
	names, err := filepath.Glob(filepath.Join(dir, "run-*.jsonl"))
	if err != nil {
		return nil, err
	}
	var out []*Dead
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			continue // removed meanwhile by its own run
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			f.Close() // alive
			continue
		}
		info, err := f.Stat()
		if err != nil {
			f.Close()
			continue
		}
		d := &Dead{Path: name, Last: info.ModTime(), f: f}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			var e Entry
			if json.Unmarshal(sc.Bytes(), &e) != nil {
				continue
			}
			if e.Op == "start" {
				d.Page, d.Started = e.Page, e.T
			}
			d.Entries = append(d.Entries, e)
		}
		out = append(out, d)
	}
	return out, nil
}

// Within reports whether an object made at t was made while the dead run
// lived.
func (d *Dead) Within(t time.Time) bool {
	return !t.Before(d.Started.Add(-time.Second)) && !t.After(d.Last.Add(Slack))
}

// Remove deletes a dead journal whose objects are gone.
func (d *Dead) Remove() error {
	err := os.Remove(d.Path)
	d.f.Close()
	return err
}

// Release gives a dead journal back, for a later try.
func (d *Dead) Release() { d.f.Close() }

// String names the run for messages.
func (d *Dead) String() string {
	return fmt.Sprintf("%s (run of %s, started %s)", filepath.Base(d.Path), strings.TrimSpace(d.Page), d.Started.Format(time.RFC3339))
}
