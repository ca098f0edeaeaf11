package blocks

import (
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// summary renders a block compactly for table tests:
// kind:lang@line, the text, then the console structure.
func summary(b *Block) string {
	var s strings.Builder
	fmt.Fprintf(&s, "%s:%s@%d %q", b.Kind, b.Lang, b.Line, b.Text)
	if b.Lang == "console" {
		fmt.Fprintf(&s, " lead=%q", b.Leading)
		for _, c := range b.Commands {
			fmt.Fprintf(&s, " %s%q@%d%q", c.Prompt, c.Text, c.Line, c.Output)
		}
	}
	return s.String()
}

func mustParse(t testing.TB, src string) *Page {
	t.Helper()
	p, err := Parse("p.md", []byte(src))
	if err != nil {
		t.Fatalf("Parse: %v\nsource:\n%s", err, src)
	}
	return p
}

var parseTests = []struct {
	name string
	src  string
	want []string
}{
	{"console", "# Title\n\n```console\n$ docker ps\nCONTAINER ID\n$ echo hi\nhi\n```\n",
		[]string{`console:console@3 "$ docker ps\nCONTAINER ID\n$ echo hi\nhi" lead=[] $"docker ps"@4["CONTAINER ID"] $"echo hi"@6["hi"]`}},
	{"root prompt", "```console\n$ docker exec -it web sh\n# id -u\n0\n# exit\n```\n",
		[]string{`console:console@1 "$ docker exec -it web sh\n# id -u\n0\n# exit" lead=[] $"docker exec -it web sh"@2[] #"id -u"@3["0"] #"exit"@5[]`}},
	{"bare prompts", "```console\n$\n#\n$ \n```\n",
		[]string{`console:console@1 "$\n#\n$ " lead=[] $""@2[] #""@3[] $""@4[]`}},
	{"not prompts", "```console\n$ls\n  $ ls\n#!/bin/sh\n$\tls\n```\n",
		[]string{`console:console@1 "$ls\n  $ ls\n#!/bin/sh\n$\tls" lead=["$ls" "  $ ls" "#!/bin/sh" "$\tls"]`}},
	{"leading output", "```console\nlog 1\nlog 2\n$ stop\n```\n",
		[]string{`console:console@1 "log 1\nlog 2\n$ stop" lead=["log 1" "log 2"] $"stop"@4[]`}},
	{"only output", "```console\n172.17.0.1 - GET /\n```\n",
		[]string{`console:console@1 "172.17.0.1 - GET /" lead=["172.17.0.1 - GET /"]`}},
	{"continuation", "```console\n$ docker run \\\n    -d \\\n$ not a prompt\nid\n$ echo a\\\\\nb\n```\n",
		[]string{`console:console@1 "$ docker run \\\n    -d \\\n$ not a prompt\nid\n$ echo a\\\\\nb" lead=[] $"docker run \\\n    -d \\\n$ not a prompt"@2["id"] $"echo a\\\\"@6["b"]`}},
	{"continuation at end", "```console\n$ a \\\n```\n",
		[]string{`console:console@1 "$ a \\" lead=[] $"a \\"@2[]`}},
	{"trailing blank lines", "```console\n$ a\nout\n\n\n```\n",
		[]string{`console:console@1 "$ a\nout" lead=[] $"a"@2["out" "" ""]`}},
	{"empty", "```console\n```\n",
		[]string{`console:console@1 "" lead=[]`}},
	{"crlf", "Intro\r\n\r\n```console\r\n$ ls\r\nfoo\r\n\r\n```\r\n",
		[]string{`console:console@3 "$ ls\r\nfoo" lead=[] $"ls"@4["foo" ""]`}},
	{"unicode and tabs", "```console\n$ echo 'héllo\t世界'\nhéllo\t世界\n```\n",
		[]string{`console:console@1 "$ echo 'héllo\t世界'\nhéllo\t世界" lead=[] $"echo 'héllo\t世界'"@2["héllo\t世界"]`}},
	{"four backticks", "````markdown {skip=\"shows a fence\"}\n```console\n$ x\n```\n````\n",
		[]string{"skipped:markdown@1 \"```console\\n$ x\\n```\""}},
	{"tildes", "~~~console\n$ echo '```'\n```\n~~~\n",
		[]string{"console:console@1 \"$ echo '```'\\n```\" lead=[] $\"echo '```'\"@2[\"```\"]"}},
	{"longer closing fence", "```console\n$ a\n`````\nafter\n",
		[]string{`console:console@1 "$ a" lead=[] $"a"@2[]`}},
	{"indented fence", "   ```console\n   $ a\n  b\n     c\n   ```\n",
		[]string{`console:console@1 "$ a\nb\n  c" lead=[] $"a"@2["b" "  c"]`}},
	{"list item", "1. Run:\n\n   ```console\n   $ ls\n   a.txt\n   ```\n2. Next\n",
		[]string{`console:console@3 "$ ls\na.txt" lead=[] $"ls"@4["a.txt"]`}},
	{"nested list", "Steps:\n\n- a\n  - b\n\n    ```console\n    $ ls\n\n    x\n    ```\n",
		[]string{`console:console@6 "$ ls\n\nx" lead=[] $"ls"@7["" "x"]`}},
	{"blockquote", "> Note\n>\n> ```console\n> $ ls\n>  x\n>y\n> ```\n",
		[]string{`console:console@3 "$ ls\n x\ny" lead=[] $"ls"@4[" x" "y"]`}},
	{"list in blockquote", "> - item\n>\n>   ```console\n>   $ ls\n>   x\n>   ```\n",
		[]string{`console:console@3 "$ ls\nx" lead=[] $"ls"@4["x"]`}},
	{"tab indented in list", "Steps:\n\n- item\n\n\t```console\n\t$ ls\n\tx\n\t```\n",
		[]string{`console:console@5 "$ ls\nx" lead=[] $"ls"@6["x"]`}},
	{"unclosed at EOF", "```console\n$ a\nout",
		[]string{`console:console@1 "$ a\nout" lead=[] $"a"@2["out"]`}},
	{"fence at EOF", "text\n```console",
		[]string{`console:console@2 "" lead=[]`}},
	{"no newline after closing fence", "```console\n$ a\n```",
		[]string{`console:console@1 "$ a" lead=[] $"a"@2[]`}},
	{"indented code is not a block", "    ```console\n    $ a\n    ```\n", nil},
	{"html block is not a block", "<div>\n```console\n$ a\n```\n</div>\n", nil},
	{"inline code is not a block", "Run ```console $ a``` now.\n", nil},
	{"footnote", "Text[^1].\n\n[^1]: Note:\n\n    ```console\n    $ a\n    ```\n",
		[]string{`console:console@5 "$ a" lead=[] $"a"@6[]`}},
	{"definition list", "Term\n: Definition\n\n  ```console\n  $ a\n  ```\n",
		[]string{`console:console@4 "$ a" lead=[] $"a"@5[]`}},
	{"shortcodes are text", "Tabs:\n{{< tabs >}}\n{{% tab \"Linux\" %}}\n```console\n$ a\n```\n{{% /tab %}}\n{{< /tabs >}}\n",
		[]string{`console:console@4 "$ a" lead=[] $"a"@5[]`}},
	{"file block", "```dockerfile {file=\"app/Dockerfile\" title=\"Dockerfile\"}\nFROM alpine\n```\n",
		[]string{`file:dockerfile@1 "FROM alpine"`}},
	{"skipped console", "```console {skip=\"needs a GPU\"}\n$ nvidia-smi\n```\n",
		[]string{`skipped:console@1 "$ nvidia-smi" lead=[] $"nvidia-smi"@2[]`}},
	{"skipped no language", "``` {skip=\"plain\"}\nx\n```\n",
		[]string{`skipped:@1 "x"`}},
	{"language glued to attributes", "```console{term=web}\n$ a\n```\n",
		[]string{`console:console@1 "$ a" lead=[] $"a"@2[]`}},
	{"several blocks", "```console\n$ a\n```\n\ntext\n\n```yaml {file=\"c.yaml\"}\nk: v\n```\n",
		[]string{`console:console@1 "$ a" lead=[] $"a"@2[]`, `file:yaml@7 "k: v"`}},
}

func TestParse(t *testing.T) {
	for _, tt := range parseTests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustParse(t, tt.src)
			var got []string
			for _, b := range p.Blocks {
				got = append(got, summary(b))
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(tt.want, "\n\t"))
			}
		})
	}
}

func TestFrontMatter(t *testing.T) {
	tests := []struct {
		name, src string
		line      int
	}{
		{"yaml", "---\ntitle: x\n---\n```console\n$ a\n```\n", 4},
		{"toml", "+++\ntitle = \"x\"\n+++\n\n```console\n$ a\n```\n", 5},
		{"json", "{\n  \"title\": \"a } b\",\n  \"x\": {\"y\": \"\\\"}\"}\n}\n```console\n$ a\n```\n", 5},
		{"crlf yaml", "---\r\ntitle: x\r\n---\r\n```console\r\n$ a\r\n```\r\n", 4},
		{"bom and blank lines", "\ufeff\n\n---\ntitle: x\n---\n```console\n$ a\n```\n", 6},
		{"bom only", "\ufeff```console\n$ a\n```\n", 1},
		{"org", "#+TITLE: x\n#+AUTHOR: y\n```console\n$ a\n```\n", 3},
		{"heading is not org", "# Title\n```console\n$ a\n```\n", 2},
		{"fence in front matter", "---\nx: |\n  ```console\n  $ a\n  ```\n---\n\n```console\n$ a\n```\n", 8},
		{"no front matter", "\n\nText\n```console\n$ a\n```\n", 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustParse(t, tt.src)
			if len(p.Blocks) != 1 {
				t.Fatalf("got %d blocks, want 1", len(p.Blocks))
			}
			b := p.Blocks[0]
			if b.Line != tt.line || b.Commands[0].Line != tt.line+1 || b.Commands[0].Text != "a" {
				t.Errorf("got %s, want line %d", summary(b), tt.line)
			}
			if got := tt.src[b.Start:b.End]; strings.TrimRight(got, "\r\n") != "$ a" {
				t.Errorf("Src[Start:End] = %q", got)
			}
		})
	}
}

func TestAttributes(t *testing.T) {
	src := "```console {term=web Title=\"Logs, live\" exit=2 timeout=\"1m30s\" redact=\"[0-9a-f]{12}\" wait=\"ready\" " +
		"port=8080 healthy=db settle=\"2s\" input=\"a\\nb\" keys=\"ctrl-p ctrl-q\" until=\"done$\" lines=5 for=\"10s\" " +
		"shell=\"open\" hl_lines=[1,\"3-4\"] linenos=true .wide #logs}\n$ a\n```\n"
	// redact's "{12}" would end the attributes early (Hugo reads up to
	// the first "}"), so this source is only used without it below.
	if _, err := Parse("p.md", []byte(src)); err == nil {
		t.Fatal("a } inside a value parsed; Hugo would not read it")
	}
	src = strings.Replace(src, "{12}", "+", 1)
	b := mustParse(t, src).Blocks[0]
	want := Options{
		Term: "web", Title: "Logs, live", Exit: 2, Timeout: 90 * time.Second, Redact: b.Opts.Redact,
		Wait: b.Opts.Wait, Port: 8080, Healthy: "db", Settle: 2 * time.Second, Input: "a\nb",
		Keys: []string{"ctrl-p", "ctrl-q"}, Until: b.Opts.Until, Lines: 5, For: 10 * time.Second, Shell: "open",
	}
	if !reflect.DeepEqual(b.Opts, want) {
		t.Errorf("Opts =\n%+v\nwant\n%+v", b.Opts, want)
	}
	if got := fmt.Sprint(b.Opts.Redact, " ", b.Opts.Wait, " ", b.Opts.Until); got != "[0-9a-f]+ ready done$" {
		t.Errorf("regular expressions: %s", got)
	}
	wantAttrs := map[string]any{
		"term": "web", "title": "Logs, live", "exit": 2.0, "timeout": "1m30s", "redact": "[0-9a-f]+", "wait": "ready",
		"port": 8080.0, "healthy": "db", "settle": "2s", "input": "a\nb", "keys": "ctrl-p ctrl-q", "until": "done$",
		"lines": 5.0, "for": "10s", "shell": "open", "hl_lines": []any{1.0, "3-4"}, "linenos": true,
		"class": "wide", "id": "logs",
	}
	if !reflect.DeepEqual(b.Attrs, wantAttrs) {
		t.Errorf("Attrs =\n%#v\nwant\n%#v", b.Attrs, wantAttrs)
	}

	b = mustParse(t, "```console\n$ a\n```\n").Blocks[0]
	if b.Opts.Term != "main" || b.Opts.Exit != 0 || b.Opts.Timeout != 0 || len(b.Attrs) != 0 {
		t.Errorf("defaults: %+v %v", b.Opts, b.Attrs)
	}

	b = mustParse(t, "```sh {file=\"bin/run.sh\", mode=\"0755\", title=\"run.sh\"}\necho\n```\n").Blocks[0]
	if b.Kind != File || b.Opts.File != "bin/run.sh" || b.Opts.Mode != 0o755 || b.Opts.Title != "run.sh" || b.Opts.Term != "" {
		t.Errorf("file block: %v %+v", b.Kind, b.Opts)
	}

	b = mustParse(t, "```yaml {file=\"a.yaml\" skip=\"example only\"}\nk: v\n```\n").Blocks[0]
	if b.Kind != Skipped || b.Opts.File != "a.yaml" || b.Opts.Skip != "example only" {
		t.Errorf("skipped file block: %v %+v", b.Kind, b.Opts)
	}
}

func TestErrors(t *testing.T) {
	const known = "alone, answer, exit, for, healthy, input, keys, lines, needs, port, redact, settle, shell, skip, term, timeout, title, until, wait"
	tests := []struct {
		name, src string
		want      []string
	}{
		{"neither run nor used", "Text\n\n```yaml\nk: v\n```\n",
			[]string{`p.md:3: "yaml" block is neither run nor used: add file="…" or skip="reason"`}},
		{"no language", "```\nplain\n```\n",
			[]string{`p.md:1: block is neither run nor used: add file="…" or skip="reason" (or give it a language such as console)`}},
		{"no language with attributes", "``` {title=\"x\"}\nplain\n```\n",
			[]string{`p.md:1: block is neither run nor used: add file="…" or skip="reason" (or give it a language such as console)`}},
		{"empty skip", "```console {skip=\"\"}\n$ a\n```\n",
			[]string{`p.md:1: skip="": give the reason the block is not run, e.g. skip="needs a GPU"`}},
		{"blank skip on file", "```yaml {skip=\"  \"}\nk: v\n```\n",
			[]string{`p.md:1: skip="  ": give the reason the block is not run, e.g. skip="needs a GPU"`}},
		{"unknown console attribute", "```console {term=a colour=red}\n$ a\n```\n",
			[]string{`p.md:1: unknown attribute colour on a console block; known: ` + known}},
		{"console attribute on file block", "```sh {file=\"a.sh\" term=\"x\"}\nls\n```\n",
			[]string{`p.md:1: unknown attribute term on a file block; known: alone, answer, file, mode, skip, title`}},
		{"console attribute on skipped block", "```yaml {skip=\"example\" wait=\"x\"}\nk: v\n```\n",
			[]string{`p.md:1: unknown attribute wait on a skipped block; known: alone, answer, file, mode, skip, title`}},
		{"quoted exit", "```console {exit=\"1\"}\n$ a\n```\n",
			[]string{`p.md:1: exit="1": want a whole number from 0 to 255, unquoted, e.g. exit=1`}},
		{"fractional exit", "```console {exit=1.5}\n$ a\n```\n",
			[]string{`p.md:1: exit=1.5: want a whole number from 0 to 255, unquoted, e.g. exit=1`}},
		{"exit too big", "```console {exit=256}\n$ a\n```\n",
			[]string{`p.md:1: exit=256: want a whole number from 0 to 255, unquoted, e.g. exit=1`}},
		{"port zero", "```console {port=0}\n$ a\n```\n",
			[]string{`p.md:1: port=0: want a whole number from 1 to 65535, unquoted, e.g. port=8080`}},
		{"lines zero", "```console {lines=0}\n$ a\n```\n",
			[]string{`p.md:1: lines=0: want a whole number from 1 to 2147483647, unquoted, e.g. lines=20`}},
		{"timeout number", "```console {timeout=90}\n$ a\n```\n",
			[]string{`p.md:1: timeout=90: want a positive duration such as timeout="90s" or timeout="1m30s"`}},
		{"timeout word", "```console {timeout=soon}\n$ a\n```\n",
			[]string{`p.md:1: timeout="soon": want a positive duration such as timeout="90s" or timeout="1m30s"`}},
		{"settle negative", "```console {settle=\"-1s\"}\n$ a\n```\n",
			[]string{`p.md:1: settle="-1s": want a positive duration such as settle="90s" or settle="1m30s"`}},
		{"bad regexp", "```console {redact=\"(a\"}\n$ a\n```\n",
			[]string{"p.md:1: redact=\"(a\": error parsing regexp: missing closing ): `(a`"}},
		{"backspace in a regexp", "```console {redact=\"\\bid\\b\"}\n$ a\n```\n",
			[]string{`p.md:1: redact: \b inside quotes is a control character, as in JSON; for the regular expression's \b write \\b`}},
		{"empty regexp", "```console {wait=\"\"}\n$ a\n```\n",
			[]string{`p.md:1: wait="": want a non-empty quoted regular expression, e.g. wait="ready"`}},
		{"bad key", "```console {keys=\"ctrl-c ctrl-x\"}\n$ a\n```\n",
			[]string{`p.md:1: keys="ctrl-c ctrl-x": want space-separated keys among ctrl-c ctrl-d ctrl-p ctrl-q ctrl-z enter, e.g. keys="ctrl-c"`}},
		{"bad shell", "```console {shell=\"bash\"}\n$ a\n```\n",
			[]string{`p.md:1: shell="bash": want shell="open" or shell="none"`}},
		{"numeric term", "```console {term=2}\n$ a\n```\n",
			[]string{`p.md:1: term=2: want a string; quote it, e.g. term="2"`}},
		{"empty term", "```console {term=\"\"}\n$ a\n```\n",
			[]string{`p.md:1: term is empty; give a name or drop the attribute`}},
		{"numeric mode", "```sh {file=\"a.sh\" mode=0755}\nls\n```\n",
			[]string{`p.md:1: mode=755: want quoted octal permissions, e.g. mode="0755"`}},
		{"bad mode", "```sh {file=\"a.sh\" mode=\"0999\"}\nls\n```\n",
			[]string{`p.md:1: mode="0999": want quoted octal permissions, e.g. mode="0755"`}},
		{"absolute file", "```sh {file=\"/etc/passwd\"}\nx\n```\n",
			[]string{`p.md:1: file="/etc/passwd": want a clean relative path with "/" separators that stays in the work folder, e.g. file="app/main.go"`}},
		{"escaping file", "```sh {file=\"../x\"}\nx\n```\n",
			[]string{`p.md:1: file="../x": want a clean relative path with "/" separators that stays in the work folder, e.g. file="app/main.go"`}},
		{"unclean file", "```sh {file=\"a/../b\"}\nx\n```\n",
			[]string{`p.md:1: file="a/../b": want a clean relative path with "/" separators that stays in the work folder, e.g. file="app/main.go"`}},
		{"dot file path", "```sh {file=\"./a\"}\nx\n```\n",
			[]string{`p.md:1: file="./a": want a clean relative path with "/" separators that stays in the work folder, e.g. file="app/main.go"`}},
		{"backslash file", "```sh {file=\"a\\\\b\"}\nx\n```\n",
			[]string{`p.md:1: file="a\\b": want a clean relative path with "/" separators that stays in the work folder, e.g. file="app/main.go"`}},
		{"empty file", "```sh {file=\"\"}\nx\n```\n",
			[]string{`p.md:1: file="": want a clean relative path with "/" separators that stays in the work folder, e.g. file="app/main.go"`}},
		{"duplicate", "```console {term=a Term=b}\n$ a\n```\n",
			[]string{`p.md:1: attribute term is given twice; keep one`}},
		{"unparsable", "```console {title=two words!}\n$ a\n```\n",
			[]string{`p.md:1: "words!" is not name="value"; if it belongs to the value of title, quote that value: title="…"`}},
		{"null", "```console {title=null}\n$ a\n```\n",
			[]string{`p.md:1: attribute title: null is not a value Hugo accepts; quote it`}},
		{"several", "```console {exit=-1}\n$ a\n```\n\n- item\n\n  ```text\n  x\n  ```\n",
			[]string{`p.md:1: exit=-1: want a whole number from 0 to 255, unquoted, e.g. exit=1`,
				`p.md:7: "text" block is neither run nor used: add file="…" or skip="reason"`}},
		{"several in one block", "```console {exit=\"x\" port=\"y\"}\n$ a\n```\n",
			[]string{`p.md:1: exit="x": want a whole number from 0 to 255, unquoted, e.g. exit=1`,
				`p.md:1: port="y": want a whole number from 1 to 65535, unquoted, e.g. port=8080`}},
		{"summary divider in a block", "Intro\n\n```console {skip=\"shown\"}\n$ echo '<!--more-->'\n```\n\n<!--more-->\n\n```console\n$ echo '<!--more-->'\n```\n",
			[]string{`p.md:3: the block holds the page's first <!--more-->, which Hugo replaces even in a code block; put a <!--more--> above the block`}},
		{"shortcode in a console block", "```console\n$ echo '{{< x >}}'\n```\n\n```yaml {file=\"a.yaml\"}\nk: '{{% x %}}'\n```\n\n```text {skip=\"shows a shortcode\"}\n{{</* x */>}}\n```\n",
			[]string{`p.md:1: the block holds "{{<" or "{{%", which Hugo expands as a shortcode even in a code block, so the page would not show what runs; avoid it or add skip="…"`,
				`p.md:5: the block holds "{{<" or "{{%", which Hugo expands as a shortcode even in a code block, so the page would not show what runs; avoid it or add skip="…"`}},
		{"page starts with list", "- item\n",
			[]string{`p.md:1: invalid YAML front matter delimiter: Hugo reads a page that starts with "-" as front matter; start it with --- or with other text`}},
		{"unclosed yaml", "---\ntitle: x\n",
			[]string{`p.md:1: YAML front matter has no closing --- line`}},
		{"unclosed toml", "+++\ntitle = 1\n",
			[]string{`p.md:1: TOML front matter has no closing +++ line`}},
		{"unclosed json", "{\"a\": 1\n",
			[]string{`p.md:1: JSON front matter has no closing }`}},
		{"page starts with shortcode", "{{< note >}}\n",
			[]string{`p.md:1: JSON front matter is not valid JSON; Hugo reads a page that starts with "{" as JSON front matter, so do not start a page with a shortcode`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse("p.md", []byte(tt.src))
			if err == nil {
				t.Fatalf("no error; blocks: %d", len(p.Blocks))
			}
			if got, want := err.Error(), strings.Join(tt.want, "\n"); got != want {
				t.Errorf("error:\n%s\nwant:\n%s", got, want)
			}
			for _, b := range p.Blocks {
				if b.Line == 1 {
					t.Errorf("block on line 1 has an error but is in Blocks")
				}
			}
		})
	}
}

// A word boundary written \\b inside the quotes reaches the regular
// expression as \b.
func TestWordBoundary(t *testing.T) {
	b := mustParse(t, "```console {until=\"\\\\bid\\\\b\"}\n$ a\n```\n").Blocks[0]
	if got := b.Opts.Until.String(); got != `\bid\b` {
		t.Fatalf("until = %q", got)
	}
}

// TestInner states what Hugo's .Inner is, and so what Block.Text and
// Block.Hash are. Hugo's codeblocks renderer joins goldmark's line
// values and applies htext.Chomp, which trims every trailing "\n" and
// "\r". The page is testdata/corpus/inner.md; TestHugoAgreement checks
// these blocks' hashes against the ones Hugo v0.165.0 computed for
// sha256 .Inner in a render hook (testdata/hugo/blocks.golden).
func TestInner(t *testing.T) {
	src, err := os.ReadFile("testdata/corpus/inner.md")
	if err != nil {
		t.Fatal(err)
	}
	p := mustParse(t, string(src))
	want := []string{
		// CRLF between lines is kept; trailing line endings and blank
		// lines are all trimmed.
		"$ ls\r\nfoo",
		// A tab after the list's indentation stays a tab; spaces beyond
		// it stay; a line of one space in a list item is an empty line.
		"\techo hi\n  two",
		// The space after ">" belongs to the marker; more are text.
		"$ a\nb\n c",
		// Trailing spaces and a last line of only spaces are kept: only
		// "\n" and "\r" are trimmed.
		"trailing ws   \n   ",
		"",
		"```",
		// A tab split by the list's indentation leaves spaces for the
		// rest of its width (goldmark's padding); the next tab stays.
		"$ echo\n  \tsplit",
		// EOF closes the block; the last line's "\n" and the blank line
		// are trimmed as usual.
		"$ unclosed\nout",
	}
	var got []string
	for _, b := range p.Blocks {
		got = append(got, b.Text)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("texts:\n%q\nwant\n%q", got, want)
	}
	// sha256 of the empty .Inner, as Hugo printed it.
	if h := p.Blocks[4].Hash(); h != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" {
		t.Errorf("hash of the empty block = %s", h)
	}
}

func TestRunTextLeavesOutSkippedBlocks(t *testing.T) {
	p, err := Parse("p.md", []byte("```console\n$ docker run web\n```\n\n```console {skip=\"shown only\"}\n$ docker run hub-only\n```\n\n```text {file=\"a.txt\"}\nfile text\n```\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.RunText(), "$ docker run web\nfile text\n"; got != want {
		t.Fatalf("RunText = %q, want %q", got, want)
	}
}

// TestWarnings: a block with no closing fence is a warning on its
// fence's line, and the page still parses; a closed block is not.
func TestWarnings(t *testing.T) {
	const eof = "code block has no closing %s, so it runs to the end of the file; add a %s line where it ends"
	const container = "code block has no closing %s, so it ends with the list item or block quote it is in; add a %s line where it ends, indented as the opening one"
	w := func(line int, format, fence string) string {
		return fmt.Sprintf("p.md:%d: "+format, line, fence, fence)
	}
	tests := []struct {
		name, src string
		want      []string
		err       string
	}{
		{"closed", "```console\n$ a\n```\n", nil, ""},
		{"closed without a final newline", "```console\n$ a\n```", nil, ""},
		{"closed by a longer fence", "```console\n$ a\n``````\ntext\n", nil, ""},
		{"closed with trailing blanks", "~~~console\n$ a\n~~~  \n", nil, ""},
		{"closed empty", "```console\n```\n", nil, ""},
		{"closed in a list", "Steps:\n\n- item\n\n  ```console\n  $ a\n  ```\n- next\n", nil, ""},
		{"closed in a block quote", "> ```console\n> $ a\n> ```\n\ntext\n", nil, ""},
		{"closed, fence in it", "````markdown {skip=\"x\"}\n```console\n$ a\n```\n````\n", nil, ""},
		{"unclosed", "Intro\n\n```console\n$ a\nout", []string{w(3, eof, "```")}, ""},
		{"unclosed with blank lines", "```console\n$ a\n\n\n", []string{w(1, eof, "```")}, ""},
		{"fence at EOF", "text\n```console", []string{w(2, eof, "```")}, ""},
		{"unclosed after a closed one", "```console\n$ a\n```\n\n~~~console\n$ b\n```\n", []string{w(5, eof, "~~~")}, ""},
		{"shorter closing fence", "````markdown {skip=\"x\"}\n```console\n$ a\n```\n", []string{w(1, eof, "````")}, ""},
		{"unclosed in a block quote", "> ```console\n> $ a\n", []string{w(1, eof, "```")}, ""},
		{"ended by a block quote", "> ```console\n> $ a\n\nafter\n", []string{w(1, container, "```")}, ""},
		{"ended by a list item", "Steps:\n\n- item\n\n  ```console\n  $ a\n\n- next\n", []string{w(5, container, "```")}, ""},
		{"closing fence not indented", "Steps:\n\n- item\n\n  ```console\n  $ a\n```\n\ntext\n",
			[]string{w(5, container, "```"), w(7, eof, "```")},
			"p.md:7: block is neither run nor used: add file=\"…\" or skip=\"reason\" (or give it a language such as console)"},
		{"with an error", "```yaml\nk: v\n", []string{w(1, eof, "```")},
			`p.md:1: "yaml" block is neither run nor used: add file="…" or skip="reason"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse("p.md", []byte(tt.src))
			if got := fmt.Sprint(err); tt.err == "" && err != nil || tt.err != "" && got != tt.err {
				t.Errorf("error: %v\nwant:  %s", err, tt.err)
			}
			var got []string
			for _, w := range p.Warnings {
				got = append(got, w.Error())
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("warnings:\n\t%s\nwant:\n\t%s", strings.Join(got, "\n\t"), strings.Join(tt.want, "\n\t"))
			}
			if tt.err == "" && len(p.Blocks) == 0 {
				t.Errorf("no blocks")
			}
		})
	}
}

// TestCorpusWarnings: only the corpus's deliberately open blocks warn.
func TestCorpusWarnings(t *testing.T) {
	var got []string
	for name, src := range corpus(t) {
		p, err := Parse(name, src)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range p.Warnings {
			got = append(got, fmt.Sprintf("%s:%d", w.Path, w.Line))
		}
	}
	slices.Sort(got)
	if want := []string{"inner.md:57", "unclosed.md:5"}; !slices.Equal(got, want) {
		t.Errorf("warnings at %v, want %v", got, want)
	}
}

func TestAloneAttribute(t *testing.T) {
	p, err := Parse("p.md", []byte("```console {alone=true}\n$ true\n```\n\n```text {file=\"a\" alone=true}\nx\n```\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range p.Blocks {
		if !b.Opts.Alone {
			t.Errorf("block at line %d: alone not set", b.Line)
		}
	}
	_, err = Parse("p.md", []byte("```console {alone=\"yes\"}\n$ true\n```\n"))
	if err == nil || !strings.Contains(err.Error(), "p.md:1: alone=\"yes\": want alone=true") {
		t.Errorf("alone=\"yes\": %v", err)
	}
}
