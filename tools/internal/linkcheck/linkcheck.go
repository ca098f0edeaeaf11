// Package linkcheck checks the links of a built static site: every link,
// stylesheet, script and image that points inside the site must name a
// file that exists, and a #fragment must name an id of the target page.
// It reads the files only, as a file server would serve them (a folder
// URL is its index.html), so it needs no server and no network. A link to
// handout.pdf beside a print.html is taken as good: the site build makes
// the print.html, `make handout` then prints the PDF beside it.
package linkcheck

import (
	"bytes"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/net/html"
)

// A Problem is one broken reference, or an id given twice in one page.
type Problem struct {
	File string // relative to the site's root, slash-separated
	Line int
	Msg  string
}

func (p Problem) String() string { return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg) }

// refAttrs are the attributes that load or link to another URL, by element.
var refAttrs = map[string]string{
	"a": "href", "link": "href", "area": "href",
	"script": "src", "img": "src", "source": "src", "iframe": "src", "video": "src", "audio": "src",
}

type ref struct {
	line int
	url  string
}

type page struct {
	ids  map[string]bool
	refs []ref
}

// Check reads every .html file below root and returns the problems found,
// sorted by file and line.
func Check(root string) ([]Problem, error) {
	pages := map[string]*page{}
	var problems []Problem
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		pg, dups := parse(src)
		for _, d := range dups {
			problems = append(problems, Problem{rel, d.line, fmt.Sprintf("id %q appears a second time", d.url)})
		}
		pages[rel] = pg
		return nil
	})
	if err != nil {
		return nil, err
	}
	for rel, pg := range pages {
		for _, r := range pg.refs {
			if msg := check(root, pages, rel, r.url); msg != "" {
				problems = append(problems, Problem{rel, r.line, msg})
			}
		}
	}
	sort.Slice(problems, func(i, j int) bool {
		if problems[i].File != problems[j].File {
			return problems[i].File < problems[j].File
		}
		return problems[i].Line < problems[j].Line
	})
	return problems, nil
}

// parse collects a page's ids and references, with line numbers, and the
// ids it repeats.
func parse(src []byte) (*page, []ref) {
	pg := &page{ids: map[string]bool{}}
	var dups []ref
	z := html.NewTokenizer(bytes.NewReader(src))
	line := 1
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return pg, dups
		}
		raw := z.Raw()
		at := line
		line += bytes.Count(raw, []byte("\n"))
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		name, hasAttr := z.TagName()
		want := refAttrs[string(name)]
		for hasAttr {
			var k, v []byte
			k, v, hasAttr = z.TagAttr()
			switch key := string(k); {
			case key == "id":
				if pg.ids[string(v)] {
					dups = append(dups, ref{at, string(v)})
				}
				pg.ids[string(v)] = true
			case key == want:
				pg.refs = append(pg.refs, ref{at, string(v)})
			}
		}
	}
}

// printedLater says whether rel is a handout that the site build does not
// make but `make handout` prints afterwards (tools/labhandout): a
// handout.pdf beside a print.html.
func printedLater(root, rel string) bool {
	if path.Base(rel) != "handout.pdf" {
		return false
	}
	_, err := os.Stat(filepath.Join(root, filepath.FromSlash(path.Join(path.Dir(rel), "print.html"))))
	return err == nil
}

// check says what is wrong with one reference from the page from (a path
// relative to root), or "".
func check(root string, pages map[string]*page, from, raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return fmt.Sprintf("link %q does not parse: %v", raw, err)
	}
	if u.Scheme != "" || u.Host != "" {
		return "" // another site, mailto:, data:: not ours to check
	}
	var rel string
	switch {
	case u.Path == "":
		rel = from // #fragment or ?query: this page
	case strings.HasPrefix(u.Path, "/"):
		return fmt.Sprintf("link %q is root-relative: it breaks when the site is served from a sub-path; make it relative", raw)
	default:
		// Joined without a leading "/", so that ".." past the top
		// stays visible instead of being clamped as a browser would.
		rel = path.Join(path.Dir(from), u.Path)
		if strings.HasSuffix(u.Path, "/") {
			rel = path.Join(rel, "index.html")
		}
	}
	if rel == ".." || strings.HasPrefix(rel, "../") {
		return fmt.Sprintf("link %q leaves the site", raw)
	}
	fi, err := os.Stat(filepath.Join(root, filepath.FromSlash(rel)))
	switch {
	case err != nil && printedLater(root, rel):
		return ""
	case err != nil:
		return fmt.Sprintf("link %q: no file %s in the site", raw, rel)
	case fi.IsDir():
		return fmt.Sprintf("link %q: %s is a folder; link to %s/ (its index.html)", raw, rel, rel)
	}
	if u.Fragment == "" {
		return ""
	}
	tp, ok := pages[rel]
	if !ok {
		return "" // a fragment of a file that is not HTML (a PDF page, say)
	}
	if !tp.ids[u.Fragment] {
		return fmt.Sprintf("link %q: %s has no element with id %q", raw, rel, u.Fragment)
	}
	return ""
}
