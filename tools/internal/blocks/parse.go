package blocks

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// Kind says what the runner does with a block.
type Kind int

const (
	// Console blocks are terminal transcripts: the runner types their
	// commands and rewrites their output lines.
	Console Kind = iota + 1
	// File blocks are written into the page's work folder.
	File
	// Skipped blocks are shown on the site but never run.
	Skipped
)

func (k Kind) String() string {
	switch k {
	case Console:
		return "console"
	case File:
		return "file"
	case Skipped:
		return "skipped"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// A Page is a parsed Markdown file.
type Page struct {
	Path   string   // as given to Parse; used in error messages
	Src    []byte   // the whole file, front matter included
	Blocks []*Block // in source order

	// Warnings are problems that do not stop the page from running,
	// such as a block with no closing fence, in source order.
	Warnings []*Error
}

// A Block is one fenced code block of a page.
type Block struct {
	Kind  Kind
	Lang  string         // as Hugo's .Type: the info string up to the first space or "{"
	Attrs map[string]any // names lower-cased, as Hugo does; values string, float64, bool or []any
	Opts  Options        // Attrs, checked and typed

	Line       int // 1-based line of the opening fence
	Start, End int // byte range of the content lines in Page.Src, fences excluded; empty for an empty block

	// Text is the content exactly as Hugo's render hook .Inner gives it:
	// the lines without container markers and indentation, joined with
	// their own line endings, trailing "\n" and "\r" trimmed.
	Text string

	Leading  []string  // console: output lines before the first command
	Commands []Command // console: the commands, in order

	lines  []line // the content lines, one per goldmark segment
	kinds  []lineKind
	eol    string // line ending of the opening fence line, "\n" if it has none
	fence  int    // offset of the opening fence's first character
	char   byte   // fence character, '`' or '~'
	length int    // fence length
	info   []byte // the info string
}

// A Command is one command of a console block.
type Command struct {
	Prompt string   // "$" or "#"
	Text   string   // without the prompt; continuation lines joined with "\n", verbatim
	Line   int      // 1-based line of the prompt
	Output []string // the output lines that follow, up to the next command
}

// A line is one content line of a block as goldmark sees it.
type line struct {
	start int // first byte of the line in Src: container markers and indentation included
	text  int // first byte of the code text
	pad   int // spaces goldmark puts before the text (a tab split by indentation)
	end   int // just past the line ending, or EOF
}

type lineKind uint8

const (
	outputLine lineKind = iota
	promptLine
	continuationLine
)

// Hash is the hex SHA-256 of Text. The site template computes
// sha256 .Inner for the same block; equal hashes mean the page shows
// the code that was run.
func (b *Block) Hash() string {
	sum := sha256.Sum256([]byte(b.Text))
	return hex.EncodeToString(sum[:])
}

// value is the text of content line i without its line ending, as
// goldmark gives it (padding spaces included).
func (b *Block) value(src []byte, i int) string {
	l := b.lines[i]
	s := string(src[l.text:l.end])
	s = strings.TrimSuffix(s, "\n")
	s = strings.TrimSuffix(s, "\r")
	return strings.Repeat(" ", l.pad) + s
}

// An Error is one problem in a page.
type Error struct {
	Path string
	Line int
	Msg  string
}

func (e *Error) Error() string { return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg) }

// fenceWatcher is goldmark's fenced code block parser, noting in the
// parse's context which blocks end at a closing fence: the others end
// with their container (a list item, a block quote) or the file.
type fenceWatcher struct{ parser.BlockParser }

var closedKey = parser.NewContextKey()

func (f fenceWatcher) Continue(n ast.Node, r text.Reader, pc parser.Context) parser.State {
	s := f.BlockParser.Continue(n, r, pc)
	if closed, ok := pc.Get(closedKey).(map[ast.Node]bool); ok && s&parser.Close != 0 {
		closed[n] = true
	}
	return s
}

// Parse parses a page as a Hugo site with no markup settings would
// (HugoDefaults); a page of a site is parsed with ParseWith and the
// site's SiteMarkup.
func Parse(path string, src []byte) (*Page, error) { return ParseWith(HugoDefaults, path, src) }

// ParseWith parses a page with the markup settings of its site; path is
// only used in messages. The page keeps src as its Src, so src must not
// change while the page is used. The error, if any, joins one *Error
// per problem, in source order; the page then holds the blocks that had
// none. Warnings, error or not, are in Page.Warnings.
func ParseWith(m Markup, path string, src []byte) (*Page, error) {
	p := &Page{Path: path, Src: src}
	var errs []error
	fail := func(off int, format string, args ...any) {
		errs = append(errs, &Error{Path: path, Line: lineAt(src, off), Msg: fmt.Sprintf(format, args...)})
	}

	base, err := contentStart(src)
	if err != nil {
		fail(0, "%v", err)
		return p, errors.Join(errs...)
	}
	// Full slice expression: goldmark's Segment.Value appends "\n" to a
	// last line without one, which would write into spare capacity of
	// src, racing with anyone else reading it.
	content := src[base:len(src):len(src)]
	closed := map[ast.Node]bool{}
	pc := parser.NewContext()
	pc.Set(closedKey, closed)
	doc := m.goldmark().Parser().Parse(text.NewReader(content), parser.WithContext(pc))

	var nodes []*ast.FencedCodeBlock
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if f, ok := n.(*ast.FencedCodeBlock); ok && entering {
			nodes = append(nodes, f)
		}
		return ast.WalkContinue, nil
	})
	// Footnote definitions move to the end of the document; the runner
	// wants source order.
	slices.SortFunc(nodes, func(a, b *ast.FencedCodeBlock) int { return a.Pos() - b.Pos() })

	// Hugo's page lexer knows no Markdown: it replaces the first
	// summary divider and every shortcode even inside code blocks.
	divider := bytes.Index(content, []byte("<!--more-->"))
	if divider >= 0 {
		divider += base
	}

	for _, n := range nodes {
		b := newBlock(src, base, content, n)
		if !closed[n] {
			p.Warnings = append(p.Warnings, &Error{Path: path, Line: b.Line, Msg: b.unclosed(src)})
		}
		before := len(errs)
		fail := func(format string, args ...any) { fail(b.fence, format, args...) }
		b.check(fail)
		b.info = nil
		if b.Start <= divider && divider < b.End {
			fail("the block holds the page's first <!--more-->, which Hugo replaces even in a code block; put a <!--more--> above the block")
		}
		if (b.Kind == Console || b.Kind == File) && (strings.Contains(b.Text, "{{<") || strings.Contains(b.Text, "{{%")) {
			fail(`the block holds "{{<" or "{{%%", which Hugo expands as a shortcode even in a code block, so the page would not show what runs; avoid it or add skip="…"`)
		}
		if len(errs) == before {
			p.Blocks = append(p.Blocks, b)
		}
	}
	return p, errors.Join(errs...)
}

func newBlock(src []byte, base int, content []byte, n *ast.FencedCodeBlock) *Block {
	b := &Block{fence: base + n.Pos()}
	b.Line = lineAt(src, b.fence)
	b.char = src[b.fence]
	for i := b.fence; i < len(src) && src[i] == b.char; i++ {
		b.length++
	}
	b.eol = "\n"
	if i := bytes.IndexByte(src[b.fence:], '\n'); i > 0 && src[b.fence+i-1] == '\r' {
		b.eol = "\r\n"
	}

	// Hugo's codeblocks renderer: .Inner is the segment values joined,
	// with trailing "\n" and "\r" removed (htext.Chomp). Inner "\r\n"
	// line endings and the spaces goldmark adds for split tabs stay.
	var inner strings.Builder
	for i := 0; i < n.Lines().Len(); i++ {
		seg := n.Lines().At(i)
		inner.Write(seg.Value(content))
		l := line{text: base + seg.Start, pad: seg.Padding, end: base + seg.Stop}
		l.start = bytes.LastIndexByte(src[:l.text], '\n') + 1
		b.lines = append(b.lines, l)
	}
	b.Text = strings.TrimRight(inner.String(), "\r\n")

	b.Start = bytes.IndexByte(src[b.fence:], '\n')
	if b.Start < 0 {
		b.Start = len(src)
	} else {
		b.Start += b.fence + 1
	}
	b.End = b.Start
	if len(b.lines) > 0 {
		b.Start, b.End = b.lines[0].start, b.lines[len(b.lines)-1].end
	}

	var info []byte
	if n.Info != nil {
		info = n.Info.Segment.Value(content)
	}
	b.Lang, _, _ = strings.Cut(string(n.Language(content)), "{")
	b.info = info
	b.splitConsole(src)
	return b
}

// unclosed says what became of b, which has no closing fence.
func (b *Block) unclosed(src []byte) string {
	fence := strings.Repeat(string(b.char), b.length)
	if len(bytes.TrimSpace(src[b.End:])) == 0 {
		return fmt.Sprintf("code block has no closing %s, so it runs to the end of the file; add a %s line where it ends", fence, fence)
	}
	return fmt.Sprintf("code block has no closing %s, so it ends with the list item or block quote it is in; add a %s line where it ends, indented as the opening one", fence, fence)
}

// splitConsole classifies the lines of a console block, skipped or
// not: a skipped one still shows its commands.
func (b *Block) splitConsole(src []byte) {
	b.kinds = make([]lineKind, len(b.lines))
	if b.Lang != "console" {
		return
	}
	cont := false
	for i := range b.lines {
		v := b.value(src, i)
		if cont {
			b.kinds[i] = continuationLine
			c := &b.Commands[len(b.Commands)-1]
			c.Text += "\n" + v
			cont = continues(v)
			continue
		}
		if prompt, rest, ok := cutPrompt(v); ok {
			b.kinds[i] = promptLine
			b.Commands = append(b.Commands, Command{Prompt: prompt, Text: rest, Line: lineAt(src, b.lines[i].start), Output: []string{}})
			cont = continues(rest)
			continue
		}
		if len(b.Commands) == 0 {
			b.Leading = append(b.Leading, v)
		} else {
			c := &b.Commands[len(b.Commands)-1]
			c.Output = append(c.Output, v)
		}
	}
	if b.Leading == nil {
		b.Leading = []string{}
	}
}

// cutPrompt reports whether s is a command line and splits it.
func cutPrompt(s string) (prompt, rest string, ok bool) {
	if s == "$" || s == "#" {
		return s, "", true
	}
	if len(s) >= 2 && (s[0] == '$' || s[0] == '#') && s[1] == ' ' {
		return s[:1], s[2:], true
	}
	return "", "", false
}

// continues reports whether a command line goes on: it ends with an
// unescaped backslash, as the shell sees it.
func continues(s string) bool {
	n := len(s) - len(strings.TrimRight(s, `\`))
	return n%2 == 1
}

func lineAt(src []byte, off int) int {
	return bytes.Count(src[:min(off, len(src))], []byte{'\n'}) + 1
}

// contentStart returns the offset where Hugo's content starts, after
// front matter, mirroring lexIntroSection in Hugo's parser/pageparser.
// Hugo skips blank space and a byte order mark, then looks at the first
// character: "-" and "+" open YAML and TOML front matter (and are an
// error without the full "---" or "+++"), "{" opens JSON, "#+" opens
// Org-mode front matter. The closing delimiter and one line ending
// after it belong to the front matter.
func contentStart(src []byte) (int, error) {
	start := 0
	for i := 0; i < len(src); {
		r, w := utf8.DecodeRune(src[i:])
		switch {
		case r == '-':
			return delimited(src, i, "---", "YAML")
		case r == '+':
			return delimited(src, i, "+++", "TOML")
		case r == '{':
			return jsonEnd(src, i)
		case r == '#':
			if !bytes.HasPrefix(src[i:], []byte("#+")) {
				return start, nil
			}
			return orgEnd(src, i), nil
		case r == '\uFEFF':
			start = i + w
		case !isSpace(r):
			return start, nil
		}
		i += w
	}
	return start, nil
}

func isSpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ':
		return true
	}
	return false
}

// crlf skips an optional "\r" and an optional "\n" at i.
func crlf(src []byte, i int) (int, bool) {
	j := i
	if j < len(src) && src[j] == '\r' {
		j++
	}
	if j < len(src) && src[j] == '\n' {
		j++
	}
	return j, j > i
}

func delimited(src []byte, i int, delim, name string) (int, error) {
	if !bytes.HasPrefix(src[i:], []byte(delim)) {
		return 0, fmt.Errorf("invalid %s front matter delimiter: Hugo reads a page that starts with %q as front matter; start it with %s or with other text", name, delim[:1], delim)
	}
	i, eol := crlf(src, i+3)
	for {
		if !eol {
			if i >= len(src) {
				return 0, fmt.Errorf("%s front matter has no closing %s line", name, delim)
			}
			eol = src[i] == '\r' || src[i] == '\n'
			i++
		}
		if eol && bytes.HasPrefix(src[i:], []byte(delim)) {
			j, _ := crlf(src, i+3)
			return j, nil
		}
		eol = false
	}
}

func jsonEnd(src []byte, i int) (int, error) {
	start := i
	level, inQuote := 0, false
	for {
		if i >= len(src) {
			return 0, errors.New("JSON front matter has no closing }")
		}
		r, w := utf8.DecodeRune(src[i:])
		i += w
		switch r {
		case '{':
			if !inQuote {
				level++
			}
		case '}':
			if !inQuote {
				level--
			}
		case '"':
			inQuote = !inQuote
		case '\\':
			if i < len(src) {
				_, w := utf8.DecodeRune(src[i:])
				i += w
			}
		}
		if level == 0 {
			// Hugo unmarshals it; a page that starts with a shortcode
			// fails there.
			if !json.Valid(src[start:i]) {
				return 0, errors.New(`JSON front matter is not valid JSON; Hugo reads a page that starts with "{" as JSON front matter, so do not start a page with a shortcode`)
			}
			j, _ := crlf(src, i)
			return j, nil
		}
	}
}

func orgEnd(src []byte, i int) int {
	for i < len(src) {
		c := src[i]
		i++
		if c == '\n' && !bytes.HasPrefix(src[i:], []byte("#+")) {
			break
		}
	}
	return i
}

// RunText is the text of the blocks the runner runs or writes (skipped
// blocks left out), one after the other: where to look for the names a
// page uses.
func (p *Page) RunText() string {
	var b strings.Builder
	for _, bl := range p.Blocks {
		if bl.Kind != Skipped {
			b.WriteString(bl.Text)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// OutputLine is the 0-based line of the block's Text that holds output
// line k of command cmd (of the leading output when cmd is -1), and
// false when there is no such line.
func (b *Block) OutputLine(cmd, k int) (int, bool) {
	c := -1
	n := 0
	for i, kind := range b.kinds {
		switch kind {
		case promptLine:
			c++
			n = 0
		case outputLine:
			if c == cmd && n == k {
				return i, i < strings.Count(b.Text, "\n")+1
			}
			n++
		}
	}
	return 0, false
}

// Recorded reports whether the runner takes the page and writes its
// record: it has a block the runner runs or uses (a console or a file
// block), or a console block shown but skipped, which the site renders
// from the record too.
func (p *Page) Recorded() bool {
	for _, b := range p.Blocks {
		if b.Kind == Console || b.Kind == File || b.Lang == "console" {
			return true
		}
	}
	return false
}
