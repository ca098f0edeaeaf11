package blocks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The site's own settings are read, not Hugo's defaults: config.toml
// turns the typographer off.
func TestSiteMarkupReadsTheSiteConfig(t *testing.T) {
	m, err := SiteMarkup("../../../content/lab/1-netcat/index.md")
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(m.Source) != "config.toml" || m.Typographer {
		t.Fatalf("SiteMarkup = %+v, want config.toml's settings with the typographer off", m)
	}
	want := HugoDefaults
	want.Source, want.Typographer = m.Source, false
	if m != want {
		t.Fatalf("SiteMarkup = %+v, want %+v", m, want)
	}
	outside, err := SiteMarkup(t.TempDir())
	if err != nil || outside != HugoDefaults {
		t.Fatalf("outside any site: %+v, %v; want HugoDefaults", outside, err)
	}
}

// Each block-level setting changes which blocks are found, so a setting
// that did not reach the parser would show here: with definition lists
// or footnotes off, the fences indented under them are indented code.
func TestMarkupSettingsChangeTheBlocks(t *testing.T) {
	src, err := os.ReadFile("testdata/corpus/markup.md")
	if err != nil {
		t.Fatal(err)
	}
	lines := func(m Markup) []int {
		p, err := ParseWith(m, "markup.md", src)
		if err != nil {
			t.Fatal(err)
		}
		var l []int
		for _, b := range p.Blocks {
			l = append(l, b.Line)
		}
		return l
	}
	all := lines(HugoDefaults)
	noDefs, noNotes := HugoDefaults, HugoDefaults
	noDefs.DefinitionList = false
	noNotes.Footnote = false
	if got := lines(noDefs); len(got) != len(all)-1 || got[0] == all[0] {
		t.Errorf("definition lists off: blocks at %v, want %v without the first", got, all)
	}
	if got := lines(noNotes); len(got) != len(all)-1 || got[1] == all[1] {
		t.Errorf("footnotes off: blocks at %v, want %v without the second", got, all)
	}
}

func TestReadMarkupRefusesWhatItCannotFollow(t *testing.T) {
	for _, c := range []struct{ config, want string }{
		{"[markup.goldmark.extensions.passthrough]\nenable = true\n", "site.toml: markup.goldmark.extensions.passthrough is enabled"},
		{"[markup]\ndefaultMarkdownHandler = \"pandoc\"\n", `site.toml: markup.defaultMarkdownHandler = "pandoc"`},
		{"[markup\n", "site.toml:1:"},
	} {
		_, err := ReadMarkup("site.toml", []byte(c.config))
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%q: error %v, want it to start with %q", c.config, err, c.want)
		}
	}
	m, err := ReadMarkup("site.toml", []byte("[markup.goldmark.extensions]\ntable = false\n[markup.goldmark.parser.attribute]\ntitle = false\n"))
	if err != nil || m.Table || m.AttributeTitle || !m.Footnote {
		t.Fatalf("ReadMarkup = %+v, %v; want only the table and title attributes off", m, err)
	}
}
