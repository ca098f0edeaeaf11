package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// JUnitOptions controls WriteJUnit.
type JUnitOptions struct {
	// Name is the <testsuites> name; empty omits it.
	Name string
	// Timestamp, when set, is written on every <testsuite>; it is optional
	// so that output can be compared byte for byte in tests.
	Timestamp time.Time
}

// The element and attribute set follows Jenkins' junit-10.xsd, which the
// common CI consumers (Jenkins, GitLab, GitHub test-report actions) accept;
// testdata/junit-10.xsd holds that schema for the tests.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr,omitempty"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Errors    int         `xml:"errors,attr"`
	Skipped   int         `xml:"skipped,attr"`
	Time      string      `xml:"time,attr"`
	Timestamp string      `xml:"timestamp,attr,omitempty"`
	File      string      `xml:"file,attr,omitempty"`
	Cases     []junitCase `xml:"testcase"`
}

// junitCase's field order is the schema's child order: skipped, failure,
// system-out.
type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Line      int           `xml:"line,attr,omitempty"`
	Skipped   *junitMessage `xml:"skipped"`
	Failure   *junitFailure `xml:"failure"`
	SystemOut *junitText    `xml:"system-out"`
}

// junitText is element text written as CDATA, which keeps diffs and
// transcripts readable in the file instead of a run of &#xA; escapes.
type junitText struct {
	Text string `xml:",cdata"`
}

type junitMessage struct {
	Message string `xml:"message,attr,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",cdata"`
}

// WriteJUnit writes results as JUnit XML: a <testsuite> per page and a
// <testcase> per block, named "line N: first command" with the page path as
// classname. Drift, failures and timeouts are <failure type="STATUS"> whose
// text is the diff; the raw output of failed blocks goes to <system-out>.
func WriteJUnit(w io.Writer, results []Result, opts JUnitOptions) error {
	doc := junitSuites{Name: xmlText(opts.Name)}
	var total time.Duration
	for _, p := range byPage(results) {
		c := Count(p.results)
		s := junitSuite{
			Name:     xmlText(p.path),
			Tests:    len(p.results),
			Failures: c.Failed,
			Skipped:  c.Skipped,
			Time:     seconds(p.duration()),
			File:     xmlText(p.path),
		}
		if !opts.Timestamp.IsZero() {
			s.Timestamp = opts.Timestamp.UTC().Format("2006-01-02T15:04:05")
		}
		for _, r := range p.results {
			s.Cases = append(s.Cases, junitCaseOf(r))
		}
		doc.Suites = append(doc.Suites, s)
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		total += p.duration()
	}
	doc.Time = seconds(total)

	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// CaseName is the JUnit test name of a block: "line N: first command".
func CaseName(r Result) string {
	name := fmt.Sprintf("line %d", r.Line)
	if c := r.FirstCommand(); c != "" {
		name += ": " + truncate(c, 100)
	}
	return name
}

func junitCaseOf(r Result) junitCase {
	c := junitCase{
		Name:      xmlText(CaseName(r)),
		Classname: xmlText(r.Page),
		Time:      seconds(r.Duration),
		File:      xmlText(r.Page),
		Line:      r.Line,
	}
	switch {
	case r.Status == Skipped:
		c.Skipped = &junitMessage{Message: xmlText(oneLine(r.message()))}
	case r.Status.Failed():
		msg := fmt.Sprintf("%s:%d: %s", r.Page, r.Line, oneLine(r.message()))
		body := Diff(r)
		if body == "" {
			body = msg + "\n"
		}
		c.Failure = &junitFailure{Message: xmlText(msg), Type: string(r.Status), Body: xmlText(body)}
		if len(r.GotRaw) > 0 {
			c.SystemOut = &junitText{xmlText("$ " + r.FirstCommand() + "\n" + joinLines(r.GotRaw))}
		}
	}
	return c
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

// xmlText drops terminal escapes and replaces what XML 1.0 cannot carry
// (other control characters, invalid UTF-8) with U+FFFD, so that a stray
// byte in captured output cannot make the whole report unparseable.
func xmlText(s string) string {
	s = stripANSI(s)
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return r
		case r < 0x20, r == utf8.RuneError, r >= 0xD800 && r <= 0xDFFF, r == 0xFFFE, r == 0xFFFF:
			return '\uFFFD'
		}
		return r
	}, s)
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
