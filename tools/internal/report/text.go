package report

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/alecthomas/chroma/v2/quick"
)

// TextOptions controls WriteText.
type TextOptions struct {
	// Color highlights diffs and transcripts with chroma; pass UseColor(w).
	Color bool
	// Verbose also lists passing and skipped blocks, one line each.
	Verbose bool
}

const (
	chromaFormatter = "terminal256"
	chromaStyle     = "monokai"
	ansiRed         = "\x1b[31m"
	ansiGreen       = "\x1b[32m"
	ansiBold        = "\x1b[1m"
	ansiReset       = "\x1b[0m"
)

// WriteText writes the human report: a line per page, then for each failing
// block "file:line: status: message", its command, a diff with the page's
// line numbers and, for failures and timeouts, what the terminal showed. The
// last line is the Counts summary, alone on its line, never coloured.
func WriteText(w io.Writer, results []Result, opts TextOptions) error {
	ew := &errWriter{w: w}
	for _, p := range byPage(results) {
		c := Count(p.results)
		n := len(p.results)
		head, line := "ok  ", fmt.Sprintf("%s: %d %s", p.path, n, plural(n, "block"))
		if c.Failed > 0 {
			head = "FAIL"
			line = fmt.Sprintf("%s: %d of %d %s failed", p.path, c.Failed, n, plural(n, "block"))
		} else if c.Passed == 0 && c.Skipped > 0 {
			head = "skip" // nothing ran (a course stopped before the page): not "ok"
		}
		if c.Skipped > 0 {
			line += fmt.Sprintf(", %d skipped", c.Skipped)
		}
		line += " (" + fmtDuration(p.duration()) + ")"
		if opts.Color {
			clr := ansiGreen
			if head == "skip" {
				clr = ""
			}
			if c.Failed > 0 {
				clr = ansiBold + ansiRed
			}
			head = clr + head + ansiReset
		}
		fmt.Fprintf(ew, "%s %s\n", head, line)

		for _, r := range p.results {
			switch {
			case r.Status.Failed():
				writeFailure(ew, r, opts)
			case r.Status == Skipped: // every opt-out is listed, with its reason
				fmt.Fprintf(ew, "%s:%d: skipped: %s\n", r.Page, r.Line, oneLine(r.message()))
			case opts.Verbose:
				fmt.Fprintf(ew, "%s:%d: %s: $ %s\n", r.Page, r.Line, r.Status, r.FirstCommand())
			}
		}
	}
	// The blank line keeps the summary clear of whatever came before even if
	// that did not end in a newline.
	fmt.Fprintf(ew, "\n%s\n", Count(results))
	return ew.err
}

func writeFailure(w io.Writer, r Result, opts TextOptions) {
	fmt.Fprintf(w, "%s:%d: %s: %s\n", r.Page, r.Line, r.Status, oneLine(r.message()))
	if r.Title != "" {
		fmt.Fprintf(w, "    block %d: %s\n", r.Block, r.Title)
	}
	if c := r.FirstCommand(); c != "" {
		fmt.Fprintf(w, "    $ %s\n", c)
	}
	if d := Diff(r); d != "" {
		writeHighlighted(w, d, "diff", opts.Color)
	}
	if r.Status != Drift && len(r.GotRaw) > 0 {
		// Failures and timeouts are usually explained by the output itself
		// (an error message, the last line before the hang).
		fmt.Fprintf(w, "    output:\n")
		var b strings.Builder
		for _, l := range r.GotRaw {
			b.WriteString("    " + l + "\n")
		}
		writeHighlighted(w, b.String(), "console", opts.Color)
	}
	io.WriteString(w, "\n") // a blank line between failures
}

// writeHighlighted writes text, through chroma when color is set. Chroma
// is given the text without its final newline so that no colour reset can
// land after it, at the start of the next line.
func writeHighlighted(w io.Writer, text, lexer string, color bool) {
	if !color {
		io.WriteString(w, text)
		return
	}
	var buf bytes.Buffer
	if err := quick.Highlight(&buf, strings.TrimSuffix(text, "\n"), lexer, chromaFormatter, chromaStyle); err != nil {
		io.WriteString(w, text)
		return
	}
	if !bytes.HasSuffix(buf.Bytes(), []byte("\n")) { // lexers usually restore it
		buf.WriteByte('\n')
	}
	w.Write(buf.Bytes())
}

// oneLine keeps a multi-line message from breaking the "file:line:" form.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

func fmtDuration(d time.Duration) string {
	return d.Round(time.Millisecond).String()
}

// errWriter keeps the first write error so the report code can write
// without checking every call.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}
