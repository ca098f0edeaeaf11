package record

import (
	"github.com/labdocs/dockerlab/tools/internal/blocks"
	"github.com/labdocs/dockerlab/tools/internal/keys"
)

// A Group is one command of a console block and the output shown under
// it, as the runner read the transcript. The site renders console
// blocks from these and never parses a transcript itself, so the two
// cannot disagree about what is a command (a line ending in "\" that
// continues, a "$" alone) and what is output.
type Group struct {
	// Prompt is "$" (host) or "#" (root shell); "" for the output above
	// the block's first command.
	Prompt string `json:"prompt,omitempty"`
	// Cmd is the command as typed, continuation lines joined with "\n".
	Cmd string `json:"cmd,omitempty"`
	// At is the 0-based line of the block's text (.Inner) that holds
	// Out[0]: a Mark's Line minus At is its index in Out.
	At  int      `json:"at,omitempty"`
	Out []string `json:"out,omitempty"`
}

// GroupsOf reads a console block (run or skipped) into its groups.
func GroupsOf(b *blocks.Block) []Group {
	var gs []Group
	if len(b.Leading) > 0 {
		gs = append(gs, Group{Out: b.Leading})
	}
	for i, c := range b.Commands {
		g := Group{Prompt: c.Prompt, Cmd: c.Text}
		if len(c.Output) > 0 {
			g.Out = c.Output
			g.At, _ = b.OutputLine(i, 0)
		}
		gs = append(gs, g)
	}
	return gs
}

// A Key is one key the reader presses after a block's commands, with
// the words the site shows for it.
type Key struct {
	Name  string `json:"name"`  // as in keys=: "ctrl-c"
	Label string `json:"label"` // "Ctrl+C"
}

// keysOf names a block's keys= for the site.
func keysOf(names []string) []Key {
	var out []Key
	for _, n := range names {
		k, _ := keys.Find(n) // keys= is checked when the page is parsed
		out = append(out, Key{Name: n, Label: k.Label})
	}
	return out
}
