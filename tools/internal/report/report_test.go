package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
)

const ms = time.Millisecond

// fixture is two pages: one with a pass, a drift and a timeout, one with a
// skip and a pass.
func fixture() []Result {
	return []Result{
		{Page: "content/run.md", Block: 0, Line: 10, Command: "docker run hello-world", Status: OK, Duration: 1500 * ms},
		{
			Page: "content/run.md", Block: 1, Line: 20, OutputLine: 21, Title: "List containers",
			Command: "docker ps\ndocker ps -a", Status: Drift,
			Want:     []string{"CONTAINER ID  IMAGE  NAMES", "<container-1>  nginx  web"},
			Got:      []string{"CONTAINER ID  IMAGE  NAMES", "<container-1>  nginx:1.27  web"},
			WantRaw:  []string{"CONTAINER ID   IMAGE     NAMES", "0123456789ab   nginx     web"},
			GotRaw:   []string{"CONTAINER ID   IMAGE        NAMES", "3f4e8c1a9b2d   nginx:1.27   web"},
			Duration: 250 * ms,
		},
		{
			Page: "content/run.md", Block: 2, Line: 30, OutputLine: 31, Command: "docker logs -f web",
			Status: Timeout, Message: "no output for 30s",
			Want: []string{"ready"}, Got: []string{"starting"},
			WantRaw: []string{"ready"}, GotRaw: []string{"starting"},
			Duration: 30 * time.Second,
		},
		{Page: "content/images.md", Block: 0, Line: 5, Command: "docker push localhost:5000/app", Status: Skipped, Message: "needs a registry"},
		{Page: "content/images.md", Block: 1, Line: 12, OutputLine: 13, Command: "docker image ls", Status: OK, Duration: 300 * ms},
	}
}

// The fixture's two diffs, worked out by hand: the drift changes the second
// of two output lines that start on line 21; the timeout replaces line 31.
const (
	driftDiff = "--- content/run.md (page)\n" +
		"+++ content/run.md (run)\n" +
		"@@ -21,2 +21,2 @@\n" +
		" CONTAINER ID  IMAGE  NAMES\n" +
		"-<container-1>  nginx  web\n" +
		"+<container-1>  nginx:1.27  web\n"
	timeoutDiff = "--- content/run.md (page)\n" +
		"+++ content/run.md (run)\n" +
		"@@ -31 +31 @@\n" +
		"-ready\n" +
		"+starting\n"
)

func numbered(prefix string, from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, fmt.Sprintf("%s %d", prefix, i))
	}
	return out
}

func TestDiff(t *testing.T) {
	twenty := numbered("line", 1, 20)
	changed := append([]string(nil), twenty...)
	changed[1], changed[17] = "LINE 2", "LINE 18"
	ten := numbered("line", 1, 10)
	mid := append([]string(nil), ten...)
	mid[5] = "LINE 6"

	tests := []struct {
		name      string
		r         Result
		want      string
		wantEmpty bool
	}{
		{
			name:      "equal",
			r:         Result{Page: "p.md", Line: 3, Want: ten, Got: ten},
			wantEmpty: true,
		},
		{
			// Want[5] is file line 100+5; three lines of context each side.
			name: "middle of a long block",
			r:    Result{Page: "p.md", Line: 99, OutputLine: 100, Want: ten, Got: mid},
			want: "--- p.md (page)\n+++ p.md (run)\n@@ -102,7 +102,7 @@\n" +
				" line 3\n line 4\n line 5\n-line 6\n+LINE 6\n line 7\n line 8\n line 9\n",
		},
		{
			// Line counts as the output start when OutputLine is unset.
			name: "two hunks, OutputLine defaults to Line",
			r:    Result{Page: "p.md", Line: 11, Want: twenty, Got: changed},
			want: "--- p.md (page)\n+++ p.md (run)\n" +
				"@@ -11,5 +11,5 @@\n line 1\n-line 2\n+LINE 2\n line 3\n line 4\n line 5\n" +
				"@@ -25,6 +25,6 @@\n line 15\n line 16\n line 17\n-line 18\n+LINE 18\n line 19\n line 20\n",
		},
		{
			// Nothing on the page yet: insert after line 49.
			name: "empty want",
			r:    Result{Page: "p.md", Line: 50, Got: []string{"a", "b"}},
			want: "--- p.md (page)\n+++ p.md (run)\n@@ -49,0 +50,2 @@\n+a\n+b\n",
		},
		{
			name: "empty got",
			r:    Result{Page: "p.md", Line: 50, Want: []string{"x"}},
			want: "--- p.md (page)\n+++ p.md (run)\n@@ -50 +49,0 @@\n-x\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Diff(tt.r)
			if tt.wantEmpty {
				if got != "" {
					t.Fatalf("want no diff, got\n%s", got)
				}
				return
			}
			if got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestCounts(t *testing.T) {
	tests := []struct {
		c    Counts
		want string
	}{
		{Counts{}, "0 passed, 0 failed"},
		{Counts{Passed: 3, Failed: 1}, "3 passed, 1 failed"},
		{Counts{Passed: 2, Failed: 2, Skipped: 1}, "2 passed, 2 failed, 1 skipped"},
	}
	for _, tt := range tests {
		if got := tt.c.String(); got != tt.want {
			t.Errorf("%+v: got %q, want %q", tt.c, got, tt.want)
		}
	}
	if got, want := Count(fixture()), (Counts{Passed: 2, Failed: 2, Skipped: 1}); got != want {
		t.Errorf("Count(fixture) = %+v, want %+v", got, want)
	}
}

func TestWriteText(t *testing.T) {
	want := "" +
		"FAIL content/run.md: 2 of 3 blocks failed (31.75s)\n" +
		"content/run.md:20: drift: output differs from the page\n" +
		"    block 1: List containers\n" +
		"    $ docker ps\n" +
		driftDiff +
		"\n" +
		"content/run.md:30: timeout: no output for 30s\n" +
		"    $ docker logs -f web\n" +
		timeoutDiff +
		"    output:\n" +
		"    starting\n" +
		"\n" +
		"ok   content/images.md: 2 blocks, 1 skipped (300ms)\n" +
		"content/images.md:5: skipped: needs a registry\n" +
		"\n" +
		"2 passed, 2 failed, 1 skipped\n"
	var b bytes.Buffer
	if err := WriteText(&b, fixture(), TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestWriteTextVerbose(t *testing.T) {
	var b bytes.Buffer
	if err := WriteText(&b, fixture(), TextOptions{Verbose: true}); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"content/run.md:10: ok: $ docker run hello-world\n",
		"content/images.md:5: skipped: needs a registry\n",
		"content/images.md:12: ok: $ docker image ls\n",
	} {
		if !strings.Contains(b.String(), line) {
			t.Errorf("missing %q in\n%s", line, b.String())
		}
	}
}

func TestWriteTextSummaryLine(t *testing.T) {
	tests := []struct {
		results []Result
		want    string
	}{
		{nil, "0 passed, 0 failed"},
		{[]Result{{Page: "a.md", Line: 1, Status: OK}}, "1 passed, 0 failed"},
		{[]Result{{Page: "a.md", Line: 1, Status: Fail, GotRaw: []string{"boom"}}}, "0 passed, 1 failed"},
	}
	for _, tt := range tests {
		for _, color := range []bool{false, true} {
			var b bytes.Buffer
			if err := WriteText(&b, tt.results, TextOptions{Color: color}); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			if !strings.HasSuffix(out, "\n"+tt.want+"\n") {
				t.Errorf("color=%v: last line is not %q alone:\n%q", color, tt.want, out)
			}
		}
	}
}

func TestWriteTextColor(t *testing.T) {
	var plain, color bytes.Buffer
	WriteText(&plain, fixture(), TextOptions{})
	WriteText(&color, fixture(), TextOptions{Color: true})
	if strings.Contains(plain.String(), "\x1b") {
		t.Errorf("plain output has escape codes:\n%q", plain.String())
	}
	if !strings.Contains(color.String(), "\x1b[") {
		t.Fatalf("colour output has no escape codes")
	}
	// Colour changes presentation only: stripped, both say the same.
	if got := stripANSI(color.String()); got != plain.String() {
		t.Errorf("colour output differs beyond escapes:\n%s\nvs\n%s", got, plain.String())
	}
}

func TestStripANSI(t *testing.T) {
	in := "\x1b[1;31mred\x1b[0m \x1b]0;title\x07ok\x1b[2K\r"
	if got, want := stripANSI(in), "red ok\r"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestIsTerminal(t *testing.T) {
	// A buffer is never a terminal, which is what keeps CI logs plain.
	if IsTerminal(&bytes.Buffer{}) || UseColor(&bytes.Buffer{}) {
		t.Error("a buffer is not a terminal")
	}
}
