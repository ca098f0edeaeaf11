package site

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/labdocs/dockerlab/tools/internal/blocks"
)

// Navigation of the real site (issue 15, part 5): the authors' pages are
// kept out of the learners' way, and sections meant to be read in order
// link each page to the next. The browser side is in browser_test.go.

// isAuthorURL says whether a page is one of the authors' pages that
// must carry `audience: authors`: the authors' guide and the seed map.
// Written here from the issue, not read from the front matter, so that a
// page that loses its flag (or a template that ignores it) fails.
func isAuthorURL(u string) bool {
	return strings.HasPrefix(u, "/authoring/") || u == "/about/seed-map/"
}

var forAuthorsRE = regexp.MustCompile(`<body class="[^"]*\bfor-authors\b`)

// bodyForAuthors says whether a built page is marked as for authors
// (baseof.html: class for-authors on <body>).
func bodyForAuthors(doc string) bool { return forAuthorsRE.MatchString(doc) }

// builtPages returns every HTML page of the built site by URL ("/",
// "/concepts/images/"): the pages with the site's <main>, so not the print
// documents, the 404 page or a bundle's own index.html. Range over
// sortedKeys of it for messages in a stable order.
func (s *realSite) builtPages(t *testing.T) map[string]string {
	t.Helper()
	public := filepath.Join(s.dir, "public")
	out := map[string]string{}
	err := filepath.WalkDir(public, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() != "index.html" {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil || !strings.Contains(string(b), `<main id="main"`) {
			return err
		}
		rel, _ := filepath.Rel(public, filepath.Dir(p))
		u := "/" + filepath.ToSlash(rel) + "/"
		if rel == "." {
			u = "/"
		}
		out[u] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 10 {
		t.Fatalf("only %d pages built", len(out))
	}
	return out
}

// link is an <a href> of a built page, resolved to a site URL.
type link struct {
	url  string // "/concepts/images/", fragment dropped
	text string
}

// linksIn returns the links inside the elements of doc (the page at
// pageURL) that match; links of nested matches are listed once.
func linksIn(t *testing.T, pageURL, doc string, match func(*html.Node) bool) []link {
	t.Helper()
	root, err := html.Parse(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse("http://site.test" + pageURL)
	var out []link
	var walk func(n *html.Node, in bool)
	walk = func(n *html.Node, in bool) {
		in = in || (n.Type == html.ElementNode && match(n))
		if in && n.Type == html.ElementNode && n.Data == "a" {
			if h := attr(n, "href"); h != "" {
				if u, err := base.Parse(h); err == nil && u.Host == base.Host {
					out = append(out, link{url: u.Path, text: strings.TrimSpace(textOf(n))})
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, in)
		}
	}
	walk(root, false)
	return out
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

func hasClass(n *html.Node, class string) bool {
	for _, c := range strings.Fields(attr(n, "class")) {
		if c == class {
			return true
		}
	}
	return false
}

func textOf(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(textOf(c))
	}
	return b.String()
}

// isElem matches elements by tag and, if given, id or class.
func isElem(tag, id, class string) func(*html.Node) bool {
	return func(n *html.Node) bool {
		return n.Data == tag && (id == "" || attr(n, "id") == id) && (class == "" || hasClass(n, class))
	}
}

// contentURLs returns the URL of every page bundle of the built copy's
// content/ ("/authoring/" for content/authoring/_index.md).
func (s *realSite) contentURLs(t *testing.T) []string {
	t.Helper()
	bundles, err := contentBundles(s.content())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, b := range bundles {
		u := "/" + filepath.ToSlash(b.dir) + "/"
		if b.dir == "." {
			u = "/"
		}
		out = append(out, u)
	}
	sort.Strings(out)
	return out
}

// TestAuthorPages: the pages for authors (the authors' guide and the seed
// map) are built and reached from the footer's "For authors" link, but are
// in no learner's navigation, home page card, section list or search
// result; on their own pages the authors still get their section's menu.
func TestAuthorPages(t *testing.T) {
	t.Parallel()
	s := buildRealSite(t)
	pages := s.builtPages(t)

	// Built, and marked for authors exactly when the issue says so.
	var authors []string
	for _, u := range s.contentURLs(t) {
		if !isAuthorURL(u) {
			continue
		}
		authors = append(authors, u)
		if _, ok := pages[u]; !ok {
			t.Errorf("the author page %s was not built", u)
		}
	}
	if len(authors) < 2 || !contains(authors, "/authoring/") {
		t.Fatalf("the built copy has too few author pages: %q (left out: %v)", authors, s.dropped)
	}
	for _, u := range sortedKeys(pages) {
		doc := pages[u]
		if got, want := bodyForAuthors(doc), isAuthorURL(u); got != want {
			t.Errorf("%s: marked for authors %v, want %v (audience: authors in its front matter?)", u, got, want)
		}
	}

	// Not in the search index.
	for _, p := range s.index.Pages {
		if isAuthorURL(p.URL) {
			t.Errorf("the search index has the author page %s", p.URL)
		}
	}

	for _, u := range sortedKeys(pages) {
		doc := pages[u]
		// Every page links the authors' guide from its footer.
		foot := linksIn(t, u, doc, isElem("footer", "", "site-foot"))
		found := false
		for _, l := range foot {
			found = found || (l.text == "For authors" && l.url == "/authoring/")
		}
		if !found {
			t.Errorf("%s: no footer link \"For authors\" to /authoring/ (footer links: %v)", u, foot)
		}

		nav := linksIn(t, u, doc, isElem("nav", "site-nav", ""))
		if len(nav) < 5 {
			t.Errorf("%s: the course menu has %d links", u, len(nav))
		}
		if isAuthorURL(u) {
			// The authors' own view: their section's menu, with this page in it.
			if !linked(nav, "/authoring/") || !linked(nav, u) {
				t.Errorf("%s (for authors): the menu lacks the authors' guide or this page: %v", u, nav)
			}
			continue
		}
		// A learner's menu, home page cards and section lists: no author page.
		lists := linksIn(t, u, doc, func(n *html.Node) bool {
			return hasClass(n, "overview") || hasClass(n, "page-list")
		})
		for _, l := range append(nav, lists...) {
			if isAuthorURL(l.url) {
				t.Errorf("%s: links the author page %s (%q) in its menu or lists", u, l.url, l.text)
			}
		}
	}
	// The footer's target lists the guide's pages.
	guide := linksIn(t, "/authoring/", pages["/authoring/"], isElem("main", "main", ""))
	for _, u := range authors {
		if strings.HasPrefix(u, "/authoring/") && u != "/authoring/" && !linked(guide, u) {
			t.Errorf("/authoring/ does not link %s", u)
		}
	}
}

func linked(links []link, u string) bool {
	for _, l := range links {
		if l.url == u {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// frontMatter returns a page's front matter (blocks.FrontMatter, as the
// runner reads it), its values as text: enough for weight, ordered and
// audience.
func frontMatter(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fm, err := blocks.FrontMatter(b)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	out := map[string]string{}
	for k, v := range fm {
		out[k] = fmt.Sprint(v)
	}
	return out
}

// orderedSection is a section read in order, and its pages by weight.
type orderedSection struct {
	url   string   // "/concepts/"
	pages []string // "/concepts/what-is-docker/", … by weight, the authors' pages left out
}

// orderedSections reads the built copy's content/: the top-level sections
// whose _index.md says `ordered: true`, each with its pages by weight. The
// lab and the concepts must be among them (their text says to read them
// in order).
func (s *realSite) orderedSections(t *testing.T) []orderedSection {
	t.Helper()
	content := s.content()
	entries, err := os.ReadDir(content)
	if err != nil {
		t.Fatal(err)
	}
	var out []orderedSection
	for _, e := range entries {
		idx := filepath.Join(content, e.Name(), "_index.md")
		if !e.IsDir() {
			continue
		}
		if _, err := os.Stat(idx); err != nil || frontMatter(t, idx)["ordered"] != "true" {
			continue
		}
		sec := orderedSection{url: "/" + e.Name() + "/"}
		type weighted struct {
			url    string
			weight int
		}
		var pages []weighted
		sub, err := os.ReadDir(filepath.Join(content, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range sub {
			md := filepath.Join(content, e.Name(), p.Name(), "index.md")
			if _, err := os.Stat(md); !p.IsDir() || err != nil {
				continue // a subsection has _index.md: none is read in order yet
			}
			u := sec.url + p.Name() + "/"
			if isAuthorURL(u) {
				continue
			}
			w, err := strconv.Atoi(frontMatter(t, md)["weight"])
			if err != nil {
				t.Errorf("%s has no weight: its place in %s is undefined", md, sec.url)
			}
			pages = append(pages, weighted{u, w})
		}
		sort.SliceStable(pages, func(i, j int) bool { return pages[i].weight < pages[j].weight })
		for i, p := range pages {
			if i > 0 && p.weight == pages[i-1].weight {
				t.Errorf("%s and %s have the same weight %d: their order is undefined", pages[i-1].url, p.url, p.weight)
			}
			sec.pages = append(sec.pages, p.url)
		}
		out = append(out, sec)
	}
	for _, want := range []string{"/concepts/", "/lab/"} {
		found := false
		for _, sec := range out {
			found = found || sec.url == want
		}
		if !found {
			t.Errorf("%s is not read in order (ordered: true in its _index.md)", want)
		}
	}
	return out
}

// TestPrevNext checks the built pages: in a section read in order each
// page links the previous and the next page by weight (the first no
// previous, the last no next) with its title; no other page has
// previous/next links. TestBrowser follows them.
func TestPrevNext(t *testing.T) {
	t.Parallel()
	s := buildRealSite(t)
	pages := s.builtPages(t)
	titles := map[string]string{}
	for _, p := range s.index.Pages {
		titles[p.URL] = p.Title
	}
	inOrder := map[string]bool{}
	for _, sec := range s.orderedSections(t) {
		if len(sec.pages) < 2 {
			t.Errorf("%s is read in order but has %d pages", sec.url, len(sec.pages))
			continue
		}
		for i, u := range sec.pages {
			inOrder[u] = true
			doc, ok := pages[u]
			if !ok {
				t.Errorf("%s was not built", u)
				continue
			}
			var prev, next []link
			for _, l := range linksIn(t, u, doc, isElem("nav", "", "prev-next")) {
				if strings.HasPrefix(l.text, "Previous") {
					prev = append(prev, l)
				} else if strings.HasPrefix(l.text, "Next") {
					next = append(next, l)
				} else {
					t.Errorf("%s: a previous/next link reads %q", u, l.text)
				}
			}
			check := func(what string, got []link, j int) {
				if j < 0 || j >= len(sec.pages) {
					if len(got) != 0 {
						t.Errorf("%s (%d of %d in %s) links a %s page: %v", u, i+1, len(sec.pages), sec.url, what, got)
					}
					return
				}
				want := sec.pages[j]
				if len(got) != 1 || got[0].url != want {
					t.Errorf("%s: %s links %v, want %s", u, what, got, want)
				} else if title := titles[want]; title == "" || !strings.HasSuffix(got[0].text, title) {
					t.Errorf("%s: the %s link reads %q, want the title %q", u, what, got[0].text, title)
				}
			}
			check("previous", prev, i-1)
			check("next", next, i+1)
		}
	}
	for _, u := range sortedKeys(pages) {
		if !inOrder[u] && strings.Contains(pages[u], `class="prev-next"`) {
			t.Errorf("%s is in no section read in order, but has previous/next links", u)
		}
	}
}
