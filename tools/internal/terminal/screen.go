package terminal

import (
	"bytes"
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
// it stays valid while output scrolls.
type pos struct{ row, col int }

// screen feeds the PTY's bytes to a VT emulator and picks out prompts.
type screen struct {
	emu     *vt.Emulator
	width   int
	pending []byte // an unfinished marker kept until its end arrives
	prompts []prompt
}

func newScreen(width, height int) *screen {
	e := vt.NewEmulator(width, height)
	e.SetScrollbackSize(1 << 20)
	return &screen{emu: e, width: width}
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
	return pos{row: s.emu.ScrollbackLen() + c.Y, col: c.X}
}

// line renders absolute row r as text without trailing blanks.
func (s *screen) line(r int) string { return s.lineFrom(r, 0) }

// lineFrom renders row r from column x0 on.
func (s *screen) lineFrom(r, x0 int) string {
	sb := s.emu.ScrollbackLen()
	var b strings.Builder
	for x := x0; x < s.width; x++ {
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
	return strings.TrimRight(b.String(), " ")
}

// lines renders what lies between from and to: from's row from its
// column on, to's row when the cursor has moved into it (a row the cursor
// merely sits at the start of is empty).
func (s *screen) lines(from, to pos) []string {
	last := to.row
	if to.col == 0 {
		last--
	}
	var out []string
	for r := from.row; r <= last; r++ {
		if r == from.row && from.col > 0 {
			// The start of this row was shown already.
			out = append(out, s.lineFrom(r, from.col))
			continue
		}
		out = append(out, s.line(r))
	}
	return out
}
