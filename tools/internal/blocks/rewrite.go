package blocks

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Output is the complete output of a console block: what Rewrite
// writes, and what Block.Output reads.
type Output struct {
	Leading  []string   // lines before the first command
	Commands [][]string // one entry per command, in order
}

// Output returns a copy of the block's current output lines.
func (b *Block) Output() Output {
	o := Output{Leading: slices.Clone(b.Leading), Commands: make([][]string, len(b.Commands))}
	for i, c := range b.Commands {
		o.Commands[i] = slices.Clone(c.Output)
	}
	return o
}

// Rewrite returns the page with the output lines of the given console
// blocks replaced (its Src the new source, its blocks parsed from it);
// blocks not in outputs keep theirs. It reports whether anything
// changed: when every output equals the current one, or on error,
// Rewrite returns p itself.
//
// Only output regions change. A region whose lines are unchanged keeps
// its bytes; a changed one is written anew, each line with the block's
// line prefix (indentation, "> " markers) and line ending; a line of
// only spaces and tabs is written as an empty line. Command lines keep
// their bytes. Before returning, Rewrite parses the result and fails
// unless it reads back as the same page with the new outputs, so a bad
// output line never reaches the file. p must have parsed without error.
func (p *Page) Rewrite(outputs map[*Block]Output) (*Page, bool, error) {
	type edit struct {
		b    *Block
		repl []byte
	}
	var edits []edit
	var errs []error
	keys := make([]*Block, 0, len(outputs))
	for b := range outputs {
		keys = append(keys, b)
	}
	slices.SortFunc(keys, func(x, y *Block) int { return cmp.Or(x.Line-y.Line, x.Start-y.Start) })
	for _, b := range keys {
		o := outputs[b]
		fail := func(format string, args ...any) {
			errs = append(errs, &Error{Path: p.Path, Line: b.Line, Msg: fmt.Sprintf(format, args...)})
		}
		switch {
		case !slices.Contains(p.Blocks, b):
			fail("block is not one of this page's blocks")
			continue
		case b.Kind != Console:
			fail("%s block has no output to rewrite", b.Kind)
			continue
		case len(o.Commands) != len(b.Commands):
			fail("got output for %d commands; the block has %d", len(o.Commands), len(b.Commands))
			continue
		}
		if err := b.checkOutput(p.Src, o); err != nil {
			fail("%v", err)
			continue
		}
		if slices.Equal(o.Leading, b.Leading) && slices.EqualFunc(o.Commands, b.Commands, func(out []string, c Command) bool {
			return slices.Equal(out, c.Output)
		}) {
			continue
		}
		edits = append(edits, edit{b, b.rewrite(p.Src, o)})
	}
	if len(errs) > 0 {
		return p, false, errors.Join(errs...)
	}
	if len(edits) == 0 {
		return p, false, nil
	}

	slices.SortFunc(edits, func(x, y edit) int { return x.b.Start - y.b.Start })
	var out []byte
	last := 0
	for _, e := range edits {
		out = append(out, p.Src[last:e.b.Start]...)
		out = append(out, e.repl...)
		last = e.b.End
	}
	out = append(out, p.Src[last:]...)

	q, err := p.verify(out, outputs)
	if err != nil {
		return p, false, err
	}
	if bytes.Equal(out, p.Src) {
		return p, false, nil
	}
	return q, true, nil
}

// checkOutput rejects new output lines that could not be read back as
// output: the runner must drop carriage returns and split lines, and
// the author must not meet a prompt where the terminal printed text.
// Unchanged regions are not checked: they are kept as they are.
func (b *Block) checkOutput(src []byte, o Output) error {
	check := func(where string, old, lines []string) error {
		if slices.Equal(old, lines) {
			return nil
		}
		for _, s := range lines {
			if strings.ContainsAny(s, "\r\n") {
				return fmt.Errorf("%s: output line %q holds a line break", where, s)
			}
			if _, _, ok := cutPrompt(s); ok {
				return fmt.Errorf("%s: output line %q would read as a command (it starts with a prompt)", where, s)
			}
			if strings.Contains(s, "{{<") || strings.Contains(s, "{{%") {
				return fmt.Errorf("%s: output line %q holds \"{{<\" or \"{{%%\", which Hugo would expand as a shortcode", where, s)
			}
			if b.closes(s) {
				return fmt.Errorf("%s: output line %q would close the code block; use a longer fence", where, s)
			}
		}
		return nil
	}
	if err := check("leading output", b.Leading, o.Leading); err != nil {
		return err
	}
	for i, c := range b.Commands {
		where := fmt.Sprintf("command on line %d", c.Line)
		if err := check(where, c.Output, o.Commands[i]); err != nil {
			return err
		}
		if i == len(b.Commands)-1 && len(o.Commands[i]) > 0 && b.kinds[len(b.kinds)-1] != outputLine && continues(b.value(src, len(b.lines)-1)) {
			return fmt.Errorf("%s: the block ends inside this command (its last line ends with \\), so it can have no output", where)
		}
	}
	return nil
}

// closes reports whether s, as a content line, would be a closing fence.
func (b *Block) closes(s string) bool {
	t := strings.TrimLeft(s, " ")
	if len(s)-len(t) >= 4 {
		return false
	}
	n := len(t) - len(strings.TrimLeft(t, string(b.char)))
	return n >= b.length && strings.TrimSpace(t[n:]) == ""
}

// rewrite returns the new bytes for src[b.Start:b.End].
func (b *Block) rewrite(src []byte, o Output) []byte {
	prefix := b.prefix(src)
	type item struct {
		s          []byte
		new, blank bool
	}
	var items []item
	i := 0
	region := func(old, new []string) {
		if slices.Equal(old, new) {
			for range old {
				items = append(items, item{s: src[b.lines[i].start:b.lines[i].end]})
				i++
			}
			return
		}
		i += len(old)
		for _, s := range new {
			if isBlank(s) {
				// An empty line needs no indentation, but keeps "> ".
				items = append(items, item{s: []byte(strings.TrimRight(prefix, " \t")), new: true, blank: true})
			} else {
				items = append(items, item{s: []byte(prefix + s), new: true})
			}
		}
	}
	region(b.Leading, o.Leading)
	for c := range b.Commands {
		items = append(items, item{s: src[b.lines[i].start:b.lines[i].end]})
		for i++; i < len(b.lines) && b.kinds[i] == continuationLine; i++ {
			items = append(items, item{s: src[b.lines[i].start:b.lines[i].end]})
		}
		region(b.Commands[c].Output, o.Commands[c])
	}

	var out []byte
	if len(b.lines) == 0 && b.Start > 0 && src[b.Start-1] != '\n' {
		out = append(out, b.eol...) // the opening fence ends the file
	}
	// Whether the content ends with a line ending: it does unless the
	// block runs to an EOF that has none.
	endEOL := b.Start < len(src)
	if len(b.lines) > 0 {
		endEOL = src[b.End-1] == '\n'
	}
	for k, it := range items {
		out = append(out, it.s...)
		hasEOL := len(it.s) > 0 && it.s[len(it.s)-1] == '\n'
		// The last line goes without a line ending only if the block
		// ran to an EOF without one, and only if the line is not empty:
		// goldmark drops an empty last line that has no line ending.
		if !hasEOL && (k < len(items)-1 || (it.new && (endEOL || it.blank))) {
			if bytes.HasSuffix(it.s, []byte("\r")) {
				out = append(out, '\n') // the last line's lone "\r" reads as half a CRLF
			} else {
				out = append(out, b.eol...)
			}
		}
	}
	return out
}

// prefix returns the bytes to put before a new content line. The
// first guess is what comes before the text of the widest-indented
// ordinary line of the block, which went through the containers'
// markers and, usually, all of the fence's indentation. Then comes the
// opening fence's prefix with list and footnote markers blanked out,
// with more, then less and less indentation. The first guess with which a probe
// line reads back as written wins.
func (b *Block) prefix(src []byte) string {
	var guesses []string
	best, bestW := "", -1
	for i, l := range b.lines {
		if l.pad != 0 || isBlank(b.value(src, i)) {
			continue
		}
		p := src[l.start:l.text]
		if w := width(p); w > bestW {
			best, bestW = string(p), w
		}
	}
	if bestW >= 0 {
		guesses = append(guesses, quoteSpace(best))
	}
	ls := bytes.LastIndexByte(src[:b.fence], '\n') + 1
	p := []byte(string(src[ls:b.fence]))
	for i, c := range p {
		if c != '>' && c != ' ' && c != '\t' {
			p[i] = ' '
		}
	}
	cut := bytes.LastIndexByte(p, '>') + 1
	head := quoteSpace(string(p[:cut]))
	// Tabs after a list marker can put the item's content further
	// right than their width, hence the extra columns.
	for n := width(p) - cut + 4; n >= 0; n-- {
		guesses = append(guesses, head+strings.Repeat(" ", n))
	}
	for _, g := range guesses {
		if b.probe(src, g) {
			return g
		}
	}
	return guesses[0] // Rewrite's check will fail
}

// quoteSpace gives a prefix ending in ">" its optional space: after ">"
// a block quote takes one space (or a column of a tab), so a text that
// starts with a blank would lose it.
func quoteSpace(p string) string {
	if strings.HasSuffix(p, ">") {
		return p + " "
	}
	return p
}

// probe reports whether the page, with b's content replaced by one line
// of prefix p and a text that starts with blanks, reads that text back:
// then p took all of the containers' and the fence's indentation, and
// no more.
func (b *Block) probe(src []byte, p string) bool {
	const text = " \tprobe"
	var buf []byte
	buf = append(buf, src[:b.Start]...)
	if b.Start > 0 && src[b.Start-1] != '\n' {
		buf = append(buf, b.eol...)
	}
	buf = append(buf, p+text+b.eol...)
	buf = append(buf, src[b.End:]...)
	q, err := Parse("", buf)
	if err != nil {
		return false
	}
	for _, nb := range q.Blocks {
		if nb.fence == b.fence {
			return len(nb.lines) == 1 && nb.Text == text
		}
	}
	return false
}

// isBlank reports whether s is empty or only spaces and tabs. Such an
// output line is written, and read back, as an empty line: inside a
// list item Markdown cannot keep its blanks.
func isBlank(s string) bool { return strings.Trim(s, " \t") == "" }

// width is the number of columns of an indentation, tab stops at 4.
func width(p []byte) int {
	w := 0
	for _, c := range p {
		if c == '\t' {
			w += 4 - w%4
		} else {
			w++
		}
	}
	return w
}

// written returns the lines a region reads back as after rewrite.
func written(old, new []string) []string {
	if slices.Equal(old, new) {
		return old
	}
	out := make([]string, len(new))
	for i, s := range new {
		if !isBlank(s) {
			out[i] = s
		}
	}
	return out
}

// verify checks that out parses as p with the new outputs, and returns
// the page it parsed.
func (p *Page) verify(out []byte, outputs map[*Block]Output) (*Page, error) {
	q, err := Parse(p.Path, out)
	if err != nil {
		return nil, fmt.Errorf("rewritten page does not parse: %w", err)
	}
	if len(q.Blocks) != len(p.Blocks) {
		return nil, &Error{Path: p.Path, Line: 1, Msg: fmt.Sprintf("rewritten page has %d blocks instead of %d", len(q.Blocks), len(p.Blocks))}
	}
	for i, b := range p.Blocks {
		nb := q.Blocks[i]
		o, ok := outputs[b]
		same := nb.Kind == b.Kind && nb.Lang == b.Lang && len(nb.Commands) == len(b.Commands)
		if same && ok {
			same = slices.Equal(nb.Leading, written(b.Leading, o.Leading))
			for j, c := range b.Commands {
				nc := nb.Commands[j]
				same = same && nc.Prompt == c.Prompt && nc.Text == c.Text && slices.Equal(nc.Output, written(c.Output, o.Commands[j]))
			}
		} else {
			same = same && nb.Text == b.Text
		}
		if !same {
			return nil, &Error{Path: p.Path, Line: b.Line, Msg: "rewritten block does not read back the same; an output line may look like a prompt or a closing fence"}
		}
	}
	return q, nil
}
