package terminal

import (
	"context"
	"fmt"
	"os"
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

func TestLongCommandEcho(t *testing.T) {
	term := open(t)
	long := "echo " + strings.Repeat("x", Width+30)
	r := run(t, term, long, RunOptions{})
	want := strings.Repeat("x", Width+30)
	if len(r.Lines) != 2 || r.Lines[0]+r.Lines[1] != want {
		t.Fatalf("wrapped output: %q", r.Lines)
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
	cmd := `tty=$(tty); stty rows 0 cols 0; (setsid sh -c "sleep 0.5; stty -F $tty rows 50 cols 200" &); bash --norc`
	run(t, term, cmd, RunOptions{OpensShell: true, Inside: "late-size"})
	if r := run(t, term, "stty size", RunOptions{}); !slices.Equal(r.Lines, []string{"50 200"}) {
		t.Fatalf("first command inside saw the size %q, want the final 50 200", r.Lines)
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
