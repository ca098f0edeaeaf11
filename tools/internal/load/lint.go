package load

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/alecthomas/chroma/v2/lexers"

	"github.com/labdocs/dockerlab/tools/internal/blocks"
)

// lint checks what parsing cannot: every fence's language is one chroma
// (the highlighter Hugo uses) knows, so no block silently renders
// unhighlighted; and a page with runnable blocks is a page bundle, since
// its record lives beside it.
func lint(p *blocks.Page) error {
	var errs []error
	for _, b := range p.Blocks {
		if b.Lang != "" && lexers.Get(b.Lang) == nil {
			errs = append(errs, fmt.Errorf("%s:%d: chroma knows no language %q, so the block would render unhighlighted: use a known name (bash, console, dockerfile, yaml, javascript, json, text ...)", p.Path, b.Line, b.Lang))
		}
	}
	if p.Recorded() {
		if base := filepath.Base(p.Path); base != "index.md" && base != "_index.md" {
			errs = append(errs, fmt.Errorf("%s:1: a page with runnable or console blocks must be a page bundle, since its capture record sits beside it: move it to %s", p.Path,
				filepath.Join(p.Path[:len(p.Path)-len(filepath.Ext(p.Path))], "index.md")))
		}
	}
	return errors.Join(errs...)
}
