package blocks

import (
	"reflect"
	"strings"
	"testing"

	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// FuzzAttributeList checks that listScan accepts exactly the attribute
// lists goldmark's parser.ParseAttributes accepts, ending at the same
// byte, and that for any info string attributes either refuses it or
// returns what Hugo's code block hook gets.
func FuzzAttributeList(f *testing.F) {
	for _, s := range []string{
		`{}`, `{ }`, `  {a=1}`, `{a=1 }`, `{ a=1}`, `{a=1,}`, `{a=1,,b=2}`, `{a = "x"}`,
		`{a=1b=2}`, `{a=1.5.3}`, `{a="x"b="y"}`, `{#id .c1 .c2}`, `{#}`, `{.a!}`,
		`{a=[1 2]}`, `{a=[1,]}`, `{a=[,1]}`, `{a=[]}`, `{a=[ ]}`, `{a=[1, "2", [3]]}`,
		`{a={b=1}}`, `{a={b=}}`, `{class=1}`, `{class=x}`, `{class="x"}`, `{class=true}`,
		`{a=-}`, `{a=+1}`, `{a=1e}`, `{a=1e+5}`, `{a=1e999}`, `{a=1.}`, `{a=.5}`,
		`{a=true b=false c=null}`, `{a="\"\\\/\b\f\n\r\t\x"}`, `{a="x\"}`, `{a="x\\"}`, `{a="x\`,
		`{title=two words!}`, `{timeout=1m30s}`, `{term="x" title="unterminated`, `{term="x"`,
		`{linenos}`, `{títle="x"}`, `{title: "x"}`, `{'x'}`, `{a='x'}`, "{a=\xff}", "{a=1\r}",
		"{a=1\tb=2}", `{a=}`, `{a=,b=1}`, `{=1}`, `{"a"=1}`, `{a-b:c.d_e=1}`, `{_a=1}`, `{:a=1}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.ContainsAny(s, "\n") {
			return // an info string is one line
		}
		r := text.NewReader([]byte(s))
		_, ok := parser.ParseAttributes(r)
		_, pos := r.Position()
		l := &listScan{s: []byte(s), top: true}
		if got := l.list(); got != ok || ok && l.i != pos.Start {
			t.Fatalf("%q: goldmark: %v, ending at %d; listScan: %v, ending at %d", s, ok, pos.Start, got, l.i)
		}
		if open := len(s) - len(strings.TrimLeft(s, " \t\r")); !ok && open < len(s) && s[open] == '{' {
			if msg := l.explain(open); msg == "" {
				t.Fatalf("%q: no explanation", s)
			}
		}

		for _, info := range []string{s, "console " + s, "console" + s} {
			attrs, err := attributes([]byte(info))
			hugo, _, herr := hugoAttributes([]byte(info))
			if err == nil && (herr != nil || !reflect.DeepEqual(attrs, hugo)) {
				t.Fatalf("%q: got %v, Hugo gets %v (%v)", info, attrs, hugo, herr)
			}
			if herr != nil && err == nil {
				t.Fatalf("%q: accepted, Hugo fails: %v", info, herr)
			}
			if err != nil && strings.TrimSpace(err.Error()) == "" {
				t.Fatalf("%q: empty error", info)
			}
		}
	})
}

// TestAttributeErrors: each malformed attribute list is refused, with
// the line of the block's fence and what to do.
func TestAttributeErrors(t *testing.T) {
	tests := []struct {
		name, info, want string
	}{
		// Hugo silently drops these.
		{"unterminated string", `console {term="x" title="unterminated`,
			`attribute title: the quoted value "unterminated has no closing quote; close the quote, then the list with "}"`},
		{"no closing brace", `console {term="x"`,
			`attribute list {term="x" has no closing "}"; end it with "}"`},
		{"no closing brace after a comma", `console {term="x",`,
			`attribute list {term="x", has no closing "}"; end it with "}"`},
		{"lone brace", `console {`,
			`attribute list { has no closing "}"; end it with "}"`},
		{"text after the list", `console {term="x"} title="y"`,
			"Hugo ignores `title=\"y\"` after the attribute list; remove it or move it inside the braces"},
		{"second list", `console {term="x"} {title="y"}`,
			"Hugo ignores `{title=\"y\"}` after the attribute list; remove it or move it inside the braces"},
		{"extra brace", `console {term="x"}}`,
			`Hugo ignores "}" after the attribute list; remove it or move it inside the braces`},
		{"text before the list", `console extra {term="x"}`,
			`Hugo ignores "extra" before the attribute list; remove it`},
		{"no braces", `console term="x"`,
			"Hugo ignores `term=\"x\"` after the language; write attributes in braces, e.g. {title=\"…\"}"},
		{"list inside a value", `console {title="x{term=web}"}`,
			`attribute title: no value may hold "{" or "}", even quoted: Hugo reads the attributes from the last "{" before the first "}"`},

		// Hugo fails on these.
		{"brace in a quoted value", `console {redact="[0-9]{3}" term="x"}`,
			`attribute redact: no value may hold "{" or "}", even quoted: Hugo reads the attributes from the last "{" before the first "}"`},
		{"unterminated string with a brace", `console {title="a}`,
			`attribute title: the quoted value "a} has no closing quote; close it before the "}"`},
		{"escaped closing quote", `console {title="a\"}`,
			`attribute title: the quoted value "a\"} has no closing quote; close it before the "}"`},
		{"key without a value", `console {linenos}`,
			`attribute linenos has no value; write linenos="…"`},
		{"key without a value after a word", `console {term=web linenos}`,
			`attribute linenos has no value; write linenos="…", or, if it belongs to the value of term, quote that value: term="…"`},
		{"words", `console {title=two words!}`,
			`"words!" is not name="value"; if it belongs to the value of title, quote that value: title="…"`},
		{"unquoted duration", `console {timeout=1m30s}`,
			`attribute timeout: quote the value, e.g. timeout="1m30s"`},
		{"unquoted path", `yaml {file=app/c.yaml}`,
			`attribute file: quote the value, e.g. file="app/c.yaml"`},
		{"value with punctuation", `console {title=!}`,
			`attribute title: quote the value, e.g. title="!"`},
		{"single quotes", `console {title='x y'}`,
			`attribute title: quote values with double quotes, e.g. title="…"`},
		{"no value", `console {title=}`,
			`attribute title has no value after "="; write title="…"`},
		{"no value at the end", `console {title=`,
			`attribute title has no value after "="; write title="…"`},
		{"no value before a comma", `console {title=, term="x"}`,
			`attribute title has no value after "="; write title="…"`},
		{"colon", `console {title: "x"}`,
			`attribute title: write title="…", with "=" rather than ":"`},
		{"quote in a quoted value", `console {title="say "hi""}`,
			"attribute title: its quoted value is followed by `hi\"\"`; separate attributes with spaces, and write a quote inside a value as \\\""},
		{"not a name", `console {"title"="x"}`,
			"attribute list has `\"title\"=\"x\"` where a name belongs; write name=\"value\" pairs separated by spaces"},
		{"non-ASCII name", `console {títle="x"}`,
			`attribute name t is followed by 'í'; names are ASCII letters, digits, "_", "-", ":" and "."`},
		{"only spaces", `console { }`,
			`attribute list { } holds only spaces, which Hugo refuses; write {} or remove it`},
		{"bad number", `console {exit=-}`,
			`attribute exit: - is not a number; write one such as 1, or quote the value`},
		{"bad array", `console {hl_lines=[1,]}`,
			`attribute hl_lines: cannot read the array [1,]}; separate its values with commas, e.g. hl_lines=[1, "3-4"]`},
		{"unclosed array", `console {hl_lines=[1`,
			`attribute hl_lines: cannot read the array [1; separate its values with commas, e.g. hl_lines=[1, "3-4"]`},
		{"nested list", `console {title={a=1}}`,
			`attribute title: no value may hold "{" or "}", even quoted: Hugo reads the attributes from the last "{" before the first "}"`},
		{"class number", `console {class=1}`,
			`attribute class: quote the value, e.g. class="1"`},
		{"R Markdown", `{r}`,
			`attribute r has no value; write r="…"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "Intro\n\n- item\n\n  ```" + tt.info + "\n  $ a\n  ```\n"
			p, err := Parse("p.md", []byte(src))
			if want := "p.md:5: " + tt.want; err == nil || err.Error() != want {
				t.Errorf("info %s\nerror: %v\nwant:  %s", tt.info, err, want)
			}
			if len(p.Blocks) != 0 {
				t.Errorf("the block is in Blocks")
			}
		})
	}
}

// TestAttributeLists: well-formed lists, spaced and punctuated every
// way goldmark allows, still parse.
func TestAttributeLists(t *testing.T) {
	tests := []struct {
		info string
		want map[string]any
	}{
		{`console`, map[string]any{}},
		{`console {}`, map[string]any{}},
		{`console{term="x"}`, map[string]any{"term": "x"}},
		{`console   {term="x"}   `, map[string]any{"term": "x"}},
		{`console { term = "x" , exit = 1 }`, map[string]any{"term": "x", "exit": 1.0}},
		{`console {term="x",exit=1,}`, map[string]any{"term": "x", "exit": 1.0}},
		{"console\t{term=x}", nil}, // the language is "console\t"
		{`console {term=web-1 title="a \"b\" c" redact="\\d+" hl_lines=[1, "3-4"] linenos=true}`,
			map[string]any{"term": "web-1", "title": `a "b" c`, "redact": `\d+`, "hl_lines": []any{1.0, "3-4"}, "linenos": true}},
		{`console {title="a"term="x"}`, map[string]any{"title": "a", "term": "x"}},
		{`console {.wide #log title="x"}`, map[string]any{"class": "wide", "id": "log", "title": "x"}},
		{`{skip="x"}`, map[string]any{"skip": "x"}},
	}
	for _, tt := range tests {
		src := "```" + tt.info + "\n$ a\n```\n"
		if !strings.HasPrefix(tt.info, "console") {
			src = "```" + tt.info + "\nx\n```\n"
		}
		p, err := Parse("p.md", []byte(src))
		if tt.want == nil {
			if err == nil || !strings.Contains(err.Error(), `"console\t" block is neither run nor used`) {
				t.Errorf("%q: %v", tt.info, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.info, err)
			continue
		}
		if got := p.Blocks[0].Attrs; !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: attributes %#v, want %#v", tt.info, got, tt.want)
		}
	}
}
