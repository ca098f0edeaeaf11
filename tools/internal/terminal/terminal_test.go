package terminal

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

func open(t *testing.T) *Terminal {
	t.Helper()
	term, err := Open("t", t.TempDir(), os.Environ())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { term.Close() })
	return term
}

func run(t *testing.T, term *Terminal, cmd string, opts RunOptions) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	r, err := term.Run(ctx, cmd, opts)
	if err != nil {
		t.Fatalf("%q: %v", cmd, err)
	}
	return r
}

func TestOutputAndStatus(t *testing.T) {
	term := open(t)
	for _, tc := range []struct {
		cmd    string
		lines  []string
		status int
	}{
		{"echo hello", []string{"hello"}, 0},
		{"printf 'a\\nb\\n'; false", []string{"a", "b"}, 1},
		{"(exit 7)", nil, 7},
		{"X=42", nil, 0},
		{"echo $X", []string{"42"}, 0}, // state persists across commands
		{"echo one \\\n  two", []string{"one two"}, 0},
		// What a reader sees: the carriage returns leave only the last
		// frame, the colour codes leave plain text.
		{`printf 'progress 10%%\rprogress 99%%\rdone        \n\033[31mred\033[0m\n'`, []string{"done", "red"}, 0},
		{"printf 'no newline'", []string{"no newline"}, 0},
		{"echo après 日本", []string{"après 日本"}, 0},
	} {
		r := run(t, term, tc.cmd, RunOptions{})
		if !slices.Equal(r.Lines, tc.lines) || r.Status != tc.status {
			t.Errorf("%q: got %q status %d, want %q status %d", tc.cmd, r.Lines, r.Status, tc.lines, tc.status)
		}
	}
}

// Readers have terminals about 100 columns wide; programs that ask lay
// their output out for that.
func TestTerminalIsReaderWidth(t *testing.T) {
	term := open(t)
	if r := run(t, term, "stty size", RunOptions{}); !slices.Equal(r.Lines, []string{"50 100"}) {
		t.Errorf("stty size: %q", r.Lines)
	}
	if r := run(t, term, "tput cols", RunOptions{}); !slices.Equal(r.Lines, []string{"100"}) {
		t.Errorf("tput cols: %q", r.Lines)
	}
}

// A line longer than the terminal comes back as the one line it is; lines
// the program ended stay apart, even when they fill their row exactly.
func TestWrappedLinesJoin(t *testing.T) {
	term := open(t)
	zeros := func(n int) string { return strings.Repeat("0", n) }
	var scrolled []string // a screen and more, so that the last rows wrap while scrolling
	for i := 1; i <= 60; i++ {
		scrolled = append(scrolled, fmt.Sprint(i))
	}
	scrolled = append(scrolled, zeros(250), zeros(100), zeros(350))
	for _, tc := range []struct {
		cmd   string
		lines []string
	}{
		{`printf '%0250d\n' 0`, []string{zeros(250)}},
		// Spaces at the wrap columns belong to the line.
		{`printf '%099d %099d %048d\n' 0 0 0`, []string{zeros(99) + " " + zeros(99) + " " + zeros(48)}},
		{`printf '%0100d\n%0100d\nnext\n' 0 0`, []string{zeros(100), zeros(100), "next"}},
		{`printf 'é%.0s' $(seq 150); echo`, []string{strings.Repeat("é", 150)}},
		{`seq 60; printf '%0250d\n%0100d\n%0350d\n' 0 0 0`, scrolled},
		// A full row with no line end, then the next command.
		{`printf '%0100d' 0`, []string{zeros(100)}},
		{`echo after`, []string{"after"}},
		{`printf '%0100d' 0`, []string{zeros(100)}},
		{`:`, nil},
		{`printf '%0200d' 0`, []string{zeros(200)}},
		{`echo after`, []string{"after"}},
	} {
		if r := run(t, term, tc.cmd, RunOptions{}); !slices.Equal(r.Lines, tc.lines) {
			t.Errorf("%s: got %q, want %q", tc.cmd, r.Lines, tc.lines)
		}
	}
}

// Redraws end as the text a reader sees: lines padded to the terminal's
// width (as BuildKit and Compose draw them), rewritten after cursor-up and
// erase-line, and a wrapped line overwritten by shorter ones.
func TestRedrawsAtReaderWidth(t *testing.T) {
	term := open(t)
	pad := func(l, r string) string { return l + strings.Repeat(" ", 100-len(l)-len(r)) + r }
	for _, tc := range []struct {
		cmd   string
		lines []string
	}{
		{`c=$(tput cols); printf '%-*s%s\n' $((c-4)) '[+] Building' 1.0s $((c-4)) ' => step' 0.5s; ` +
			`printf '\033[2A\033[2K%-*s%s\n\033[2K%-*s%s\n' $((c-4)) '[+] Building' 2.0s $((c-4)) ' => step' 1.5s`,
			[]string{pad("[+] Building", "2.0s"), pad(" => step", "1.5s")}},
		{`printf '%-100s\r%-100s\rDownloading 100%%\n' 'Downloading 10%' 'Downloading 50%'`, []string{"Downloading 100%"}},
		{`printf '%0150d\n' 0; sleep 0.1; printf '\033[2A\033[2Kshort\n\033[2K\nend\n'`, []string{"short", "", "end"}},
		{`printf '%0150d\n' 0; sleep 0.1; printf '\033[2A\033[2Kshort\n\033[2Kdone\n'`, []string{"short", "done"}},
	} {
		if r := run(t, term, tc.cmd, RunOptions{}); !slices.Equal(r.Lines, tc.lines) {
			t.Errorf("%s: got %q, want %q", tc.cmd, r.Lines, tc.lines)
		}
	}
}

// The echo of a command longer than the terminal is dropped whole, and
// its output is one line, whatever the length.
func TestLongCommandEcho(t *testing.T) {
	term := open(t)
	for _, n := range []int{95, 96, 180, 195, 250} { // "echo " + n: 100 and 200 fill their rows
		want := strings.Repeat("x", n)
		if r := run(t, term, "echo "+want, RunOptions{}); !slices.Equal(r.Lines, []string{want}) {
			t.Errorf("echo of %d characters: %q", n, r.Lines)
		}
	}
}

// Shells with a line editor wrap a long command themselves, counting the
// prompt's width: the runner's prompt must count as none.
func TestLongCommandEchoInNestedShells(t *testing.T) {
	shells := []string{"bash --norc", "dash"}
	if _, err := exec.LookPath("busybox"); err == nil {
		shells = append(shells, "busybox sh")
	} else {
		t.Log("no busybox here: its shell is not tried")
	}
	for _, sh := range shells {
		term := open(t)
		run(t, term, sh, RunOptions{OpensShell: true, Inside: sh})
		for n := 75; n <= 100; n++ {
			for _, n := range []int{n, n + 100} {
				want := strings.Repeat("x", n)
				if r := run(t, term, "echo "+want, RunOptions{}); !slices.Equal(r.Lines, []string{want}) {
					t.Errorf("%s: echo of %d characters: %q", sh, n, r.Lines)
				}
			}
		}
	}
}

func TestTimeoutKeepsPartialOutput(t *testing.T) {
	term := open(t)
	ctx, cancel := context.WithTimeout(context.Background(), 1*time.Second)
	defer cancel()
	r, err := term.Run(ctx, "echo started; sleep 30", RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !r.TimedOut || len(r.Lines) == 0 || r.Lines[0] != "started" {
		t.Fatalf("got %+v", r)
	}
	// The terminal is usable after the interrupt.
	if r := run(t, term, "echo after", RunOptions{}); !slices.Equal(r.Lines, []string{"after"}) {
		t.Fatalf("after timeout: %q", r.Lines)
	}
}

func TestNestedShell(t *testing.T) {
	term := open(t)
	r := run(t, term, "echo entering; sh", RunOptions{OpensShell: true, Inside: "sh"})
	if !slices.Equal(r.Lines, []string{"entering"}) {
		t.Fatalf("opening: %q", r.Lines)
	}
	if term.Level() != 1 || term.Inside() != "sh" {
		t.Fatalf("level %d inside %q", term.Level(), term.Inside())
	}
	if r := run(t, term, "echo inner; false", RunOptions{}); !slices.Equal(r.Lines, []string{"inner"}) || r.Status != 1 {
		t.Fatalf("inner: %+v", r)
	}
	r = run(t, term, "exit 3", RunOptions{})
	if r.Status != 3 || term.Level() != 0 {
		t.Fatalf("exit: %+v level %d", r, term.Level())
	}
}

// A container's terminal starts at 0x0 and gets its size from the CLI
// just after it started (engine 20.10). The first command typed into the
// nested shell must meet the final size, or the resize's SIGWINCH can
// make readline repaint the command under its output. The terminal is
// shrunk to 0x0 here and a process outside its session restores it
// later, as dockerd does.
func TestNestedShellWaitsForItsSize(t *testing.T) {
	term := open(t)
	size := fmt.Sprintf("%d %d", Height, Width)
	cmd := fmt.Sprintf(`tty=$(tty); stty rows 0 cols 0; (setsid sh -c "sleep 0.5; stty -F $tty rows %d cols %d" &); bash --norc`, Height, Width)
	run(t, term, cmd, RunOptions{OpensShell: true, Inside: "late-size"})
	if r := run(t, term, "stty size", RunOptions{}); !slices.Equal(r.Lines, []string{size}) {
		t.Fatalf("first command inside saw the size %q, want the final %s", r.Lines, size)
	}
	if r := run(t, term, `echo "[$__labrun_i]"`, RunOptions{}); !slices.Equal(r.Lines, []string{"[]"}) {
		t.Fatalf("the wait left its variable behind: %q", r.Lines)
	}
}

func TestRunningProgramShowTypeAndKeys(t *testing.T) {
	term := open(t)
	ready := regexp.MustCompile(`ready`)
	r := run(t, term, `echo ready; while read l; do echo "got $l"; done`, RunOptions{
		Ready: func(_ context.Context, lines []string) (bool, error) {
			return ready.MatchString(strings.Join(lines, "\n")), nil
		},
	})
	if !r.Running || !slices.Equal(r.Lines, []string{"ready"}) {
		t.Fatalf("start: %+v", r)
	}
	short, cancelShort := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancelShort()
	if _, err := term.Run(short, "echo no", RunOptions{}); err == nil {
		t.Fatal("a command while a program runs must be refused once the block's time is up")
	}
	if err := term.Type("hello"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	lines, err := term.Show(ctx, regexp.MustCompile(`got hello`))
	if err != nil {
		t.Fatal(err)
	}
	// The typed text is echoed as a terminal echoes it.
	if !slices.Equal(lines, []string{"hello", "got hello"}) {
		t.Fatalf("show: %q", lines)
	}
	status, err := term.Press(ctx, []string{"ctrl-c"}, true)
	if err != nil || status != 130 {
		t.Fatalf("ctrl-c: status %d err %v", status, err)
	}
	if lines, _ := term.Show(ctx, nil); !slices.Equal(lines, []string{"^C"}) {
		t.Fatalf("after ctrl-c: %q", lines)
	}
}

// A command that was to open a shell but ended is reported as not opened,
// so the runner can stop before the next commands run on the host.
// A typed line shows its echo only, though the program answers in the
// same instant: the answer is for the next Show, every time.
func TestTypeLineShowsTheEchoOnly(t *testing.T) {
	term := open(t)
	ready := regexp.MustCompile(`ready`)
	run(t, term, `echo ready; while read l; do echo "got $l"; done`, RunOptions{
		Ready: func(_ context.Context, lines []string) (bool, error) {
			return ready.MatchString(strings.Join(lines, "\n")), nil
		},
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i := range 20 {
		word := fmt.Sprintf("hello%d", i)
		lines, err := term.TypeLine(ctx, word)
		if err != nil || !slices.Equal(lines, []string{word}) {
			t.Fatalf("typing %s: %q, %v", word, lines, err)
		}
		lines, err = term.Show(ctx, regexp.MustCompile(`got `+word))
		if err != nil || !slices.Equal(lines, []string{"got " + word}) {
			t.Fatalf("the answer to %s: %q, %v", word, lines, err)
		}
	}
	// Return alone echoes an empty line.
	if lines, err := term.TypeLine(ctx, ""); err != nil || len(lines) != 0 {
		t.Fatalf("return: %q, %v", lines, err)
	}
	if lines, _ := term.Show(ctx, regexp.MustCompile(`(?m)^got *$`)); !slices.Equal(lines, []string{"got"}) {
		t.Fatalf("the answer to return: %q", lines)
	}
}

// Await counts lines that ended: a match at the start of a line still
// being printed waits for its end, so the line is never cut in two.
func TestAwaitWaitsForTheLineEnd(t *testing.T) {
	term := open(t)
	run(t, term, `sleep 0.3; printf 'die'; sleep 0.4; printf ' evt-demo\n'; sleep 30`, RunOptions{
		Ready: func(context.Context, []string) (bool, error) { return true, nil },
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := term.Await(ctx, regexp.MustCompile(`die`)); err != nil {
		t.Fatal(err)
	}
	if lines, _ := term.Show(ctx, nil); !slices.Equal(lines, []string{"die evt-demo"}) {
		t.Fatalf("after the bound matched: %q", lines)
	}
	short, cancelShort := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancelShort()
	if err := term.Await(short, regexp.MustCompile(`never`)); err == nil {
		t.Fatal("await of text that never comes returned no error")
	}
	term.Press(ctx, []string{"ctrl-c"}, true)
}

// wait= on a block that shows a running program's output uses the same
// rule: the line that matched is shown whole.
func TestShowWaitsForTheLineEnd(t *testing.T) {
	term := open(t)
	run(t, term, `sleep 0.3; printf 'hello'; sleep 0.4; printf ' over the network\n'; sleep 30`, RunOptions{
		Ready: func(context.Context, []string) (bool, error) { return true, nil },
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	lines, err := term.Show(ctx, regexp.MustCompile(`hello`))
	if err != nil || !slices.Equal(lines, []string{"hello over the network"}) {
		t.Fatalf("show: %q %v", lines, err)
	}
	term.Press(ctx, []string{"ctrl-c"}, true)
}

// A line that wraps has not ended until its end comes: Await waits for
// it, and Show gives it as one line. A line typed into a program too.
func TestAwaitAndShowAWrappedLine(t *testing.T) {
	term := open(t)
	long := strings.Repeat("0", 250)
	run(t, term, `sleep 0.3; printf '%0250d' 0; sleep 0.4; printf ' end\n'; while read l; do echo "got $l"; done`, RunOptions{
		Ready: func(context.Context, []string) (bool, error) { return true, nil },
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := term.Await(ctx, regexp.MustCompile(`0{10}`)); err != nil {
		t.Fatal(err)
	}
	if lines, _ := term.Show(ctx, nil); !slices.Equal(lines, []string{long + " end"}) {
		t.Fatalf("after the bound matched: %q", lines)
	}
	typed := strings.Repeat("t", 250)
	if lines, err := term.TypeLine(ctx, typed); err != nil || !slices.Equal(lines, []string{typed}) {
		t.Fatalf("typing a long line: %q, %v", lines, err)
	}
	if lines, err := term.Show(ctx, regexp.MustCompile(`got t+`)); err != nil || !slices.Equal(lines, []string{"got " + typed}) {
		t.Fatalf("the answer: %q, %v", lines, err)
	}
	term.Press(ctx, []string{"ctrl-c"}, true)
}

// What a command prints before the shell it opens prompts is cut at the
// prompt's line, also when wrapped lines come before it.
func TestShellOpensAfterAWrappedLine(t *testing.T) {
	term := open(t)
	r := run(t, term, `printf '%0250d\n' 0; sh`, RunOptions{OpensShell: true, Inside: "sh"})
	if !r.Opened || !slices.Equal(r.Lines, []string{strings.Repeat("0", 250)}) {
		t.Fatalf("opening: %+v", r)
	}
	if r := run(t, term, "echo inner", RunOptions{}); !slices.Equal(r.Lines, []string{"inner"}) {
		t.Fatalf("inner: %+v", r)
	}
}

func TestShellThatDoesNotOpen(t *testing.T) {
	term := open(t)
	r := run(t, term, "false", RunOptions{OpensShell: true})
	if r.Opened || r.Status != 1 || term.Level() != 0 {
		t.Fatalf("%+v level %d", r, term.Level())
	}
	r = run(t, term, "sh", RunOptions{OpensShell: true})
	if !r.Opened || term.Level() != 1 {
		t.Fatalf("%+v level %d", r, term.Level())
	}
}

// A row filled to its last column, with no line end, is shown once; what
// follows goes on from its end: a new line after Enter, the same line when
// the program's next characters wrap.
func TestShowContinuesAFullRow(t *testing.T) {
	term := open(t)
	full := strings.Repeat("0", Width)
	ready := func(_ context.Context, lines []string) (bool, error) {
		return len(lines) > 0 && lines[len(lines)-1] == full, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r := run(t, term, `printf '%0*d' $(tput cols) 0; read x; printf 'def\n'; read y`, RunOptions{Ready: ready})
	if !slices.Equal(r.Lines, []string{full}) {
		t.Fatalf("start: %q", r.Lines)
	}
	term.Type("")
	if lines, err := term.Show(ctx, regexp.MustCompile(`def`)); err != nil || !slices.Equal(lines, []string{"", "def"}) {
		t.Fatalf("after Enter: %q %v", lines, err)
	}
	term.Press(ctx, []string{"ctrl-c"}, true)
	// No echo: Enter only lets the program go on.
	r = run(t, term, `stty -echo; printf '%0*d' $(tput cols) 0; read x; printf 'ghi\n'; read y`, RunOptions{Ready: ready})
	if !slices.Equal(r.Lines, []string{full}) {
		t.Fatalf("start: %q", r.Lines)
	}
	term.Type("")
	if lines, err := term.Show(ctx, regexp.MustCompile(`ghi`)); err != nil || !slices.Equal(lines, []string{"ghi"}) {
		t.Fatalf("wrapped on: %q %v", lines, err)
	}
	term.Press(ctx, []string{"ctrl-c"}, true)
}

// A program that is ready and over at once (docker run -d with a port
// wait) leaves the terminal free for the next command.
func TestReadyAndAlreadyOver(t *testing.T) {
	term := open(t)
	r := run(t, term, "echo done", RunOptions{Ready: func(context.Context, []string) (bool, error) { return true, nil }})
	_ = r
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if r, err := term.Run(ctx, "echo next", RunOptions{}); err != nil || !slices.Equal(r.Lines, []string{"next"}) {
		t.Fatalf("%+v %v", r, err)
	}
}

// What was shown of a line is not shown again when the line goes on.
func TestShowContinuesAPartialLine(t *testing.T) {
	term := open(t)
	r := run(t, term, `printf 'abc'; read x; printf 'def\n'; read y`, RunOptions{
		Ready: func(_ context.Context, lines []string) (bool, error) {
			return len(lines) > 0 && lines[len(lines)-1] == "abc", nil
		},
	})
	if !slices.Equal(r.Lines, []string{"abc"}) {
		t.Fatalf("start: %q", r.Lines)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	term.Type("")
	lines, err := term.Show(ctx, regexp.MustCompile(`def`))
	if err != nil || !slices.Equal(lines, []string{"", "def"}) {
		t.Fatalf("show: %q %v", lines, err)
	}
}
