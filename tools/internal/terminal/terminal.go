// Package terminal runs shells in real pseudo-terminals and reports what a
// reader's terminal would show.
//
// A Terminal is one PTY with bash on the host. Its output goes through a VT
// emulator (charmbracelet/x/vt), so carriage-return progress bars, cursor
// movement and colours end as the final text a person reads. Completion and
// exit status come from a sentinel prompt: every shell the runner drives,
// on the host or nested inside a container, has PS1 set to an escape
// sequence that terminals ignore (see marker). The sentinel carries the
// nesting level, so the runner knows when `exit` or a detach returned to
// an outer shell.
package terminal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/creack/pty"
	"github.com/mattn/go-runewidth"

	"github.com/labdocs/dockerlab/tools/internal/keys"
)

// Width and Height of every terminal. The width is what readers have:
// programs that ask the terminal for its width (BuildKit, Compose, docker's
// tables) lay their output out for it, so a wider terminal would show
// what no reader sees. The height is an ordinary window.
const (
	Width  = 100
	Height = 50
)

// Terminal is one named PTY running a shell.
type Terminal struct {
	Name string

	ptmx   *os.File
	cmd    *exec.Cmd
	rcfile string

	mu      sync.Mutex
	scr     *screen
	changed chan struct{} // closed and replaced whenever the screen changes
	eof     bool          // the shell's side of the PTY is gone
	exited  chan struct{}

	stack   []string // containers whose shells are open, innermost last
	shown   pos      // start of what has not been shown in a transcript yet
	running bool     // a program started by Run with a readiness wait holds the terminal
	last    prompt   // the last prompt that ended something
}

// Result is what one command did.
type Result struct {
	Lines    []string // what the terminal showed, echo of the command excluded
	Status   int      // exit status; meaningless when Running or TimedOut
	TimedOut bool
	Running  bool // the program is still running (it was started with Ready)
	Opened   bool // a nested shell now runs the terminal's next commands
}

// RunOptions change how Run decides that a command is over.
type RunOptions struct {
	// OpensShell: the command starts an interactive shell (docker run -ti
	// … bash, docker exec -ti … sh). Run returns once that shell prompts,
	// with the terminal's next commands running inside it.
	OpensShell bool
	// Inside names the container the new shell runs in, for reports.
	Inside string
	// Ready, when set, means the command keeps running: Run returns as soon
	// as Ready accepts the output so far (or returns nil from a check that
	// does not look at the screen), leaving the program running.
	Ready func(ctx context.Context, lines []string) (bool, error)
}

// Open starts bash in a new PTY in dir.
func Open(name, dir string, env []string) (*Terminal, error) {
	// The prompt comes from an rc file rather than the environment: an
	// exported PS1 would leak into shells started from this one, and the
	// runner must see a nested shell's own prompt to know it opened.
	rc, err := os.CreateTemp("", "labrun-bashrc-")
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(rc, "PS1='%s'\nPS2=''\nunset PROMPT_COMMAND\n", sentinelPS1Bash(0))
	rc.Close()
	cmd := exec.Command("bash", "--noprofile", "--rcfile", rc.Name(), "--noediting", "-i")
	cmd.Dir = dir
	cmd.Env = append(cleanEnv(env), "TERM=xterm-256color", "LANG=C.UTF-8", "HISTFILE=/dev/null")
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: Height, Cols: Width})
	if err != nil {
		os.Remove(rc.Name())
		return nil, fmt.Errorf("terminal %s: start bash: %w", name, err)
	}
	t := &Terminal{Name: name, ptmx: ptmx, cmd: cmd, rcfile: rc.Name(), scr: newScreen(Width, Height),
		changed: make(chan struct{}), exited: make(chan struct{}),
		last: prompt{level: -1}}
	go t.read()
	go t.answer()
	go func() { _ = cmd.Wait(); close(t.exited) }()

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := t.waitUntil(ctx, func() bool { return len(t.scr.prompts) > 0 }); err != nil {
		t.Close()
		return nil, fmt.Errorf("terminal %s: bash never prompted: %w", name, err)
	}
	t.shown = t.scr.cursor()
	return t, nil
}

// sentinelPS1Bash is the prompt for the host bash, set in its rc file so
// that no setup line is ever typed or echoed.
func sentinelPS1Bash(level int) string {
	return fmt.Sprintf("%s%d;$?;$((__labrun_seq=__labrun_seq+1))\a", marker, level)
}

// setupLine is typed into a freshly opened nested shell. It works in bash,
// dash and busybox sh, which all expand $? in PS1.
//
// It first waits (2 s at most) while the shell's terminal still has the
// size 0x0: engines before API 1.42 ignore the size given at create, and
// the CLI resizes the container's terminal only after it started. The
// SIGWINCH of that resize, arriving while readline is taking the reader's
// first command, makes bash repaint the line under its output (seen as
// "12.15etc/debian_version"). Arriving during this loop, it is harmless.
//
// Readline (bash) and busybox's line editor count the prompt's width to
// wrap a long command; in both, \[ \] say the marker takes none. Counted,
// it moves their wrap away from the terminal's, and the echo of a command
// of some 90 characters leaks into its output. dash has no line editor,
// and would print \[ \] as they are.
func setupLine(level int) string {
	return fmt.Sprintf(`__labrun_i=0; while [ "$(stty size 2>/dev/null)" = "0 0" ] && [ $__labrun_i -lt 40 ]; do sleep 0.05 2>/dev/null; __labrun_i=$((__labrun_i+1)); done; unset __labrun_i; `+
		`PS1="$(printf '\033]7777;L%d;')"'$?;$((__labrun_seq=__labrun_seq+1))'"$(printf '\007')"; `+
		`case $(readlink /proc/$$/exe 2>/dev/null) in *bash|*busybox) PS1="\[$PS1\]";; esac; PS2=; unset PROMPT_COMMAND`, level)
}

func cleanEnv(env []string) []string {
	var out []string
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "PS1", "PS2", "PROMPT_COMMAND", "TERM", "COLUMNS", "LINES", "HISTFILE", "LANG", "LC_ALL":
			continue
		}
		out = append(out, kv)
	}
	return out
}

func (t *Terminal) read() {
	buf := make([]byte, 32<<10)
	for {
		n, err := t.ptmx.Read(buf)
		t.mu.Lock()
		if n > 0 {
			before := len(t.scr.prompts)
			t.scr.write(buf[:n])
			kept := t.scr.prompts[:before]
			for _, p := range t.scr.prompts[before:] {
				// A prompt that repeats the last one's sequence number
				// is a redraw (bash repaints its prompt on SIGWINCH,
				// which docker run -ti sends once attached), not the
				// end of a command.
				if p.level == t.last.level && p.seq == t.last.seq {
					continue
				}
				t.last = p
				kept = append(kept, p)
				t.running = false // whatever held the terminal has ended
				t.follow(p)
			}
			t.scr.prompts = kept
		}
		if err != nil {
			t.eof = true
		}
		close(t.changed)
		t.changed = make(chan struct{})
		t.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// answer forwards the emulator's replies (cursor position reports and the
// like) to the program, as a real terminal does; it also keeps the
// emulator's reply pipe from blocking.
func (t *Terminal) answer() { _, _ = io.Copy(t.ptmx, t.scr.emu) }

// waitUntil blocks until cond (called with t.mu held) is true.
func (t *Terminal) waitUntil(ctx context.Context, cond func() bool) error {
	for {
		t.mu.Lock()
		if cond() {
			t.mu.Unlock()
			return nil
		}
		if t.eof {
			t.mu.Unlock()
			return errors.New("the shell exited")
		}
		ch := t.changed
		t.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (t *Terminal) send(s string) error {
	_, err := io.WriteString(t.ptmx, s)
	return err
}

// Level is how many shells deep the terminal is (0: the host shell).
func (t *Terminal) Level() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.stack)
}

// Inside names the container whose shell the terminal is in, if any.
func (t *Terminal) Inside() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.stack) == 0 {
		return ""
	}
	return t.stack[len(t.stack)-1]
}

// Running reports whether a program started with Ready still holds the
// terminal.
func (t *Terminal) Running() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.running
}

// Run types command (lines separated by "\n") at the prompt and waits for
// it as opts say. On ctx expiry it presses Ctrl-C, keeps what was printed,
// and reports TimedOut.
func (t *Terminal) Run(ctx context.Context, command string, opts RunOptions) (Result, error) {
	// A program left running may be about to end because of what another
	// terminal did (a listener whose client hung up): give it the block's
	// time to do so.
	if err := t.waitUntil(ctx, func() bool { return !t.running }); err != nil {
		return Result{}, fmt.Errorf("terminal %s: a program is still running; stop it (keys=\"ctrl-c\") before the next command", t.Name)
	}
	t.mu.Lock()
	start := t.scr.cursor()
	seen := len(t.scr.prompts)
	level := len(t.stack)
	t.mu.Unlock()

	cmdLines := strings.Split(command, "\n")
	if err := t.send(strings.Join(cmdLines, "\r") + "\r"); err != nil {
		return Result{}, fmt.Errorf("terminal %s: %w", t.Name, err)
	}
	echo := echoRows(start.col, cmdLines)

	var got *prompt
	innerRow, ready := -1, false
	var readyErr error
	err := t.waitUntil(ctx, func() bool {
		if len(t.scr.prompts) > seen {
			got = &t.scr.prompts[seen]
			return true
		}
		out, rows := t.output(start, echo, t.scr.cursor())
		if opts.OpensShell {
			if i, ok := innerPrompt(out); ok {
				innerRow = rows[i]
				return true
			}
		}
		if opts.Ready != nil && t.scr.cursor().row >= start.row+echo {
			// Only once the echo is complete, so that what counts as
			// shown never includes the typed command.
			// The check runs under the lock; Ready funcs that do I/O
			// are expected to be quick (a dial, an inspect).
			ready, readyErr = opts.Ready(ctx, out)
			return ready || readyErr != nil
		}
		return false
	})
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case err != nil && ctx.Err() != nil:
		t.mu.Unlock()
		lines, _ := t.interrupt(start, echo, seen)
		t.mu.Lock()
		return Result{Lines: lines, TimedOut: true}, nil
	case err != nil:
		return Result{Lines: t.outputSince(start, echo, t.scr.cursor())}, fmt.Errorf("terminal %s: %w", t.Name, err)
	case readyErr != nil:
		return Result{Lines: t.outputSince(start, echo, t.scr.cursor())}, readyErr
	case ready && len(t.scr.prompts) == seen:
		t.running = true
		end := t.scr.cursor()
		t.shown = end
		return Result{Lines: t.outputSince(start, echo, end), Running: true}, nil
	case innerRow >= 0:
		out := t.scr.lines(pos{row: start.row + echo}, pos{row: innerRow})
		t.mu.Unlock()
		err := t.enterShell(ctx, level+1, opts.Inside)
		t.mu.Lock()
		return Result{Lines: trimBlank(out), Opened: err == nil}, err
	case ready:
		// Ready, and already over (docker run -d with a port wait): it
		// ends like any command.
		got = &t.scr.prompts[seen]
	}
	// A prompt arrived: the command is over, or (docker attach) a shell
	// set up earlier prompted again.
	if got.level > level && opts.Inside != "" {
		t.stack[got.level-1] = opts.Inside
	}
	opened := got.level > level
	t.shown = got.pos
	return Result{Lines: t.outputSince(start, echo, got.pos), Status: got.status, Opened: opened}, nil
}

// follow updates the nesting after a prompt of level p.level. Shells
// reattached to (docker attach) are named by the caller.
func (t *Terminal) follow(p prompt) {
	for len(t.stack) > p.level {
		t.stack = t.stack[:len(t.stack)-1]
	}
	for len(t.stack) < p.level { // reattached to a shell set up earlier
		t.stack = append(t.stack, "container")
	}
}

// enterShell turns the prompt of a freshly started nested shell into a
// sentinel prompt of the given level.
func (t *Terminal) enterShell(ctx context.Context, level int, inside string) error {
	t.mu.Lock()
	seen := len(t.scr.prompts)
	t.mu.Unlock()
	if err := t.send(setupLine(level) + "\r"); err != nil {
		return err
	}
	var got prompt
	err := t.waitUntil(ctx, func() bool {
		for _, p := range t.scr.prompts[seen:] {
			got = p
			return true
		}
		return false
	})
	if err != nil {
		return fmt.Errorf("terminal %s: the nested shell did not take the runner's prompt: %w", t.Name, err)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if got.level != level {
		return fmt.Errorf("terminal %s: expected a shell at level %d, got a prompt at level %d", t.Name, level, got.level)
	}
	if inside == "" {
		inside = "container"
	}
	t.stack[level-1] = inside
	t.shown = got.pos
	return nil
}

// interrupt presses Ctrl-C after a timeout and gives the shell a moment to
// prompt again. Called without t.mu held.
func (t *Terminal) interrupt(start pos, echo, seen int) ([]string, bool) {
	_ = t.send("\x03")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := t.waitUntil(ctx, func() bool { return len(t.scr.prompts) > seen })
	t.mu.Lock()
	defer t.mu.Unlock()
	end := t.scr.cursor()
	if err == nil {
		end = t.scr.prompts[seen].pos
	}
	t.shown = end
	t.running = false
	return t.outputSince(start, echo, end), err == nil
}

// Show returns what the terminal printed since it was last shown, first
// waiting (up to ctx) for until to match lines that have ended (see
// Await) when it is set.
func (t *Terminal) Show(ctx context.Context, until *regexp.Regexp) ([]string, error) {
	var err error
	if until != nil {
		err = t.Await(ctx, until)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	end := t.scr.cursor()
	out := trimBlank(t.scr.lines(t.shown, end))
	t.shown = end
	return out, err // Await's error names the terminal and the pattern
}

// LineEnd waits (up to a second) for the line being printed to end, so
// that a key pressed next is not echoed in the middle of it.
func (t *Terminal) LineEnd(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	_ = t.waitUntil(ctx, func() bool { return t.scr.cursor().col == 0 })
}

// Type sends text as typed, followed by Enter.
func (t *Terminal) Type(text string) error { return t.send(text + "\r") }

// TypeLine types text and Return into a running program and returns what
// the terminal shows through the echo of that line. What the program
// prints in reply stays for the next Show: a reply that comes in the same
// read as the echo and one that comes a second later read the same. A
// program that does not echo gets up to two seconds; then everything
// shown so far is returned.
func (t *Terminal) TypeLine(ctx context.Context, text string) ([]string, error) {
	t.mu.Lock()
	start := t.scr.cursor()
	t.mu.Unlock()
	if err := t.Type(text); err != nil {
		return nil, err
	}
	end := pos{row: start.row + echoRows(start.col, strings.Split(text, "\n"))}
	echo, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	err := t.waitUntil(echo, func() bool { return t.scr.cursor().row >= end.row })
	t.mu.Lock()
	defer t.mu.Unlock()
	if err != nil {
		end = t.scr.cursor()
	}
	out := trimBlank(t.scr.lines(t.shown, end))
	t.shown = end
	return out, nil
}

// Await waits until the complete lines printed since the terminal was last
// shown match re, leaving them to be shown. Only lines that ended count,
// so that a bound ("die") never cuts its line ("die evt-demo") in two.
func (t *Terminal) Await(ctx context.Context, re *regexp.Regexp) error {
	err := t.waitUntil(ctx, func() bool {
		end := pos{row: t.scr.lineStart(t.scr.cursor().row)}
		if end.row <= t.shown.row {
			return false // no line has ended yet
		}
		return re.MatchString(strings.Join(t.scr.lines(t.shown, end), "\n"))
	})
	if err != nil {
		return fmt.Errorf("terminal %s: waiting for %q: %w", t.Name, re, err)
	}
	return nil
}

// Press sends the keys named (package keys) and, when the terminal held
// a running program or was nested, waits for the prompt that follows
// (Ctrl-C ending a program, Ctrl-P Ctrl-Q detaching). It returns the
// prompt's status.
func (t *Terminal) Press(ctx context.Context, names []string, waitPrompt bool) (int, error) {
	t.mu.Lock()
	seen := len(t.scr.prompts)
	before := t.scr.cursor()
	t.mu.Unlock()
	for _, k := range names {
		key, ok := keys.Find(k)
		if !ok {
			return 0, fmt.Errorf("unknown key %q", k)
		}
		if err := t.send(key.Bytes); err != nil {
			return 0, err
		}
	}
	if !waitPrompt {
		// Wait for the terminal to react (the echo of Enter moves the
		// cursor), so that what the block shows next does not depend on
		// how fast the echo came. A key with no visible effect gives up
		// after a moment.
		echo, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		_ = t.waitUntil(echo, func() bool { return t.scr.cursor() != before })
		return 0, nil
	}
	var got prompt
	err := t.waitUntil(ctx, func() bool {
		if len(t.scr.prompts) > seen {
			got = t.scr.prompts[seen]
			return true
		}
		return false
	})
	if err != nil {
		return 0, fmt.Errorf("terminal %s: no prompt after pressing %s: %w", t.Name, strings.Join(names, " "), err)
	}
	return got.status, nil
}

// Close ends the shell and everything started in it.
func (t *Terminal) Close() error {
	_ = t.ptmx.Close()
	if t.cmd.Process != nil {
		_ = t.cmd.Process.Signal(os.Kill)
	}
	select {
	case <-t.exited:
	case <-time.After(5 * time.Second):
	}
	return os.Remove(t.rcfile)
}

// outputSince renders from start to end, dropping the rows that show the
// echo of the typed command. Called with t.mu held.
func (t *Terminal) outputSince(start pos, echo int, end pos) []string {
	lines, _ := t.output(start, echo, end)
	return lines
}

// output is outputSince, with the row each line starts on. The echo is
// dropped by rows, before wrapped rows are joined into lines, so a long
// command's echo goes whole whatever the shell sent to wrap it.
func (t *Terminal) output(start pos, echo int, end pos) ([]string, []int) {
	lines, rows := t.scr.render(pos{row: start.row + echo}, end)
	lines = trimBlank(lines)
	return lines, rows[:len(lines)]
}

// echoRows counts the screen rows the echo of a typed command takes: the
// first line starts where the cursor stood, the others at column 0 (PS2 is
// empty), and each wraps at the terminal's width. A line that fills its
// last row exactly takes no row more: after the echo of the tty, of
// readline or of busybox, output starts on the next row.
func echoRows(col int, lines []string) int {
	rows := 0
	for i, l := range lines {
		w := runewidth.StringWidth(l)
		if i == 0 {
			w += col
		}
		rows += max(1, (w+Width-1)/Width)
	}
	return rows
}

// innerPromptRE matches the last line of a nested shell's own prompt
// (root@1a2b3c:/#, $, #) before the runner has replaced it.
var innerPromptRE = regexp.MustCompile(`(^|[^\s])?[#$] ?$`)

// innerPrompt finds a nested shell's first prompt: the last non-empty line
// of the output so far, ending in # or $.
func innerPrompt(lines []string) (int, bool) {
	for i := len(lines) - 1; i >= 0; i-- {
		if lines[i] == "" {
			continue
		}
		if innerPromptRE.MatchString(lines[i]) {
			return i, true
		}
		return 0, false
	}
	return 0, false
}

func trimBlank(lines []string) []string {
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}
