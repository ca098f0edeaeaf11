package report

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progressThrottle limits redraws; fast blocks would otherwise flood a slow
// terminal. Tests set it to zero to see every frame.
var progressThrottle = 65 * time.Millisecond

// Progress shows how far a run is on a terminal. Without a terminal it does
// nothing at all, so CI logs get no escape codes or carriage returns. A nil
// *Progress is valid and silent. Methods are safe for concurrent use.
type Progress struct {
	mu     sync.Mutex
	bar    *progressbar.ProgressBar
	pages  int
	page   int
	path   string
	failed int
}

// NewProgress returns a progress bar over blocks blocks (unknown if <= 0)
// in pages pages, drawn on w when tty is true (pass IsTerminal(w)).
func NewProgress(w io.Writer, tty bool, pages, blocks int) *Progress {
	if !tty {
		return nil
	}
	if blocks <= 0 {
		blocks = -1 // progressbar's spinner for an unknown total
	}
	return &Progress{
		pages: pages,
		bar: progressbar.NewOptions(blocks,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetWidth(30),
			progressbar.OptionShowCount(),
			progressbar.OptionSetItsString("blocks"),
			progressbar.OptionSetPredictTime(false),
			progressbar.OptionSetElapsedTime(true),
			progressbar.OptionUseANSICodes(true),
			// The report is printed after Finish; a cleared line keeps
			// it from starting after a half-drawn bar.
			progressbar.OptionClearOnFinish(),
			progressbar.OptionThrottle(progressThrottle),
		),
	}
}

// StartPage announces the page whose blocks come next.
func (p *Progress) StartPage(path string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.page++
	p.path = path
	p.bar.Describe(p.describe())
}

// Done records one finished block.
func (p *Progress) Done(r Result) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if r.Status.Failed() {
		p.failed++
		p.bar.Describe(p.describe()) // show failures as they happen
	}
	p.bar.Add(1)
}

// Finish removes the bar; call it before writing the report.
func (p *Progress) Finish() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.bar.Finish()
}

func (p *Progress) describe() string {
	s := fmt.Sprintf("page %d", p.page)
	if p.pages > 0 {
		s += fmt.Sprintf("/%d", p.pages)
	}
	s += " " + p.path
	if p.failed > 0 {
		s += fmt.Sprintf(" (%d failed)", p.failed)
	}
	return s
}
