package blocks

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

// span is a byte range of a page.
type span struct{ start, end int }

// regions returns, in order, the output regions of every console block
// of p: the leading output, then each command's output. A command's
// region starts before the line ending of the command's last line, so
// that adding output after a command that ends the file without one
// counts as a change inside the region.
func regions(p *Page) []span {
	var out []span
	for _, b := range p.Blocks {
		if b.Kind != Console {
			continue
		}
		i := 0
		next := func() int { // start of line i, or the end of the content
			if i < len(b.lines) {
				return b.lines[i].start
			}
			return b.End
		}
		// Start follows the opening fence's line ending, if it has one.
		i = len(b.Leading)
		out = append(out, span{beforeEOL(p.Src, b.Start), next()})
		for _, c := range b.Commands {
			for i++; i < len(b.lines) && b.kinds[i] == continuationLine; i++ {
			}
			start := beforeEOL(p.Src, b.lines[i-1].end)
			i += len(c.Output)
			out = append(out, span{start, next()})
		}
	}
	return out
}

// beforeEOL returns the offset of the line ending that ends at end:
// "\n" or "\r\n", or a lone "\r" at EOF, to which Rewrite may add "\n".
func beforeEOL(src []byte, end int) int {
	if end > 0 && src[end-1] == '\n' {
		end--
	}
	if end > 0 && src[end-1] == '\r' {
		end--
	}
	return end
}

// checkOnlyOutputsChanged fails unless old and new differ only inside
// output regions: the bytes between consecutive regions are the same.
func checkOnlyOutputsChanged(t testing.TB, old, new *Page) {
	t.Helper()
	ro, rn := regions(old), regions(new)
	if len(ro) != len(rn) {
		t.Fatalf("%d output regions before, %d after", len(ro), len(rn))
	}
	po, pn := 0, 0
	for k := range ro {
		if a, b := old.Src[po:ro[k].start], new.Src[pn:rn[k].start]; !bytes.Equal(a, b) {
			t.Fatalf("bytes before output region %d changed:\n%q\nto\n%q", k, a, b)
		}
		po, pn = ro[k].end, rn[k].end
	}
	if a, b := old.Src[po:], new.Src[pn:]; !bytes.Equal(a, b) {
		t.Fatalf("bytes after the last output region changed:\n%q\nto\n%q", a, b)
	}
}

// checkRoundTrip fails unless rewriting every console block with its
// own output gives back the source, unchanged.
func checkRoundTrip(t testing.TB, p *Page) {
	t.Helper()
	outputs := map[*Block]Output{}
	for _, b := range p.Blocks {
		if b.Kind == Console {
			outputs[b] = b.Output()
		}
	}
	q, changed, err := p.Rewrite(outputs)
	if err != nil {
		t.Fatalf("Rewrite with the same outputs: %v", err)
	}
	if changed || q != p {
		t.Fatalf("Rewrite with the same outputs changed the page (changed=%v):\n%q\nto\n%q", changed, p.Src, q.Src)
	}
}

// checkRewrite rewrites p with outputs and checks that the result reads
// back with the new outputs, the same commands and the same other
// blocks, and that only output regions changed. It returns the result.
func checkRewrite(t testing.TB, p *Page, outputs map[*Block]Output) []byte {
	t.Helper()
	np, changed, err := p.Rewrite(outputs)
	if err != nil {
		t.Fatalf("Rewrite: %v", err)
	}
	out := np.Src
	q, err := Parse(p.Path, out)
	if err != nil {
		t.Fatalf("rewritten page: %v\n%s", err, out)
	}
	if !samePage(q, np) {
		t.Fatalf("Rewrite's page is not the page its source parses as:\n%s", out)
	}
	if len(q.Blocks) != len(p.Blocks) {
		t.Fatalf("rewritten page has %d blocks, want %d:\n%s", len(q.Blocks), len(p.Blocks), out)
	}
	same := true
	for i, b := range p.Blocks {
		nb := q.Blocks[i]
		o, ok := outputs[b]
		if !ok {
			if nb.Text != b.Text || nb.Kind != b.Kind {
				t.Errorf("block %d changed: %s -> %s", i, summary(b), summary(nb))
			}
			continue
		}
		want := blankToEmpty(b, o)
		if !slices.Equal(nb.Leading, want.Leading) {
			t.Errorf("block %d: leading output %q, want %q", i, nb.Leading, want.Leading)
		}
		for j, c := range b.Commands {
			nc := nb.Commands[j]
			if nc.Prompt != c.Prompt || nc.Text != c.Text {
				t.Errorf("block %d: command %q %q became %q %q", i, c.Prompt, c.Text, nc.Prompt, nc.Text)
			}
			if !slices.Equal(nc.Output, want.Commands[j]) {
				t.Errorf("block %d command %d: output %q, want %q", i, j, nc.Output, want.Commands[j])
			}
			same = same && slices.Equal(c.Output, o.Commands[j])
		}
		same = same && slices.Equal(b.Leading, o.Leading)
	}
	if changed != !bytes.Equal(out, p.Src) {
		t.Errorf("changed = %v, but the bytes say %v", changed, !changed)
	}
	if same && changed {
		t.Errorf("outputs are the same but the page changed")
	}
	checkOnlyOutputsChanged(t, p, q)
	return out
}

// samePage reports whether p and q hold the same source and blocks at
// the same places.
func samePage(p, q *Page) bool {
	return bytes.Equal(p.Src, q.Src) && slices.EqualFunc(p.Blocks, q.Blocks, func(a, b *Block) bool {
		return a.Line == b.Line && a.Start == b.Start && a.End == b.End && a.Text == b.Text && a.Kind == b.Kind
	})
}

// blankToEmpty returns o as b reads back after Rewrite: in changed
// regions, blank lines become empty.
func blankToEmpty(b *Block, o Output) Output {
	f := func(old, lines []string) []string {
		if slices.Equal(old, lines) {
			return lines
		}
		out := make([]string, len(lines))
		for i, s := range lines {
			if !isBlank(s) {
				out[i] = s
			}
		}
		return out
	}
	n := Output{Leading: f(b.Leading, o.Leading)}
	for i, c := range o.Commands {
		n.Commands = append(n.Commands, f(b.Commands[i].Output, c))
	}
	return n
}

func TestRoundTrip(t *testing.T) {
	for _, tt := range parseTests {
		t.Run(tt.name, func(t *testing.T) {
			checkRoundTrip(t, mustParse(t, tt.src))
		})
	}
}

func TestRewrite(t *testing.T) {
	tests := []struct {
		name string
		src  string
		// new outputs of the first console block
		leading  []string
		commands [][]string
		want     string
	}{
		{"replace", "```console\n$ ls\nold\n```\n", nil, [][]string{{"new1", "new2"}},
			"```console\n$ ls\nnew1\nnew2\n```\n"},
		{"add", "```console\n$ a\n$ b\n```\n", nil, [][]string{{"x"}, {"y"}},
			"```console\n$ a\nx\n$ b\ny\n```\n"},
		{"remove", "```console\n$ a\nx\ny\n$ b\nz\n```\n", nil, [][]string{{}, {"z"}},
			"```console\n$ a\n$ b\nz\n```\n"},
		{"continuation kept", "```console\n$ a \\\n  b \\\n c\nold\n```\n", nil, [][]string{{"new"}},
			"```console\n$ a \\\n  b \\\n c\nnew\n```\n"},
		{"leading", "```console\nold log\n$ stop\n```", []string{"l1", "l2"}, [][]string{{}},
			"```console\nl1\nl2\n$ stop\n```"},
		{"leading only", "```console\nold\n```\n", []string{}, nil,
			"```console\n```\n"},
		{"list item", "Steps:\n\n1. Run:\n\n   ```console\n   $ ls\n   old\n   ```\n2. Next\n", nil, [][]string{{"a", "", "  b", " \t "}},
			"Steps:\n\n1. Run:\n\n   ```console\n   $ ls\n   a\n\n     b\n\n   ```\n2. Next\n"},
		{"blockquote", "> ```console\n> $ ls\n>old\n> ```\n", nil, [][]string{{"a", "", " b"}},
			"> ```console\n> $ ls\n> a\n>\n>  b\n> ```\n"},
		{"blockquote without spaces", "> Note\n>```console\n>$ ls\n>```\n", nil, [][]string{{" a"}},
			"> Note\n>```console\n>$ ls\n>  a\n>```\n"},
		{"list in blockquote", "> Steps:\n>\n> - Run:\n>\n>   ```console\n>   $ ls\n>   ```\n", nil, [][]string{{"a", ""}},
			"> Steps:\n>\n> - Run:\n>\n>   ```console\n>   $ ls\n>   a\n>\n>   ```\n"},
		{"indented fence", "   ```console\n   $ a\n ```\n", nil, [][]string{{" x"}},
			"   ```console\n   $ a\n    x\n ```\n"},
		{"tab indented", "Steps:\n\n- item\n\n\t```console\n\t$ ls\n\told\n\t```\n", nil, [][]string{{"new"}},
			"Steps:\n\n- item\n\n\t```console\n\t$ ls\n\tnew\n\t```\n"},
		{"crlf", "Text\r\n\r\n```console\r\n$ ls\r\nold\r\n```\r\n", nil, [][]string{{"a", "b"}},
			"Text\r\n\r\n```console\r\n$ ls\r\na\r\nb\r\n```\r\n"},
		{"unicode", "```console\n$ echo 世界\n?\n```\n", nil, [][]string{{"世界 héllo\t✓"}},
			"```console\n$ echo 世界\n世界 héllo\t✓\n```\n"},
		{"unclosed at EOF", "```console\n$ a", nil, [][]string{{"x"}},
			"```console\n$ a\nx"},
		{"unclosed output at EOF", "```console\n$ a\nold", nil, [][]string{{"x", "y"}},
			"```console\n$ a\nx\ny"},
		{"unclosed ends with a blank line", "```console\n$ a\nold", nil, [][]string{{"x", ""}},
			"```console\n$ a\nx\n\n"},
		{"quoted, unclosed, ends with a blank line", "> ```console\n> $ a", nil, [][]string{{"x", " "}},
			"> ```console\n> $ a\n> x\n>\n"},
		{"unclosed output removed", "```console\n$ a\nold", nil, [][]string{{}},
			"```console\n$ a\n"},
		{"unclosed with newline", "```console\n$ a\n", nil, [][]string{{"x"}},
			"```console\n$ a\nx\n"},
		{"empty block", "```console\n```\n", []string{"x"}, nil,
			"```console\nx\n```\n"},
		{"fence ends file", "Text\n```console", []string{"x"}, nil,
			"Text\n```console\nx"},
		{"empty block in list", "Steps:\n\n- ```console\n  ```\n", []string{" x"}, nil,
			"Steps:\n\n- ```console\n   x\n  ```\n"},
		{"empty block in footnote", "See[^1].\n\n[^1]: ```console\n    ```\n", []string{"x", ""}, nil,
			"See[^1].\n\n[^1]: ```console\n     x\n\n    ```\n"},
		{"empty block in blockquote", "> ```console\n> ```\n", []string{" x"}, nil,
			"> ```console\n>  x\n> ```\n"},
		{"blank-only block in list", "Steps:\n\n1.  ```console\n\n    ```\n", []string{"x"}, nil,
			"Steps:\n\n1.  ```console\n    x\n    ```\n"},
		{"four backticks", "````console\n$ cat README.md\nold\n````\n", nil, [][]string{{"```", "x"}},
			"````console\n$ cat README.md\n```\nx\n````\n"},
		{"second block only", "```console\n$ a\nA\n```\n\n```console\n$ b\nB\n```\n", nil, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustParse(t, tt.src)
			b := p.Blocks[0]
			o := Output{Leading: tt.leading, Commands: tt.commands}
			if o.Leading == nil {
				o.Leading = b.Leading
			}
			if o.Commands == nil {
				o.Commands = b.Output().Commands
			}
			outputs := map[*Block]Output{b: o}
			if tt.want == "" { // rewrite the last block instead
				b = p.Blocks[len(p.Blocks)-1]
				outputs = map[*Block]Output{b: {Leading: nil, Commands: [][]string{{"new"}}}}
				tt.want = strings.Replace(tt.src, "B\n", "new\n", 1)
			}
			got := checkRewrite(t, p, outputs)
			if string(got) != tt.want {
				t.Errorf("got\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestRewriteNothing(t *testing.T) {
	src := []byte("```yaml {file=\"a.yaml\"}\nk: v\n```\n")
	p, err := Parse("p.md", src)
	if err != nil {
		t.Fatal(err)
	}
	q, changed, err := p.Rewrite(nil)
	if err != nil || changed || q != p || &q.Src[0] != &src[0] {
		t.Errorf("Rewrite(nil) = %q, %v, %v; want the input itself, unchanged", q.Src, changed, err)
	}
}

func TestRewriteErrors(t *testing.T) {
	p := mustParse(t, "Text\n\n```console\n$ a\nx\n```\n\n```sh {file=\"a.sh\"}\nls\n```\n\n```console\n$ b \\\n```\n")
	con, file, cont := p.Blocks[0], p.Blocks[1], p.Blocks[2]
	other := mustParse(t, "```console\n$ a\n```\n").Blocks[0]
	tests := []struct {
		name string
		b    *Block
		o    Output
		want string
	}{
		{"prompt", con, Output{Commands: [][]string{{"ok", "# comment"}}},
			`p.md:3: command on line 4: output line "# comment" would read as a command (it starts with a prompt)`},
		{"bare prompt", con, Output{Leading: []string{"$"}, Commands: [][]string{{}}},
			`p.md:3: leading output: output line "$" would read as a command (it starts with a prompt)`},
		{"newline", con, Output{Commands: [][]string{{"a\nb"}}},
			`p.md:3: command on line 4: output line "a\nb" holds a line break`},
		{"carriage return", con, Output{Commands: [][]string{{"50%\r100%"}}},
			`p.md:3: command on line 4: output line "50%\r100%" holds a line break`},
		{"fence", con, Output{Commands: [][]string{{"  ````  "}}},
			"p.md:3: command on line 4: output line \"  ````  \" would close the code block; use a longer fence"},
		{"shortcode", con, Output{Commands: [][]string{{"{{< x >}}"}}},
			`p.md:3: command on line 4: output line "{{< x >}}" holds "{{<" or "{{%", which Hugo would expand as a shortcode`},
		{"summary divider", con, Output{Commands: [][]string{{"<!--more-->"}}},
			`rewritten page does not parse: p.md:3: the block holds the page's first <!--more-->, which Hugo replaces even in a code block; put a <!--more--> above the block`},
		{"count", con, Output{Commands: [][]string{{"a"}, {"b"}}},
			`p.md:3: got output for 2 commands; the block has 1`},
		{"file block", file, Output{},
			`p.md:8: file block has no output to rewrite`},
		{"other page", other, Output{Commands: [][]string{{}}},
			`p.md:1: block is not one of this page's blocks`},
		{"continued to the end", cont, Output{Commands: [][]string{{"x"}}},
			`p.md:12: command on line 13: the block ends inside this command (its last line ends with \), so it can have no output`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, changed, err := p.Rewrite(map[*Block]Output{tt.b: tt.o})
			if err == nil || err.Error() != tt.want {
				t.Errorf("error %v\nwant  %s", err, tt.want)
			}
			if changed || q != p {
				t.Errorf("failed Rewrite changed the page")
			}
		})
	}
	// A fence-like line that is indented enough is output.
	checkRewrite(t, p, map[*Block]Output{con: {Commands: [][]string{{"    ```"}}}})
}
