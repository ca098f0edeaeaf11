package report

import (
	"bytes"
	"strings"
	"testing"
)

func TestEscape(t *testing.T) {
	tests := []struct{ in, data, prop string }{
		{"plain", "plain", "plain"},
		{"50% done", "50%25 done", "50%25 done"},
		{"a\r\nb", "a%0D%0Ab", "a%0D%0Ab"},
		{"key: a,b", "key: a,b", "key%3A a%2Cb"},
		// % first, or the escapes of the others would be escaped again.
		{"%0A:", "%250A:", "%250A%3A"},
		{"\x1b[31mred\x1b[0m", "red", "red"},
	}
	for _, tt := range tests {
		if got := escapeData(tt.in); got != tt.data {
			t.Errorf("escapeData(%q) = %q, want %q", tt.in, got, tt.data)
		}
		if got := escapeProperty(tt.in); got != tt.prop {
			t.Errorf("escapeProperty(%q) = %q, want %q", tt.in, got, tt.prop)
		}
	}
}

func TestWriteGitHub(t *testing.T) {
	enc := func(s string) string { return strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "%0A") }
	want := "" +
		// Output lines 21-22 of the drift block; the command is on line 20.
		"::error file=content/run.md,line=20,endLine=22,title=drift%3A docker ps::" +
		"output differs from the page%0A%0A" + enc(driftDiff) + "\n" +
		"::error file=content/run.md,line=30,endLine=31,title=timeout%3A docker logs -f web::" +
		"no output for 30s%0A%0A" + enc(timeoutDiff) + "\n"
	var b bytes.Buffer
	if err := WriteGitHub(&b, fixture()); err != nil {
		t.Fatal(err)
	}
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestWriteGitHubEscapes(t *testing.T) {
	r := Result{
		Page: "content/a,b:c.md", Line: 4, Command: "curl http://localhost:8080/?a=1,2",
		Status: Fail, Message: "exit status 7: 100% failed\r\nsee log",
	}
	want := "::error file=content/a%2Cb%3Ac.md,line=4,title=fail%3A curl http%3A//localhost%3A8080/?a=1%2C2::" +
		"exit status 7: 100%25 failed%0D%0Asee log\n"
	var b bytes.Buffer
	if err := WriteGitHub(&b, []Result{r}); err != nil {
		t.Fatal(err)
	}
	if b.String() != want {
		t.Errorf("got\n%q\nwant\n%q", b.String(), want)
	}
	// Every annotation is exactly one line.
	if strings.Count(b.String(), "\n") != 1 {
		t.Errorf("annotation spans lines: %q", b.String())
	}
}

func TestWriteGitHubOnlyFailures(t *testing.T) {
	var b bytes.Buffer
	results := []Result{
		{Page: "a.md", Line: 1, Status: OK},
		{Page: "a.md", Line: 2, Status: Skipped, Message: "later"},
	}
	if err := WriteGitHub(&b, results); err != nil {
		t.Fatal(err)
	}
	if b.Len() != 0 {
		t.Errorf("wrote %q for passing and skipped blocks", b.String())
	}
}
