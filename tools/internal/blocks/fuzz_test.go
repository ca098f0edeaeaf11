package blocks

import (
	"bytes"
	"testing"
)

// FuzzRoundTrip checks, for any page that parses: rewriting every
// console block with its own output gives the page back unchanged; and
// rewriting with made-up outputs gives a page that reads back with
// those outputs, the same commands and the same other blocks, changed
// only inside output regions. outs supplies the made-up lines and,
// through its bytes, how many lines each region gets.
func FuzzRoundTrip(f *testing.F) {
	outs := []byte("new\n\n  indented\n\tx\n")
	for _, tt := range parseTests {
		f.Add([]byte(tt.src), outs)
	}
	for _, src := range corpus(f) {
		f.Add(src, outs)
	}
	f.Fuzz(func(t *testing.T, src, outs []byte) {
		p, err := Parse("fuzz.md", src)
		if err != nil {
			return
		}
		checkRoundTrip(t, p)
		if outputs := madeUpOutputs(p, outs); len(outputs) > 0 {
			checkRewrite(t, p, outputs)
		}
	})
}

// madeUpOutputs derives new outputs for p's console blocks from outs,
// leaving out what Rewrite rightly refuses: line breaks, prompts,
// fences, shortcodes and summary dividers.
func madeUpOutputs(p *Page, outs []byte) map[*Block]Output {
	var pool []string
	for _, l := range bytes.Split(outs, []byte("\n")) {
		l = bytes.ReplaceAll(l, []byte("\r"), nil)
		l = bytes.ReplaceAll(l, []byte("`"), nil)
		l = bytes.ReplaceAll(l, []byte("~"), nil)
		l = bytes.ReplaceAll(l, []byte("{"), []byte("("))
		l = bytes.ReplaceAll(l, []byte("<!--more-->"), nil)
		if len(l) > 0 && (l[0] == '$' || l[0] == '#') {
			l[0] = '%'
		}
		pool = append(pool, string(l))
	}
	n := 0
	next := func() []string {
		k := 0
		if len(outs) > 0 {
			k = int(outs[n%len(outs)]) % 4
		}
		lines := make([]string, k)
		for i := range lines {
			lines[i] = pool[n%len(pool)]
			n++
		}
		n++
		return lines
	}
	outputs := map[*Block]Output{}
	for _, b := range p.Blocks {
		if b.Kind != Console {
			continue
		}
		o := Output{Leading: next()}
		for i := range b.Commands {
			lines := next()
			if i == len(b.Commands)-1 && b.kinds[len(b.kinds)-1] != outputLine && continues(b.value(p.Src, len(b.lines)-1)) {
				lines = nil
			}
			o.Commands = append(o.Commands, lines)
		}
		outputs[b] = o
	}
	return outputs
}
