package terminal

import (
	"bytes"
	"image"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/vt"
)

// Prompts are found in the raw byte stream, not on the screen: the shell
// prints an OSC escape sequence that a real terminal ignores, so the screen
// a reader would see never contains it, yet the runner learns the exit
// status and the nesting level of the shell that printed it.
//
//	ESC ] 7777 ; L<level> ; <status> ; <sequence number> BEL
//
// The shell counts its prompts, so that a prompt repainted (same number)
// is told apart from a new one.
const marker = "\x1b]7777;L"

// prompt is one sentinel prompt seen in the stream.
type prompt struct {
	level, status, seq int
	pos                pos // where the cursor stood when the prompt was printed
}

// pos is an absolute cursor position: row counts scrollback rows too, so
// it stays valid while output scrolls. col is the width when the row is
// full and the cursor waits for the next character to wrap.
type pos struct{ row, col int }

// screen feeds the PTY's bytes to a VT emulator and picks out prompts.
type screen struct {
	emu     *vt.Emulator
	width   int
	pending []byte // an unfinished marker kept until its end arrives
	prompts []prompt

	wrapped map[int]bool   // absolute rows the terminal wrapped a line onto
	move    [2]image.Point // the cursor's last move (from, to)
}

func newScreen(width, height int) *screen {
	e := vt.NewEmulator(width, height)
	e.SetScrollbackSize(1 << 20)
	s := &screen{emu: e, width: width, wrapped: map[int]bool{}}
	e.SetCallbacks(vt.Callbacks{CursorPosition: s.moved})
	return s
}

// moved watches the cursor to tell rows the terminal wrapped from lines
// the program ended; vt keeps its pending-wrap state private. A character
// arriving after the last column first moves the cursor down a row (when
// scrolling, to the top and back) without leaving the last column, then,
// printed at column 0, puts it just after itself: straight from the last
// column to column 1 (2 if wide). A line ended by CR LF passes column 0.
func (s *screen) moved(from, to image.Point) {
	prev := s.move
	s.move = [2]image.Point{from, to}
	if s.emu.IsAltScreen() || from.Y != to.Y || (to.X != 1 && to.X != 2) {
		return
	}
	row := s.emu.ScrollbackLen() + to.Y
	switch last := s.width - 1; {
	case from.X == last && prev[1] == from && prev[0].X == last && prev[0].Y != from.Y:
		s.wrapped[row] = true
	case from.X == 0:
		// Printed at column 0 without wrapping: a line starts here, and
		// a row wrapped onto this one earlier no longer continues it.
		delete(s.wrapped, row)
		delete(s.wrapped, row+1)
	}
}

// write consumes a chunk read from the PTY.
func (s *screen) write(chunk []byte) {
	data := append(s.pending, chunk...)
	s.pending = nil
	for len(data) > 0 {
		i := bytes.Index(data, []byte(marker))
		if i < 0 {
			// Keep a tail that could be the start of a marker split
			// across reads.
			keep := partialSuffix(data, marker)
			s.feed(data[:len(data)-keep])
			s.pending = append([]byte(nil), data[len(data)-keep:]...)
			return
		}
		s.feed(data[:i])
		end := bytes.IndexByte(data[i:], '\a')
		if end < 0 {
			if len(data)-i > 64 { // not ours after all
				s.feed(data[i:])
				return
			}
			s.pending = append([]byte(nil), data[i:]...)
			return
		}
		body := string(data[i+len(marker) : i+end])
		if p, ok := parsePrompt(body); ok {
			p.pos = s.cursor()
			s.prompts = append(s.prompts, p)
		} else {
			s.feed(data[i : i+end+1])
		}
		data = data[i+end+1:]
	}
}

func (s *screen) feed(b []byte) {
	if len(b) > 0 {
		_, _ = s.emu.Write(b)
	}
}

func parsePrompt(body string) (prompt, bool) {
	f := strings.Split(body, ";")
	if len(f) != 3 {
		return prompt{}, false
	}
	var n [3]int
	for i := range f {
		v, err := strconv.Atoi(f[i])
		if err != nil {
			return prompt{}, false
		}
		n[i] = v
	}
	return prompt{level: n[0], status: n[1], seq: n[2]}, true
}

// partialSuffix is the length of the longest suffix of b that is a proper
// prefix of m.
func partialSuffix(b []byte, m string) int {
	for n := min(len(b), len(m)-1); n > 0; n-- {
		if string(b[len(b)-n:]) == m[:n] {
			return n
		}
	}
	return 0
}

func (s *screen) cursor() pos {
	c := s.emu.CursorPosition()
	p := pos{row: s.emu.ScrollbackLen() + c.Y, col: c.X}
	// vt keeps the cursor in the last column after printing there, until
	// the next character wraps. A character in that cell is taken as
	// this state: the row is full, so an echo starts on the next row and
	// a Show from here does not repeat the last character.
	if c.X == s.width-1 {
		if cell := s.emu.CellAt(c.X, c.Y); cell != nil && strings.TrimSpace(cell.Content) != "" {
			p.col = s.width
		}
	}
	return p
}

// line renders absolute row r as text without trailing blanks.
func (s *screen) line(r int) string { return strings.TrimRight(s.cells(r, 0), " ") }

// continues reports whether row r goes on with the line of row r-1: the
// terminal wrapped onto it, and row r-1 still holds text.
func (s *screen) continues(r int) bool { return s.wrapped[r] && s.line(r-1) != "" }

// lineStart is the row where the line shown on row r starts.
func (s *screen) lineStart(r int) int {
	for r > 0 && s.continues(r) {
		r--
	}
	return r
}

// cells renders row r from column x0 to the last column, blanks kept.
func (s *screen) cells(r, x0 int) string {
	sb := s.emu.ScrollbackLen()
	var b strings.Builder
	x := x0
	for ; x < s.width; x++ {
		var content string
		var width int
		if r < sb {
			c := s.emu.ScrollbackCellAt(x, r)
			if c == nil {
				break
			}
			content, width = c.Content, c.Width
		} else {
			c := s.emu.CellAt(x, r-sb)
			if c == nil {
				break
			}
			content, width = c.Content, c.Width
		}
		switch {
		case content == "" && width == 0:
			// the second half of a wide character
		case content == "":
			b.WriteByte(' ')
		default:
			b.WriteString(content)
		}
	}
	// Scrollback rows are stored without their trailing blanks; a space
	// in the last column matters when the next row continues the line.
	b.WriteString(strings.Repeat(" ", max(0, s.width-x)))
	return b.String()
}

// lines renders what lies between from and to: from's row from its
// column on, to's row when the cursor has moved into it (a row the cursor
// merely sits at the start of is empty). A row the terminal wrapped onto
// is joined to the line it continues, as a reader's wider window or a
// copy of the text would have it.
func (s *screen) lines(from, to pos) []string {
	out, _ := s.render(from, to)
	return out
}

// render is lines, with the row each line starts on.
func (s *screen) render(from, to pos) (lines []string, rows []int) {
	last := to.row
	if to.col == 0 {
		last--
	}
	x0 := from.col // the start of from's row was shown already
	for r := from.row; r <= last; r++ {
		text := s.cells(r, x0)
		x0 = 0
		if r > from.row && s.continues(r) {
			lines[len(lines)-1] += text
			continue
		}
		lines = append(lines, text)
		rows = append(rows, r)
	}
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " ")
	}
	return lines, rows
}
