package record

import (
	"strings"
	"unicode/utf8"

	"github.com/labdocs/dockerlab/tools/internal/blocks"
	"github.com/labdocs/dockerlab/tools/internal/keys"
)

// TypedMarks finds, in a console block's transcript, the echo of what
// the reader typed (the block's input=) and of the keys pressed (keys=),
// starting at output line from of command cmd (-1: leading output),
// where the runner began typing. What is not found is not marked: the
// transcript, not the attribute, is what the page shows.
func TypedMarks(b *blocks.Block, cmd, from int) []Mark {
	out := b.Leading
	if cmd >= 0 {
		if cmd >= len(b.Commands) {
			return nil
		}
		out = b.Commands[cmd].Output
	}
	var marks []Mark
	// A prompt printed without a newline before the typing shares its
	// line with the echo, so the echo may start one line early. Each
	// echo is looked for after the one before.
	k := max(from-1, 0)
	mark := func(text, kind string) {
		for j := k; j < len(out); j++ {
			col := strings.Index(out[j], text)
			if col < 0 {
				continue
			}
			if line, ok := b.OutputLine(cmd, j); ok {
				marks = append(marks, Mark{Line: line, Col: utf8.RuneCountInString(out[j][:col]), Text: text, Kind: kind})
			}
			k = j + 1
			return
		}
	}
	if in := b.Opts.Input; in != "" {
		mark(in, "input")
	}
	for _, key := range b.Opts.Keys {
		// A key without an echo leaves nothing the reader could point at.
		if pressed, _ := keys.Find(key); pressed.Echo != "" {
			mark(pressed.Echo, "key")
		}
	}
	return marks
}

// Ran is what a run tells of one block beyond the page's text.
type Ran struct {
	Inside string // container whose shell the block typed into
	// Typed: the block typed input or pressed keys, starting at output
	// line From of command Cmd (-1: leading output).
	Typed     bool
	Cmd, From int
}

// BlocksOf lists every fenced block of a captured page for its record,
// in page order; ran[i] is what the run tells of p.Blocks[i].
func BlocksOf(p *blocks.Page, ran []Ran) []Block {
	out := make([]Block, 0, len(p.Blocks))
	seq := 0
	for i, b := range p.Blocks {
		e := Block{Hash: b.Hash(), Line: b.Line, Kind: b.Kind.String()}
		if b.Lang == "console" {
			e.Groups = GroupsOf(b)
		}
		if b.Kind == blocks.Console {
			seq++
			e.Seq, e.Term, e.Keys = seq, b.Opts.Term, keysOf(b.Opts.Keys)
			if i < len(ran) {
				e.Inside = ran[i].Inside
				if ran[i].Typed {
					e.Typed = TypedMarks(b, ran[i].Cmd, ran[i].From)
				}
			}
		}
		out = append(out, e)
	}
	return out
}
