package blocks

import (
	"os"
	"strings"
	"testing"
)

// The package documentation lists exactly the tables' attributes, in
// their order, each with its Doc.
func TestDocListsAttrs(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		after string // the line that introduces the list
		table []Attr
	}{
		{"// A console block's attributes, with their values (and defaults):", consoleAttrs},
		{"// the folder. Its attributes:", fileAttrs},
	} {
		got := docList(t, string(src), c.after)
		var want []string
		for _, a := range c.table {
			want = append(want, a.Name+" "+strings.Join(strings.Fields(a.Doc), " "))
		}
		for i := range max(len(got), len(want)) {
			g, w := "(nothing)", "(nothing)"
			if i < len(got) {
				g = got[i]
			}
			if i < len(want) {
				w = want[i]
			}
			if g != w {
				t.Errorf("doc.go, entry %d of the list after %q:\n\t%s\nthe table says:\n\t%s", i+1, c.after, g, w)
			}
		}
	}
}

// docList reads the indented list after the line after in doc.go: a
// line starting with a word starts an entry, an indented one goes on
// with it. Each entry is its words joined with single spaces.
func docList(t *testing.T, src, after string) []string {
	_, rest, ok := strings.Cut(src, after+"\n//\n")
	if !ok {
		t.Fatalf("doc.go: no %q followed by an empty comment line", after)
	}
	var out []string
	for _, l := range strings.Split(rest, "\n") {
		text, ok := strings.CutPrefix(l, "//\t")
		if !ok {
			break
		}
		words := strings.Join(strings.Fields(text), " ")
		if strings.HasPrefix(text, " ") && len(out) > 0 {
			out[len(out)-1] += " " + words
		} else {
			out = append(out, words)
		}
	}
	return out
}

// Every attribute of both tables parses a good value into Options, where
// Given sees it, and refuses a bad one naming the attribute.
func TestAttrsParse(t *testing.T) {
	good := map[string]string{
		"term": "term=web", "title": `title="A"`, "exit": "exit=1", "timeout": `timeout="1m"`, "redact": `redact="x"`,
		"skip": `skip="why"`, "wait": `wait="ready"`, "port": "port=8080", "healthy": "healthy=db", "settle": `settle="2s"`,
		"input": `input="hi"`, "keys": `keys="ctrl-c"`, "until": `until="done"`, "lines": "lines=3", "for": `for="5s"`,
		"shell": `shell="open"`, "alone": "alone=true", "answer": `answer="1"`, "needs": `needs="root"`,
		"file": `file="a.txt"`, "mode": `mode="0755"`,
	}
	for _, c := range []struct {
		block string // "%s" is where the attribute goes
		table []Attr
	}{
		{"```console {%s}\n$ a\n```\n", consoleAttrs},
		{"```sh {file=\"x\" %s}\necho\n```\n", fileAttrs},
	} {
		seen := map[string]bool{}
		for _, a := range c.table {
			if seen[a.Name] {
				t.Errorf("%s is declared twice", a.Name)
			}
			seen[a.Name] = true
			if a.Doc == "" {
				t.Errorf("%s has no Doc", a.Name)
			}
			written, ok := good[a.Name]
			if !ok {
				t.Errorf("%s: give the test a good value for it", a.Name)
				continue
			}
			attrs := written
			if a.Name == "file" {
				attrs = "" // the block has one already
			}
			b := mustParse(t, strings.Replace(c.block, "%s", attrs, 1)).Blocks[0]
			if !a.given(&b.Opts) {
				t.Errorf("%s: Options %+v hold no value", written, b.Opts)
			}
			if a.Kind != Setting && (len(b.Given(a.Kind)) != 1 || b.Given(a.Kind)[0].Name != a.Name) {
				t.Errorf("%s: Given(%d) = %v", written, a.Kind, b.Given(a.Kind))
			}
			bad := strings.Replace(c.block, "%s", a.Name+"=[1]", 1)
			if a.Name == "file" {
				bad = "```sh {file=[1]}\necho\n```\n"
			}
			if _, err := Parse("p.md", []byte(bad)); err == nil || !strings.Contains(err.Error(), a.Name) {
				t.Errorf("%s=[1]: error %v, want one naming %s", a.Name, err, a.Name)
			}
		}
	}
}

// A block without a value for an attribute of some kind has none Given;
// a file block has none at all.
func TestGivenNone(t *testing.T) {
	b := mustParse(t, "```console {input=\"\" term=web}\n$ a\n```\n").Blocks[0]
	for _, k := range []AttrKind{Ready, Bound, Interaction} {
		if got := b.Given(k); got != nil {
			t.Errorf("Given(%d) = %v", k, got)
		}
	}
	if got := b.Given(Setting); len(got) != 1 || got[0].Name != "term" {
		t.Errorf("Given(Setting) = %v, want term only", got)
	}
	b = mustParse(t, "```sh {file=\"x\"}\necho\n```\n").Blocks[0]
	if got := b.Given(Setting); got != nil {
		t.Errorf("file block: Given(Setting) = %v", got)
	}
}
