// Package report turns the results of running a page's console blocks into
// human text, JUnit XML, GitHub workflow annotations and a TTY progress bar.
//
// Every format is written from a flat []Result; results are grouped by page
// in order of first appearance, and blocks keep the order they were given in.
package report

import (
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	udiff "github.com/aymanbagabas/go-udiff"
	"golang.org/x/term"
)

// Status is the outcome of one block.
type Status string

// The outcomes a runner reports. Drift, Fail and Timeout count as failed.
const (
	OK      Status = "ok"      // output matched the page
	Drift   Status = "drift"   // ran, but the normalised output differs
	Fail    Status = "fail"    // the command failed (exit status, runner error)
	Timeout Status = "timeout" // the command did not finish in time
	Skipped Status = "skipped" // not run; Message says why
)

// Failed reports whether s counts as a failure.
func (s Status) Failed() bool { return s == Drift || s == Fail || s == Timeout }

// Result is the outcome of one console block of a page.
type Result struct {
	Page string // file path, as it should appear in messages (repo-relative for GitHub)
	// Block is the block's index within the page.
	Block int
	// Line is the 1-based line in Page that messages point at: the block's
	// command, or where its output starts.
	Line int
	// OutputLine is the 1-based line in Page of Want[0], from which diff
	// hunk headers are numbered. Zero means Line; set it when Line is the
	// command and the output starts elsewhere.
	OutputLine int
	Title      string // optional human title of the block
	Command    string // the block's command(s); the first line names the test
	Status     Status
	Message    string   // why it failed or was skipped; a default is used if empty
	Want, Got  []string // normalised lines: the page's and the fresh run's
	// WantRaw and GotRaw are the same lines as displayed; GotRaw is shown as
	// the transcript of failed and timed-out blocks.
	WantRaw, GotRaw []string
	Duration        time.Duration
}

// outputLine is where Want[0] sits in the page.
func (r Result) outputLine() int {
	if r.OutputLine > 0 {
		return r.OutputLine
	}
	return r.Line
}

// FirstCommand is the first line of Command, used to name the block.
func (r Result) FirstCommand() string {
	c, _, _ := strings.Cut(strings.TrimSpace(r.Command), "\n")
	return strings.TrimSpace(c)
}

// message is Message or a default that says what the status means.
func (r Result) message() string {
	if r.Message != "" {
		return r.Message
	}
	switch r.Status {
	case Drift:
		return "output differs from the page"
	case Fail:
		return "command failed"
	case Timeout:
		return "command timed out"
	case Skipped:
		return "skipped"
	}
	return "ok"
}

// Counts tallies results the way CI reads them.
type Counts struct{ Passed, Failed, Skipped int }

// Count tallies results.
func Count(results []Result) Counts {
	var c Counts
	for _, r := range results {
		switch {
		case r.Status == Skipped:
			c.Skipped++
		case r.Status.Failed():
			c.Failed++
		default:
			c.Passed++
		}
	}
	return c
}

// String is the summary line CI greps for: "N passed, N failed", with
// ", N skipped" only when something was skipped.
func (c Counts) String() string {
	s := fmt.Sprintf("%d passed, %d failed", c.Passed, c.Failed)
	if c.Skipped > 0 {
		s += fmt.Sprintf(", %d skipped", c.Skipped)
	}
	return s
}

// page is one page's results, in input order.
type page struct {
	path    string
	results []Result
}

func byPage(results []Result) []page {
	var pages []page
	index := map[string]int{}
	for _, r := range results {
		i, ok := index[r.Page]
		if !ok {
			i = len(pages)
			index[r.Page] = i
			pages = append(pages, page{path: r.Page})
		}
		pages[i].results = append(pages[i].results, r)
	}
	return pages
}

func (p page) duration() time.Duration {
	var d time.Duration
	for _, r := range p.results {
		d += r.Duration
	}
	return d
}

// Diff returns the unified diff from the page's normalised output (Want) to
// the fresh run's (Got), or "" if they are equal. Hunk headers carry line
// numbers in the page file, so "@@ -44,3" means line 44 of the Markdown.
func Diff(r Result) string {
	from, to := joinLines(r.Want), joinLines(r.Got)
	if from == to {
		return ""
	}
	u, err := udiff.ToUnifiedDiff(r.Page+" (page)", r.Page+" (run)", from, udiff.Lines(from, to), 3)
	if err != nil {
		// udiff only fails on edits that do not fit the text, which
		// udiff.Lines never produces; fall back to the unshifted form.
		return udiff.Unified(r.Page+" (page)", r.Page+" (run)", from, to)
	}
	off := r.outputLine() - 1
	var b strings.Builder
	fmt.Fprintf(&b, "--- %s\n+++ %s\n", u.From, u.To)
	for _, h := range u.Hunks {
		var nFrom, nTo int
		for _, l := range h.Lines {
			if l.Kind != udiff.Insert {
				nFrom++
			}
			if l.Kind != udiff.Delete {
				nTo++
			}
		}
		fmt.Fprintf(&b, "@@ -%s +%s @@\n", hunkRange(h.FromLine+off, nFrom), hunkRange(h.ToLine+off, nTo))
		for _, l := range h.Lines {
			switch l.Kind {
			case udiff.Delete:
				b.WriteByte('-')
			case udiff.Insert:
				b.WriteByte('+')
			default:
				b.WriteByte(' ')
			}
			b.WriteString(l.Content) // ends in "\n": joinLines terminates every line
		}
	}
	return b.String()
}

// hunkRange formats one side of a hunk header as GNU diff does: an empty
// range names the line before it ("-43,0" means "after line 43").
func hunkRange(start, n int) string {
	switch n {
	case 0:
		return strconv.Itoa(start-1) + ",0"
	case 1:
		return strconv.Itoa(start)
	}
	return strconv.Itoa(start) + "," + strconv.Itoa(n)
}

func joinLines(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	return strings.Join(lines, "\n") + "\n"
}

// ansiRE matches terminal escape sequences (CSI and OSC), which captured
// output may contain and which have no place in XML or annotations.
var ansiRE = regexp.MustCompile(`\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]`)

func stripANSI(s string) string { return ansiRE.ReplaceAllString(s, "") }

// IsTerminal reports whether w is a terminal. Callers use it to choose the
// tty/colour arguments of this package, which tests set directly.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// UseColor reports whether to colour output to w: a terminal, and neither
// NO_COLOR set nor TERM=dumb (https://no-color.org).
func UseColor(w io.Writer) bool {
	return IsTerminal(w) && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb"
}
