package blocks

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/pelletier/go-toml/v2"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/util"
)

// Markup is the part of a Hugo site's configuration ([markup] in
// config.toml) that the parser must share with Hugo so that both find
// the same blocks. Read it with SiteMarkup; HugoDefaults is what Hugo
// uses when the site sets nothing.
type Markup struct {
	// Source is the file the settings were read from; "" for Hugo's
	// defaults.
	Source string

	// Block-level extensions: a definition list or a footnote is a
	// container whose indentation a fence inside it loses, and a table
	// ends where a fence starts.
	Table, DefinitionList, Footnote bool
	// Inline extensions change no block, but are kept so that the two
	// parsers stay the same program.
	Strikethrough, Linkify, TaskList, Typographer bool
	// Title attributes ({#id} after a heading). Hugo's block attributes
	// (markup.goldmark.parser.attribute.block) need nothing here: Hugo's
	// own extension, which only it can import, attaches a `{…}` line to
	// the block above and never applies to fenced code
	// (TestHugoAgreement's corpus has such lines around fences).
	AttributeTitle bool
}

// HugoDefaults is Hugo v0.165's goldmark configuration when the site
// sets none (markup/goldmark/goldmark_config.Default).
var HugoDefaults = Markup{
	Table: true, DefinitionList: true, Footnote: true,
	Strikethrough: true, Linkify: true, TaskList: true, Typographer: true,
	AttributeTitle: true,
}

// siteConfig mirrors the keys of Hugo's [markup] table that Markup
// reads. Pointers: a key the site leaves out keeps Hugo's default.
type siteConfig struct {
	Markup struct {
		DefaultMarkdownHandler string `toml:"defaultMarkdownHandler"`
		Goldmark               struct {
			Extensions struct {
				Table, Strikethrough, Linkify, TaskList, DefinitionList, Footnote *bool
				Typographer                                                       struct{ Disable *bool }
				Passthrough                                                       struct{ Enable *bool }
			}
			Parser struct {
				Attribute struct{ Title *bool }
			}
		}
	}
}

// ConfigNames are the file names Hugo reads a site's configuration
// from, in its order of preference.
var ConfigNames = []string{"hugo.toml", "config.toml"}

// SiteMarkup returns the markup settings of the Hugo site that holds
// path (a page or a folder): the first folder at or above it with a
// hugo.toml or config.toml. Outside any site it returns HugoDefaults.
// Settings this parser cannot follow (a Markdown handler other than
// goldmark; passthrough, whose block delimiters could hide a fence) are
// an error naming the file and what to do.
func SiteMarkup(path string) (Markup, error) {
	dir, err := filepath.Abs(path)
	if err != nil {
		return Markup{}, err
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		dir = filepath.Dir(dir)
	}
	for {
		for _, name := range ConfigNames {
			file := filepath.Join(dir, name)
			if src, err := os.ReadFile(file); err == nil {
				return ReadMarkup(file, src)
			} else if !errors.Is(err, os.ErrNotExist) {
				return Markup{}, err
			}
		}
		up := filepath.Dir(dir)
		if up == dir {
			return HugoDefaults, nil
		}
		dir = up
	}
}

// ReadMarkup reads the [markup] settings from a site configuration in
// TOML; file names it in errors.
func ReadMarkup(file string, src []byte) (Markup, error) {
	var c siteConfig
	if err := toml.Unmarshal(src, &c); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			row, _ := de.Position()
			return Markup{}, fmt.Errorf("%s:%d: %v", file, row, de)
		}
		return Markup{}, fmt.Errorf("%s: %v", file, err)
	}
	m := HugoDefaults
	m.Source = file
	if h := c.Markup.DefaultMarkdownHandler; h != "" && h != "goldmark" {
		return Markup{}, fmt.Errorf("%s: markup.defaultMarkdownHandler = %q: labrun finds blocks as goldmark does; use goldmark or teach tools/internal/blocks the other handler", file, h)
	}
	g := c.Markup.Goldmark
	if p := g.Extensions.Passthrough.Enable; p != nil && *p {
		return Markup{}, fmt.Errorf("%s: markup.goldmark.extensions.passthrough is enabled: its block delimiters can hold fence-like lines that labrun would take for blocks; turn it off or teach tools/internal/blocks the extension", file)
	}
	set := func(dst *bool, v *bool) {
		if v != nil {
			*dst = *v
		}
	}
	set(&m.Table, g.Extensions.Table)
	set(&m.Strikethrough, g.Extensions.Strikethrough)
	set(&m.Linkify, g.Extensions.Linkify)
	set(&m.TaskList, g.Extensions.TaskList)
	set(&m.DefinitionList, g.Extensions.DefinitionList)
	set(&m.Footnote, g.Extensions.Footnote)
	if d := g.Extensions.Typographer.Disable; d != nil {
		m.Typographer = !*d
	}
	set(&m.AttributeTitle, g.Parser.Attribute.Title)
	return m, nil
}

// markdowns holds one goldmark per Markup seen (there is one per site).
var markdowns sync.Map // Markup without Source → goldmark.Markdown

// goldmark returns goldmark configured as Hugo configures it for m
// (markup/goldmark/convert.go), with the fence watcher that tells
// closed blocks from open ones.
func (m Markup) goldmark() goldmark.Markdown {
	key := m
	key.Source = ""
	if md, ok := markdowns.Load(key); ok {
		return md.(goldmark.Markdown)
	}
	var exts []goldmark.Extender
	for _, e := range []struct {
		on  bool
		ext goldmark.Extender
	}{
		{m.Table, extension.Table},
		{m.Strikethrough, extension.Strikethrough},
		{m.Linkify, extension.Linkify},
		{m.TaskList, extension.TaskList},
		{m.Typographer, extension.Typographer},
		{m.DefinitionList, extension.DefinitionList},
		{m.Footnote, extension.Footnote},
	} {
		if e.on {
			exts = append(exts, e.ext)
		}
	}
	opts := []parser.Option{
		// Tried before goldmark's own fenced code block parser, which
		// it wraps, so blocks are found the same way.
		parser.WithBlockParsers(util.Prioritized(fenceWatcher{parser.NewFencedCodeBlockParser()}, 699)),
	}
	if m.AttributeTitle {
		opts = append(opts, parser.WithAttribute())
	}
	md, _ := markdowns.LoadOrStore(key, goldmark.New(goldmark.WithExtensions(exts...), goldmark.WithParserOptions(opts...)))
	return md.(goldmark.Markdown)
}
