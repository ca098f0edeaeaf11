package site

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/labdocs/dockerlab/tools/internal/blocks"
	"github.com/labdocs/dockerlab/tools/internal/record"
)

// The browser and handout tests use the real site: the repository built by
// the pinned Hugo into a temp dir, once per test binary, as make site
// builds it (TestSiteBuilds holds that build, which make test relies on).
// Content is being written while these tests run elsewhere: when that
// build fails, the other tests read a copy of the repository's config,
// layouts, static files and content built without the pages that are not
// captured (yet): a page bundle whose runnable blocks (console, file=) are
// not all recorded in its labrun.json, or whose labrun.json records a
// block it no longer has, would fail the build. The test logs which pages
// it left out.

var (
	realOnce  sync.Once
	realBuilt *realSite
	realErr   error
	realTmp   string // removed by TestMain
)

// realSite is the repository's site, built.
type realSite struct {
	src     string   // the site built: the repository, or a copy of its config.toml, layouts/, static/ and content/
	dir     string   // public/ is here
	dropped []string // content bundles left out, relative to the repository
	index   searchIndex
	// Why the repository did not build as make site builds it ("" when
	// it did, and src is the repository).
	strictErr string
}

// content is the path of the content folder the site was built from.
func (s *realSite) content() string {
	return filepath.Join(s.src, "content")
}

// public is the path of a file of the built site.
func (s *realSite) public(rel string) string {
	return filepath.Join(s.dir, "public", filepath.FromSlash(rel))
}

func (s *realSite) readPublic(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(s.public(rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// searchIndex is public/search-index.json (layouts/home.searchindex.json).
type searchIndex struct {
	Version int         `json:"version"`
	Pages   []indexPage `json:"pages"`
}

type indexPage struct {
	Title       string `json:"title"`
	Section     string `json:"section"`
	URL         string `json:"url"`
	Description string `json:"description"`
	Headings    []struct {
		ID   string `json:"id"`
		Text string `json:"text"`
	} `json:"headings"`
	Text string `json:"text"`
	Code string `json:"code"`
}

func TestMain(m *testing.M) {
	code := m.Run()
	stopBrowser()
	removeBuiltStandardSite()
	if realTmp != "" {
		os.RemoveAll(realTmp)
	}
	os.Exit(code)
}

// buildRealSite builds the repository's site once per test binary.
func buildRealSite(t *testing.T) *realSite {
	t.Helper()
	root := repoRoot(t)
	bin := hugo(t)
	realOnce.Do(func() { realBuilt, realErr = buildReal(root, bin) })
	if realErr != nil {
		t.Fatalf("building the repository's site: %v", realErr)
	}
	return realBuilt
}

func buildReal(root, hugoBin string) (*realSite, error) {
	tmp, err := os.MkdirTemp("", "labdocs-site-")
	if err != nil {
		return nil, err
	}
	realTmp = tmp
	// As make site builds it: the repository, with the Makefile's flags,
	// but into the temp dir.
	flags, err := makeSiteFlags(root)
	if err != nil {
		return nil, err
	}
	s := &realSite{src: root, dir: tmp}
	out, err := hugoBuild(hugoBin, root, tmp, flags...)
	if err == nil {
		return s, s.readIndex()
	}
	s.strictErr = fmt.Sprintf("%v\n%s", err, out)

	// A copy of the repository without the pages being written.
	s.src = filepath.Join(tmp, "src")
	src := s.src
	// tools/images: the recipes' parity.json and recipe.json are the images
	// page's data (a module mount in config.toml).
	for _, rel := range []string{"config.toml", "layouts", "static", "tools/images"} {
		if err := copyAny(filepath.Join(root, rel), filepath.Join(src, rel)); err != nil {
			return nil, err
		}
	}
	// Leave out every bundle that would fail the capture checks.
	skip := map[string]bool{}
	bundles, err := contentBundles(filepath.Join(root, "content"))
	if err != nil {
		return nil, err
	}
	for _, b := range bundles {
		if why := uncaptured(filepath.Join(root, "content", b.dir), b.index); why != "" {
			skip[b.key()] = true
			s.dropped = append(s.dropped, b.key()+" ("+why+")")
		}
	}
	if err := copyContent(filepath.Join(root, "content"), filepath.Join(src, "content"), skip); err != nil {
		return nil, err
	}

	// make site's flags less --panicOnWarning: a warning in a page being
	// written is not these tests' business (TestSiteBuilds fails on it).
	lenient := slices.DeleteFunc(slices.Clone(flags), func(f string) bool { return f == "--panicOnWarning" })
	// A page can still fail for a reason the check above does not know:
	// leave out the pages the build names, a few times over.
	errRE := regexp.MustCompile(`(?m)ERROR\s+(?:[^\n]*?/)?content/(\S+?)/(_?index)\.md\b`)
	for attempt := 0; ; attempt++ {
		out, err := hugoBuild(hugoBin, src, tmp, lenient...)
		if err == nil {
			break
		}
		ms := errRE.FindAllStringSubmatch(out, -1)
		if len(ms) == 0 || attempt == 3 {
			return nil, fmt.Errorf("hugo: %v\n%s", err, out)
		}
		for _, m := range ms {
			b := bundle{dir: m[1], index: m[2] + ".md"}
			if !skip[b.key()] {
				skip[b.key()] = true
				s.dropped = append(s.dropped, b.key()+" (fails the build)")
			}
		}
		if err := os.RemoveAll(filepath.Join(src, "content")); err != nil {
			return nil, err
		}
		if err := copyContent(filepath.Join(root, "content"), filepath.Join(src, "content"), skip); err != nil {
			return nil, err
		}
	}
	sort.Strings(s.dropped)
	return s, s.readIndex()
}

// readIndex reads the built search index.
func (s *realSite) readIndex() error {
	b, err := os.ReadFile(s.public("search-index.json"))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, &s.index); err != nil {
		return fmt.Errorf("search-index.json: %w", err)
	}
	return nil
}

// makeSiteFlags are the flags `make site` gives Hugo: the Makefile's
// site recipe, `$(HUGO) flags...`.
func makeSiteFlags(root string) ([]string, error) {
	mk, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		return nil, err
	}
	in := false
	for _, l := range strings.Split(string(mk), "\n") {
		switch f := strings.Fields(l); {
		case strings.HasPrefix(l, "site:"):
			in = true
		case in && strings.HasPrefix(l, "\t") && len(f) > 0 && f[0] == "$(HUGO)":
			return f[1:], nil
		case in && !strings.HasPrefix(l, "\t"):
			in = false
		}
	}
	return nil, errors.New("the Makefile's site target runs no $(HUGO)")
}

// hugoBuild builds the site in src into dir/public, with Hugo's caches
// in dir: nothing is written into src.
func hugoBuild(bin, src, dir string, flags ...string) (string, error) {
	args := append([]string{"--source", src, "--destination", filepath.Join(dir, "public"), "--noBuildLock"}, flags...)
	cmd := exec.Command(bin, args...)
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "HUGO_CACHEDIR="+filepath.Join(dir, ".cache"), "HUGO_RESOURCEDIR="+filepath.Join(dir, "resources"))
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// The repository's site, every page, builds as make site builds it (the
// Makefile's flags: a warning fails it, and so does a block changed since
// its capture). make test relies on this test for the site build.
func TestSiteBuilds(t *testing.T) {
	t.Parallel()
	s := buildRealSite(t)
	if s.strictErr != "" {
		t.Fatalf("the site does not build as make site builds it: %s", s.strictErr)
	}
	if s.src != repoRoot(t) || len(s.dropped) > 0 {
		t.Fatalf("the site read is not the repository's (%s, left out: %v)", s.src, s.dropped)
	}
}

// bundle is a page bundle: its folder relative to content/ and its index
// file, index.md (a page) or _index.md (a section).
type bundle struct {
	dir   string
	index string
}

func (b bundle) key() string { return filepath.ToSlash(filepath.Join("content", b.dir, b.index)) }

func contentBundles(content string) ([]bundle, error) {
	var out []bundle
	err := filepath.WalkDir(content, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if d.Name() == "index.md" || d.Name() == "_index.md" {
			rel, err := filepath.Rel(content, filepath.Dir(p))
			if err != nil {
				return err
			}
			out = append(out, bundle{dir: rel, index: d.Name()})
		}
		return nil
	})
	return out, err
}

// uncaptured says why a bundle would fail the site's capture checks
// (layouts/_partials/labrun/), or returns "" when it would pass.
func uncaptured(dir, index string) string {
	src, err := os.ReadFile(filepath.Join(dir, index))
	if err != nil {
		return err.Error()
	}
	// A block the runner would reject (an illustration without skip=, say)
	// is left out of page.Blocks; the site renders it without a check, and
	// if it does check it, the build names the page and it is left out then.
	page, _ := blocks.Parse(filepath.Join(dir, index), src)
	runnable := 0
	for _, b := range page.Blocks {
		if b.Kind == blocks.Console || b.Kind == blocks.File {
			runnable++
		}
	}
	rec, err := record.Load(page.Path)
	if err != nil {
		return err.Error()
	}
	if rec == nil {
		if runnable > 0 {
			return "no labrun.json"
		}
		return ""
	}
	// By position, as layouts/_partials/labrun/ checks: a runnable block
	// must find its own text at its place, and every recorded runnable
	// block must still be there.
	for i, b := range page.Blocks {
		if b.Kind != blocks.Console && b.Kind != blocks.File {
			continue
		}
		if i < len(rec.Blocks) && rec.Blocks[i].Hash == b.Hash() && rec.Blocks[i].Kind == b.Kind.String() {
			continue
		}
		for _, r := range rec.Blocks {
			if r.Hash == b.Hash() {
				return "blocks were added or removed since capture"
			}
		}
		return "a block changed since capture"
	}
	for i, r := range rec.Blocks {
		if r.Kind != "skipped" && (i >= len(page.Blocks) || page.Blocks[i].Hash() != r.Hash) {
			return "a captured block was removed"
		}
	}
	return ""
}

// copyContent copies content/ without the skipped bundles: a left-out page
// loses its whole folder, a left-out section only its _index.md and
// labrun.json.
func copyContent(from, to string, skip map[string]bool) error {
	return filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			if skip[bundle{dir: rel, index: "index.md"}.key()] {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		if skip[bundle{dir: filepath.Dir(rel), index: "_index.md"}.key()] &&
			(d.Name() == "_index.md" || d.Name() == "labrun.json") {
			return nil
		}
		return copyAny(p, filepath.Join(to, rel))
	})
}

// copyAny copies a file or a tree.
func copyAny(from, to string) error {
	return filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
}

// ---- Pages of the real site the tests look at ---------------------------------------

// consolePage is a captured page with a console block, and what its source says.
type consolePage struct {
	url    string          // "/lab/1-netcat/"
	title  string          // as in the search index ("Step 1: …")
	source *blocks.Page    // its Markdown, parsed
	blocks []*blocks.Block // its console blocks, in order (as the <figure class="term"> on the page)
}

// findConsolePage picks a captured page with a console block that has
// commands, a lab step if there is one.
func (s *realSite) findConsolePage(t *testing.T) consolePage {
	t.Helper()
	var best *consolePage
	for _, p := range s.index.Pages {
		rel := strings.Trim(p.URL, "/")
		if rel == "" {
			continue
		}
		src, err := os.ReadFile(filepath.Join(s.content(), filepath.FromSlash(rel), "index.md"))
		if err != nil {
			continue // a section, or a URL that is not its folder
		}
		if _, err := os.Stat(filepath.Join(s.content(), filepath.FromSlash(rel), "labrun.json")); err != nil {
			continue
		}
		page, err := blocks.Parse(rel+"/index.md", src)
		if err != nil {
			continue
		}
		cp := consolePage{url: p.URL, title: p.Title, source: page}
		commands := 0
		for _, b := range page.Blocks {
			if b.Lang == "console" {
				cp.blocks = append(cp.blocks, b)
				if b.Kind == blocks.Console {
					commands += len(b.Commands)
				}
			}
		}
		if commands == 0 {
			continue
		}
		if best == nil || (strings.HasPrefix(p.URL, "/lab/") && !strings.HasPrefix(best.url, "/lab/")) {
			c := cp
			best = &c
		}
	}
	if best == nil {
		t.Fatalf("the site has no captured page with a console block (left out: %v)", s.dropped)
	}
	return *best
}

// labSteps returns the search index entries of the lab steps, in order.
func (s *realSite) labSteps() []indexPage {
	var out []indexPage
	for _, p := range s.index.Pages {
		if strings.HasPrefix(p.URL, "/lab/") && p.URL != "/lab/" && strings.HasPrefix(p.Title, "Step ") {
			out = append(out, p)
		}
	}
	return out
}

// TestSearchIndex checks the index Hugo builds for the search box: every
// page is in it with its section and headings, and the commands of its
// console blocks (without prompts or output) are searchable.
func TestSearchIndex(t *testing.T) {
	t.Parallel()
	s := buildRealSite(t)
	if len(s.dropped) > 0 {
		t.Logf("left out (not captured): %s", strings.Join(s.dropped, "; "))
	}
	// Every page of the site is indexed (not the 404 and the print
	// documents), except the authors' pages (TestAuthorPages).
	urls := map[string]indexPage{}
	for _, p := range s.index.Pages {
		if _, dup := urls[p.URL]; dup {
			t.Errorf("%s is indexed twice", p.URL)
		}
		urls[p.URL] = p
		if p.Title == "" {
			t.Errorf("%s has no title in the index", p.URL)
		}
		if p.URL != "/" && p.Section == "" {
			t.Errorf("%s has no section in the index", p.URL)
		}
	}
	err := filepath.WalkDir(filepath.Join(s.dir, "public"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() != "index.html" {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil || !strings.Contains(string(b), `<main id="main"`) {
			return err // a bundle file (a lab's own index.html), not a page of the site
		}
		rel, _ := filepath.Rel(filepath.Join(s.dir, "public"), filepath.Dir(p))
		u := "/" + filepath.ToSlash(rel) + "/"
		if rel == "." {
			u = "/"
		}
		_, ok := urls[u]
		switch forAuthors := bodyForAuthors(string(b)); {
		case forAuthors && ok:
			t.Errorf("%s is for authors but in the search index", u)
		case !forAuthors && !ok:
			t.Errorf("%s is not in the search index", u)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// The commands of a captured page are in its entry, as typed: no
	// prompt, and no output line taken for a command.
	cp := s.findConsolePage(t)
	entry := urls[cp.url]
	code := "\n" + entry.Code + "\n"
	for _, b := range cp.blocks {
		for _, c := range b.Commands {
			if !strings.Contains(code, "\n"+c.Text+"\n") {
				t.Errorf("the index of %s lacks the command %q", cp.url, c.Text)
			}
			if strings.Contains(code, "\n"+c.Prompt+" "+c.Text+"\n") {
				t.Errorf("the index of %s has the command %q with its prompt", cp.url, c.Text)
			}
			for _, o := range c.Output {
				if len(o) > 12 && strings.Contains(code, "\n"+o+"\n") && !isCommand(cp, o) {
					t.Errorf("the index of %s has the output line %q as code", cp.url, o)
				}
			}
		}
	}
	if len(entry.Headings) == 0 {
		t.Errorf("the index of %s has no headings", cp.url)
	}
	for _, h := range entry.Headings {
		if h.ID == "" || h.Text == "" || strings.HasSuffix(h.Text, "#") {
			t.Errorf("the index of %s has a bad heading %+v", cp.url, h)
		}
	}
	if strings.Contains(entry.Text, "<") && strings.Contains(entry.Text, "</") {
		t.Errorf("the text of %s in the index has markup: %.200q", cp.url, entry.Text)
	}
	// The script the browser loads holds the same index.
	js := s.readPublic(t, "search-index.js")
	if !strings.HasPrefix(js, "window.DockerLabSearchIndex = {") || !strings.HasSuffix(strings.TrimSpace(js), "};") {
		t.Errorf("search-index.js is not one assignment: %.80q", js)
	}
}

func isCommand(cp consolePage, line string) bool {
	for _, b := range cp.blocks {
		for _, c := range b.Commands {
			if strings.Contains(c.Text, line) {
				return true
			}
		}
	}
	return false
}

// The filter that keeps pages being written out of the real-site build
// agrees with the site's capture checks on the standard fixture.
func TestUncapturedFilter(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	md, _ := labFirst.markdown()
	write("index.md", md)
	if why := uncaptured(dir, "index.md"); why != "no labrun.json" {
		t.Errorf("page without labrun.json: %q", why)
	}
	write("labrun.json", labFirst.labrun())
	if why := uncaptured(dir, "index.md"); why != "" {
		t.Errorf("captured page: %q", why)
	}
	write("index.md", strings.Replace(md, "web Up 2 seconds", "web Up 3 seconds", 1))
	if why := uncaptured(dir, "index.md"); why != "a block changed since capture" {
		t.Errorf("edited page: %q", why)
	}
	p := labFirst
	p.parts = append([]any{}, p.parts...)
	p.parts[3] = "(block removed)"
	md2, _ := p.markdown()
	write("index.md", md2)
	if why := uncaptured(dir, "index.md"); why != "blocks were added or removed since capture" {
		t.Errorf("page with a removed block: %q", why)
	}
	p.parts = append(append([]any{}, labFirst.parts[:6]...), labFirst.parts[7:]...) // the Dockerfile, the last runnable block
	md4, _ := p.markdown()
	write("index.md", md4)
	if why := uncaptured(dir, "index.md"); why != "a captured block was removed" {
		t.Errorf("page with its last runnable block removed: %q", why)
	}
	// Only skipped blocks: nothing to capture.
	md3, _ := labSecond.markdown()
	os.Remove(filepath.Join(dir, "labrun.json"))
	write("index.md", md3)
	if why := uncaptured(dir, "index.md"); why != "" {
		t.Errorf("page with skipped blocks only: %q", why)
	}
}
