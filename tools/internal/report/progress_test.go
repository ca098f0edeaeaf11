package report

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// run drives a Progress the way the runner does.
func run(p *Progress) {
	p.StartPage("content/run.md")
	for _, r := range fixture()[:3] {
		p.Done(r)
	}
	p.StartPage("content/images.md")
	for _, r := range fixture()[3:] {
		p.Done(r)
	}
	p.Finish()
}

func TestProgressSilentWithoutTTY(t *testing.T) {
	var b bytes.Buffer
	p := NewProgress(&b, false, 2, 5)
	run(p)
	if b.Len() != 0 {
		t.Errorf("wrote %q without a terminal", b.String())
	}
}

func TestProgressOnTTY(t *testing.T) {
	defer func(d time.Duration) { progressThrottle = d }(progressThrottle)
	progressThrottle = 0
	for _, blocks := range []int{5, 0} { // known total, and a spinner
		var b syncBuffer
		run(NewProgress(&b, true, 2, blocks))
		out := b.String()
		for _, s := range []string{"page 1/2 content/run.md", "page 1/2 content/run.md (1 failed)", "page 2/2 content/images.md (2 failed)"} {
			if !strings.Contains(out, s) {
				t.Errorf("blocks=%d: %q not drawn in %q", blocks, s, out)
			}
		}
		// Finish clears the line so the report starts clean.
		if !strings.HasSuffix(out, "\x1b[2K\r") {
			t.Errorf("blocks=%d: bar not cleared at the end: %q", blocks, out[max(0, len(out)-40):])
		}
	}
}

func TestProgressConcurrent(t *testing.T) {
	var b syncBuffer
	p := NewProgress(&b, true, 1, 100)
	p.StartPage("a.md")
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() { p.Done(Result{Status: OK}) })
	}
	wg.Wait()
	p.Finish()
}

// syncBuffer is a bytes.Buffer safe for the spinner's ticker goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
