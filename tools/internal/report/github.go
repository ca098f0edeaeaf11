package report

import (
	"fmt"
	"io"
	"strings"
)

// WriteGitHub writes a GitHub Actions workflow command for every failed
// block:
//
//	::error file=PAGE,line=N,endLine=M,title=STATUS: COMMAND::MESSAGE%0A%0ADIFF
//
// line is Result.Line; endLine, when the block has expected output, is the
// last line of that output on the page, so the annotation covers the block.
// Page must be relative to the repository root for GitHub to place it.
func WriteGitHub(w io.Writer, results []Result) error {
	ew := &errWriter{w: w}
	for _, r := range results {
		if !r.Status.Failed() {
			continue
		}
		props := []string{"file=" + escapeProperty(r.Page)}
		if r.Line > 0 {
			props = append(props, fmt.Sprintf("line=%d", r.Line))
			if end := r.outputLine() + len(r.Want) - 1; len(r.Want) > 0 && end > r.Line {
				props = append(props, fmt.Sprintf("endLine=%d", end))
			}
		}
		title := string(r.Status)
		if c := r.FirstCommand(); c != "" {
			title += ": " + truncate(c, 100)
		}
		props = append(props, "title="+escapeProperty(title))

		msg := r.message()
		if d := Diff(r); d != "" {
			msg += "\n\n" + d
		}
		msg = strings.TrimRight(msg, "\n")
		fmt.Fprintf(ew, "::error %s::%s\n", strings.Join(props, ","), escapeData(msg))
	}
	return ew.err
}

// escapeData and escapeProperty follow @actions/core's command.ts: data
// escapes %, CR and LF; property values also escape ':' and ','. Terminal
// escapes are dropped first since the log viewer would show them raw.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(stripANSI(s))
}

func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(stripANSI(s))
}
