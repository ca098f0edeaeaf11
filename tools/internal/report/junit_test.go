package report

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestWriteJUnitGolden(t *testing.T) {
	want := `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="docs" tests="5" failures="2" errors="0" time="32.050">
  <testsuite name="content/run.md" tests="3" failures="2" errors="0" skipped="0" time="31.750" timestamp="2026-11-26T17:28:22" file="content/run.md">
    <testcase name="line 10: docker run hello-world" classname="content/run.md" time="1.500" file="content/run.md" line="10"></testcase>
    <testcase name="line 20: docker ps" classname="content/run.md" time="0.250" file="content/run.md" line="20">
      <failure message="content/run.md:20: output differs from the page" type="drift"><![CDATA[` + driftDiff + `]]></failure>
      <system-out><![CDATA[$ docker ps
CONTAINER ID   IMAGE        NAMES
3f4e8c1a9b2d   nginx:1.27   web
]]></system-out>
    </testcase>
    <testcase name="line 30: docker logs -f web" classname="content/run.md" time="30.000" file="content/run.md" line="30">
      <failure message="content/run.md:30: no output for 30s" type="timeout"><![CDATA[` + timeoutDiff + `]]></failure>
      <system-out><![CDATA[$ docker logs -f web
starting
]]></system-out>
    </testcase>
  </testsuite>
  <testsuite name="content/images.md" tests="2" failures="0" errors="0" skipped="1" time="0.300" timestamp="2026-11-26T17:28:22" file="content/images.md">
    <testcase name="line 5: docker push localhost:5000/app" classname="content/images.md" time="0.000" file="content/images.md" line="5">
      <skipped message="needs a registry"></skipped>
    </testcase>
    <testcase name="line 12: docker image ls" classname="content/images.md" time="0.300" file="content/images.md" line="12"></testcase>
  </testsuite>
</testsuites>
`
	var b bytes.Buffer
	ts := time.Date(2026, 11, 26, 18, 28, 22, 0, time.FixedZone("CET", 3600))
	if err := WriteJUnit(&b, fixture(), JUnitOptions{Name: "docs", Timestamp: ts}); err != nil {
		t.Fatal(err)
	}
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

// The strict shape of what WriteJUnit promises; unknown elements and
// attributes are rejected by validateJUnit before this is decoded.
type xSuites struct {
	XMLName  xml.Name `xml:"testsuites"`
	Name     string   `xml:"name,attr"`
	Tests    *int     `xml:"tests,attr"`
	Failures *int     `xml:"failures,attr"`
	Errors   *int     `xml:"errors,attr"`
	Time     *string  `xml:"time,attr"`
	Suites   []xSuite `xml:"testsuite"`
}

type xSuite struct {
	Name     *string `xml:"name,attr"`
	Tests    *int    `xml:"tests,attr"`
	Failures *int    `xml:"failures,attr"`
	Errors   *int    `xml:"errors,attr"`
	Skipped  *int    `xml:"skipped,attr"`
	Time     *string `xml:"time,attr"`
	Cases    []xCase `xml:"testcase"`
}

type xCase struct {
	Name      *string `xml:"name,attr"`
	Classname *string `xml:"classname,attr"`
	Time      *string `xml:"time,attr"`
	Line      int     `xml:"line,attr"`
	Skipped   []struct {
		Message string `xml:"message,attr"`
	} `xml:"skipped"`
	Failure []struct {
		Message *string `xml:"message,attr"`
		Type    *string `xml:"type,attr"`
		Body    string  `xml:",chardata"`
	} `xml:"failure"`
	SystemOut []string `xml:"system-out"`
}

// junitShape lists, per element, the attributes it may carry (true =
// required) and the child elements it may contain.
var junitShape = map[string]struct {
	attrs    map[string]bool
	children []string
	text     bool
}{
	"testsuites": {map[string]bool{"name": false, "tests": true, "failures": true, "errors": true, "time": true, "disabled": false}, []string{"testsuite"}, false},
	"testsuite": {map[string]bool{"name": true, "tests": true, "failures": true, "errors": true, "skipped": true, "time": true,
		"timestamp": false, "hostname": false, "id": false, "package": false, "file": false}, []string{"testcase", "properties", "system-out", "system-err"}, false},
	"testcase":   {map[string]bool{"name": true, "classname": true, "time": true, "file": false, "line": false}, []string{"skipped", "error", "failure", "system-out", "system-err"}, false},
	"failure":    {map[string]bool{"message": true, "type": true}, nil, true},
	"error":      {map[string]bool{"message": true, "type": true}, nil, true},
	"skipped":    {map[string]bool{"message": false}, nil, true},
	"system-out": {map[string]bool{}, nil, true},
	"system-err": {map[string]bool{}, nil, true},
}

// validateJUnit is a small schema check without an XSD: element nesting,
// allowed and required attributes, no stray text, numeric counts and times,
// and counts that agree with the testcases.
func validateJUnit(data []byte) error {
	dec := xml.NewDecoder(bytes.NewReader(data))
	var stack []string
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			name := tok.Name.Local
			shape, ok := junitShape[name]
			if !ok {
				return fmt.Errorf("unknown element <%s>", name)
			}
			if len(stack) == 0 && name != "testsuites" {
				return fmt.Errorf("root is <%s>, want <testsuites>", name)
			}
			if len(stack) > 0 {
				parent := stack[len(stack)-1]
				allowed := false
				for _, c := range junitShape[parent].children {
					allowed = allowed || c == name
				}
				if !allowed {
					return fmt.Errorf("<%s> inside <%s>", name, parent)
				}
			}
			seen := map[string]bool{}
			for _, a := range tok.Attr {
				if _, ok := shape.attrs[a.Name.Local]; !ok {
					return fmt.Errorf("<%s> has unknown attribute %s", name, a.Name.Local)
				}
				seen[a.Name.Local] = true
				switch a.Name.Local {
				case "tests", "failures", "errors", "skipped", "line":
					if n, err := strconv.Atoi(a.Value); err != nil || n < 0 {
						return fmt.Errorf("<%s %s=%q> is not a count", name, a.Name.Local, a.Value)
					}
				case "time":
					if f, err := strconv.ParseFloat(a.Value, 64); err != nil || f < 0 {
						return fmt.Errorf("<%s time=%q> is not seconds", name, a.Value)
					}
				}
			}
			for attr, required := range shape.attrs {
				if required && !seen[attr] {
					return fmt.Errorf("<%s> lacks required attribute %s", name, attr)
				}
			}
			stack = append(stack, name)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 && !junitShape[stack[len(stack)-1]].text && strings.TrimSpace(string(tok)) != "" {
				return fmt.Errorf("text %q inside <%s>", tok, stack[len(stack)-1])
			}
		}
	}

	var doc xSuites
	if err := xml.Unmarshal(data, &doc); err != nil {
		return err
	}
	var tests, failures int
	for _, s := range doc.Suites {
		var f, sk int
		for _, c := range s.Cases {
			if len(c.Failure) > 1 || len(c.Skipped) > 1 || len(c.Failure)+len(c.Skipped) > 1 {
				return fmt.Errorf("%s: more than one outcome", *c.Name)
			}
			if *c.Classname != *s.Name {
				return fmt.Errorf("%s: classname %q, suite %q", *c.Name, *c.Classname, *s.Name)
			}
			if !strings.HasPrefix(*c.Name, fmt.Sprintf("line %d", c.Line)) {
				return fmt.Errorf("name %q does not start with its line %d", *c.Name, c.Line)
			}
			f += len(c.Failure)
			sk += len(c.Skipped)
		}
		if *s.Tests != len(s.Cases) || *s.Failures != f || *s.Skipped != sk || *s.Errors != 0 {
			return fmt.Errorf("suite %s: tests/failures/skipped/errors %d/%d/%d/%d, counted %d/%d/%d/0",
				*s.Name, *s.Tests, *s.Failures, *s.Skipped, *s.Errors, len(s.Cases), f, sk)
		}
		tests += *s.Tests
		failures += *s.Failures
	}
	if *doc.Tests != tests || *doc.Failures != failures {
		return fmt.Errorf("testsuites: tests/failures %d/%d, suites add up to %d/%d", *doc.Tests, *doc.Failures, tests, failures)
	}
	return nil
}

// nasty is output that has broken JUnit files elsewhere: escapes, NUL and
// other control bytes, invalid UTF-8, markup, and a CDATA terminator.
func nasty() []Result {
	return []Result{
		{
			Page: "content/a&b.md", Line: 7, Command: `echo "<x>" & ]]> 'y'`, Status: Fail,
			Message: "exit status 1\nsecond line",
			Want:    []string{"ok"}, Got: []string{"\x1b[31mERROR\x1b[0m ]]> <b>&amp;"},
			GotRaw:   []string{"\x1b[31mERROR\x1b[0m\x00\x07 bad\xff utf8 ]]> <b>&amp;"},
			Duration: 1234567 * time.Microsecond,
		},
		{Page: "content/a&b.md", Line: 9, Command: "true", Status: Skipped, Message: `needs "docker compose" <v2>`},
		{Page: "content/empty.md", Line: 1, Status: OK},
	}
}

func TestWriteJUnitValid(t *testing.T) {
	for name, results := range map[string][]Result{"fixture": fixture(), "nasty": nasty(), "none": nil} {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteJUnit(&b, results, JUnitOptions{Name: "docs", Timestamp: time.Now()}); err != nil {
				t.Fatal(err)
			}
			if err := validateJUnit(b.Bytes()); err != nil {
				t.Fatalf("%v\n%s", err, b.String())
			}
			xmllintValidate(t, b.Bytes())
		})
	}
}

func TestWriteJUnitRoundTrip(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJUnit(&b, nasty(), JUnitOptions{}); err != nil {
		t.Fatal(err)
	}
	var doc xSuites
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	c := doc.Suites[0].Cases[0]
	if got, want := *c.Name, `line 7: echo "<x>" & ]]> 'y'`; got != want {
		t.Errorf("name %q, want %q", got, want)
	}
	if got, want := *c.Failure[0].Message, "content/a&b.md:7: exit status 1 second line"; got != want {
		t.Errorf("message %q, want %q", got, want)
	}
	if got, want := *c.Time, "1.235"; got != want {
		t.Errorf("time %q, want %q", got, want)
	}
	// Escapes gone, control bytes and bad UTF-8 replaced, markup intact.
	if got, want := c.SystemOut[0], "$ echo \"<x>\" & ]]> 'y'\nERROR\uFFFD\uFFFD bad\uFFFD utf8 ]]> <b>&amp;\n"; got != want {
		t.Errorf("system-out %q, want %q", got, want)
	}
	if !strings.Contains(c.Failure[0].Body, "+ERROR ]]> <b>&amp;\n") {
		t.Errorf("failure body lost the diff: %q", c.Failure[0].Body)
	}
	if got, want := doc.Suites[0].Cases[1].Skipped[0].Message, `needs "docker compose" <v2>`; got != want {
		t.Errorf("skipped message %q, want %q", got, want)
	}
}

// xmllintValidate checks data against testdata/junit-10.xsd when xmllint
// is installed (apt-get install libxml2-utils); the Go validator above
// always runs.
func xmllintValidate(t *testing.T, data []byte) {
	t.Helper()
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Log("xmllint not installed; XSD validation skipped")
		return
	}
	f := filepath.Join(t.TempDir(), "junit.xml")
	if err := os.WriteFile(f, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(xmllint, "--noout", "--schema", filepath.Join("testdata", "junit-10.xsd"), f).CombinedOutput()
	if err != nil {
		t.Fatalf("xmllint: %v\n%s\n%s", err, out, data)
	}
}

// The validator must itself reject what it is there to catch.
func TestValidateJUnitRejects(t *testing.T) {
	head := `<?xml version="1.0" encoding="UTF-8"?>` + "\n"
	bad := map[string]string{
		"missing skipped": `<testsuites tests="0" failures="0" errors="0" time="0"><testsuite name="a" tests="0" failures="0" errors="0" time="0"></testsuite></testsuites>`,
		"wrong count":     `<testsuites tests="1" failures="0" errors="0" time="0"><testsuite name="a" tests="2" failures="0" errors="0" skipped="0" time="0"><testcase name="line 1" classname="a" time="0" line="1"></testcase></testsuite></testsuites>`,
		"unknown attr":    `<testsuites tests="0" failures="0" errors="0" time="0" colour="red"></testsuites>`,
		"bad nesting":     `<testsuites tests="0" failures="0" errors="0" time="0"><testcase name="x" classname="a" time="0"></testcase></testsuites>`,
		"bad time":        `<testsuites tests="0" failures="0" errors="0" time="soon"></testsuites>`,
		"stray text":      `<testsuites tests="0" failures="0" errors="0" time="0">hello</testsuites>`,
	}
	for name, doc := range bad {
		if err := validateJUnit([]byte(head + doc)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
