package site

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/labdocs/dockerlab/tools/internal/blocks"
	"github.com/labdocs/dockerlab/tools/internal/handout"
)

// TestHandoutPDF prints the real site's handouts the way `make handout`
// does (tools/labhandout) and reads them back with poppler's pdftotext and
// pdfinfo: several A4 pages, a cover alone on the first page, the contents
// on the next with the right page numbers, every lab step starting a page,
// terminal transcripts with their prompts, folded output printed in full,
// no link to the server they were printed from, and, in the course, no
// page written for authors and no command help.
func TestHandoutPDF(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("handout test skipped in -short mode")
	}
	for _, tool := range []string{"pdftotext", "pdfinfo"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "" {
				t.Skipf("%s not installed (Debian's poppler-utils; make bootstrap installs it)", tool)
			}
			t.Fatalf("%s not installed (Debian's poppler-utils)", tool)
		}
	}
	if _, err := handout.ExecPath(); errors.Is(err, handout.ErrNoBrowser) && os.Getenv("CI") == "" {
		t.Skip(err)
	}
	s := buildRealSite(t)
	public := filepath.Join(s.dir, "public")

	steps := s.labSteps()
	if len(steps) == 0 {
		t.Fatalf("no lab step in the site (left out: %v)", s.dropped)
	}
	// The three documents read below, the course, the lab and one step
	// alone, printed into a temp dir, so that the browser test, which
	// reads the same public/, is not disturbed. (make handout prints the
	// other steps alike.)
	stepDoc := steps[0].URL + "print.html"
	all, err := handout.Jobs(public)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	want := map[string]string{"/print.html": "", "/lab/print.html": "", stepDoc: ""}
	var jobs []handout.Job
	for _, j := range all {
		if _, ok := want[j.Page]; ok {
			j.Out = filepath.Join(out, strings.ReplaceAll(strings.Trim(j.Page, "/"), "/", "-")+".pdf")
			want[j.Page] = j.Out
			jobs = append(jobs, j)
		}
	}
	for page, pdf := range want {
		if pdf == "" {
			t.Fatalf("handout.Jobs has no job for %s: %+v", page, all)
		}
	}
	ctx := startBrowser(t)
	var log bytes.Buffer
	if err := handout.PrintIn(ctx, public, jobs, &log); err != nil {
		t.Fatalf("printing: %v\n%s", err, log.String())
	}
	t.Logf("%s", log.String())
	// Each PDF's text, read once.
	texts := map[string]string{}
	text := func(pdf string) string {
		if _, ok := texts[pdf]; !ok {
			texts[pdf] = run(t, "pdftotext", "-layout", pdf, "-")
		}
		return texts[pdf]
	}

	// What the PDFs must show, from the site and its sources.
	tocTitle := regexp.MustCompile(`id="print-toc-title">([^<]+)<`).FindStringSubmatch(s.readPublic(t, "print.html"))
	if tocTitle == nil {
		t.Fatal("print.html has no contents title")
	}
	cp := s.findConsolePage(t)
	var hostCmd, longLine string
	for _, b := range cp.blocks {
		for _, c := range b.Commands {
			// Short enough not to be wrapped on paper.
			if hostCmd == "" && c.Prompt == "$" && !strings.Contains(c.Text, "\n") && len(c.Text) < 60 && b.Kind == blocks.Console {
				hostCmd = c.Text
			}
		}
		// A line from the middle of a folded output (see layouts/_partials/codeblock/console.html: more than 15 lines).
		var outLines []string
		for _, c := range b.Commands {
			outLines = append(outLines, c.Output...)
		}
		if longLine == "" && len(outLines) > 15 {
			for _, l := range outLines[6 : len(outLines)-6] {
				if n := len(strings.TrimSpace(l)); n > 8 && n < 70 {
					longLine = l
					break
				}
			}
		}
	}

	t.Logf("looking for %d step titles, the command %q and the folded output line %q of %s", len(steps), hostCmd, longLine, cp.url)

	for _, page := range []string{"/print.html", "/lab/print.html"} {
		pdf := want[page]
		info := run(t, "pdfinfo", pdf)
		m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindStringSubmatch(info)
		if m == nil {
			t.Fatalf("pdfinfo %s: no page count:\n%s", pdf, info)
		}
		if n, _ := strconv.Atoi(m[1]); n < 2 {
			t.Errorf("%s printed to %d page", page, n)
		}
		if !strings.Contains(info, "(A4)") {
			t.Errorf("%s is not A4:\n%s", page, info)
		}
		pages := strings.Split(text(pdf), "\f")
		flat := normalise(text(pdf))

		// The cover alone on page 1, the contents on page 2.
		if strings.Contains(normalise(pages[0]), tocTitle[1]) {
			t.Errorf("%s: the contents share the cover's page", page)
		}
		if len(pages) > 1 && !strings.Contains(normalise(pages[1]), tocTitle[1]) {
			t.Errorf("%s: page 2 does not hold the contents (%q)", page, tocTitle[1])
		}
		// Every lab step is listed, and its page starts with its title.
		for _, st := range steps {
			title := normalise(st.Title)
			if strings.Count(flat, title) < 2 {
				t.Errorf("%s: %q is not both in the contents and on a page", page, st.Title)
			}
			starts := false
			for _, p := range pages[2:] {
				if i := strings.Index(normalise(p), title); i >= 0 && i < 80 {
					starts = true
				}
			}
			if !starts {
				t.Errorf("%s: no page starts with %q (page breaks before steps)", page, st.Title)
			}
		}
		// Page numbers in the footer.
		if !regexp.MustCompile(`\b1 / \d+\b`).MatchString(pages[0]) {
			t.Errorf("%s: no page number on page 1", page)
		}
		if page == "/lab/print.html" && !strings.HasPrefix(cp.url, "/lab/") {
			continue // the transcript checks below are about a page outside the lab
		}
		if hostCmd != "" && !strings.Contains(flat, normalise("$ "+hostCmd)) {
			t.Errorf("%s: no terminal line %q from %s", page, "$ "+hostCmd, cp.url)
		}
		if longLine != "" && !strings.Contains(flat, normalise(longLine)) {
			t.Errorf("%s: folded output of %s is not printed (no %q)", page, cp.url, longLine)
		}
	}
	if hostCmd == "" {
		t.Errorf("%s has no one-line $ command to look for", cp.url)
	}

	// One step alone: cover and contents on page 1, the step from page 2.
	stepPDF := want[stepDoc]
	pages := strings.Split(text(stepPDF), "\f")
	title := normalise(steps[0].Title)
	if len(pages) < 2 || !strings.Contains(normalise(pages[0]), title) || !strings.Contains(normalise(pages[0]), tocTitle[1]) {
		t.Fatalf("%s: page 1 should hold the cover (%q) and the contents", stepDoc, steps[0].Title)
	}
	if i := strings.Index(normalise(pages[1]), title); i < 0 || i > 80 {
		t.Errorf("%s: page 2 does not start with the step's title %q", stepDoc, steps[0].Title)
	}
	if strings.Contains(normalise(strings.Join(pages, " ")), normalise(steps[1].Title)) {
		t.Errorf("%s holds another step, %q", stepDoc, steps[1].Title)
	}

	// All three: the contents' page numbers, and links.
	for page, pdf := range map[string]string{"/print.html": want["/print.html"], "/lab/print.html": want["/lab/print.html"], stepDoc: stepPDF} {
		doc := s.readPublic(t, strings.TrimPrefix(page, "/"))
		pages := strings.Split(strings.TrimSuffix(text(pdf), "\f"), "\f")
		tocPage := 2
		if page == stepDoc {
			tocPage = 1
		}
		checkContentsPages(t, page, doc, pages, tocPage)
		checkNoServerLinks(t, page, doc, pdf, strings.Join(pages, "\n"))
	}

	// The course leaves out what is written for authors and the command help.
	checkLeftOut(t, s, want["/print.html"], text(want["/print.html"]))
}

// tocEntryRE is an entry of a print document's contents (layouts/_partials/print/doc.html).
var (
	tocRE      = regexp.MustCompile(`(?s)<nav class="print-toc".*?</nav>`)
	tocEntryRE = regexp.MustCompile(`<a href="#([^"]+)">(.*?)</a>`)
	tagRE      = regexp.MustCompile(`<[^>]+>`)
)

// checkContentsPages reads the page number of every entry of the contents
// (on page tocPage of the PDF) and finds a line starting with the entry's
// title on that page: its heading.
func checkContentsPages(t *testing.T, name, doc string, pages []string, tocPage int) {
	t.Helper()
	nav := tocRE.FindString(doc)
	entries := tocEntryRE.FindAllStringSubmatch(nav, -1)
	if len(entries) < 2 {
		t.Fatalf("%s: %d entries in the contents", name, len(entries))
	}
	toc := normalise(pages[tocPage-1])
	for _, e := range entries {
		title := normalise(html.UnescapeString(tagRE.ReplaceAllString(e[2], "")))
		m := regexp.MustCompile(regexp.QuoteMeta(title) + ` (\d+)\b`).FindStringSubmatch(toc)
		if m == nil {
			t.Errorf("%s: the contents list %q (#%s) without a page number", name, title, e[1])
			continue
		}
		n, _ := strconv.Atoi(m[1])
		if n <= tocPage || n > len(pages) {
			t.Errorf("%s: the contents put %q on page %d of %d", name, title, n, len(pages))
			continue
		}
		if !startsLine(pages[n-1], title) {
			t.Errorf("%s: the contents put %q on page %d, which has no line starting with it:\n%s", name, title, n, pages[n-1])
		}
	}
}

// startsLine says whether a line of page starts title, the title going on
// over the next lines if it wraps.
func startsLine(page, title string) bool {
	lines := strings.Split(page, "\n")
	for i := range lines {
		if strings.TrimSpace(lines[i]) == "" {
			continue
		}
		if strings.HasPrefix(normalise(strings.Join(lines[i:min(i+4, len(lines))], " ")), title) {
			return true
		}
	}
	return false
}

var (
	uriRE      = regexp.MustCompile(`/URI\s*\(([^)]*)\)`)
	loopbackRE = regexp.MustCompile(`(?i)\b[a-z]+://(?:127\.\d+\.\d+\.\d+|localhost|\[::1\])(?::\d+)?`)
)

// checkNoServerLinks: no link of the PDF, and no URL in its text, names the
// machine it was printed on (the server on 127.0.0.1), unless the course
// itself writes that address (`curl http://localhost/_ping` in a
// transcript, "open http://localhost:7000" in a lab step: the reader's own
// machine). Links are read twice: with handout.ReadPDF and as the raw /URI
// entries of the file.
func checkNoServerLinks(t *testing.T, name, doc, pdf, text string) {
	t.Helper()
	b, err := os.ReadFile(pdf)
	if err != nil {
		t.Fatal(err)
	}
	written := func(u string) bool {
		m := loopbackRE.FindString(u)
		return m == "" || strings.Contains(doc, m+"/") || strings.Contains(doc, m+`"`) || strings.Contains(doc, m+"<") || strings.Contains(doc, m+" ")
	}
	parsed, err := handout.ReadPDF(b)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var uris []string
	for _, l := range parsed.Links {
		if l.URI != "" {
			uris = append(uris, l.URI)
		}
	}
	raw := uriRE.FindAllSubmatch(b, -1)
	if len(raw) != len(uris) {
		t.Errorf("%s: %d /URI entries in the file, %d URI links read", name, len(raw), len(uris))
	}
	for _, m := range raw {
		uris = append(uris, string(m[1]))
	}
	for _, u := range uris {
		if !written(u) {
			t.Errorf("%s links to %s", name, u)
		}
	}
	for _, m := range loopbackRE.FindAllString(text, -1) {
		if !written(m) {
			t.Errorf("%s prints the address %s", name, m)
		}
	}
	if len(parsed.Dests) == 0 {
		t.Errorf("%s has no link inside itself", name)
	}
}

// checkLeftOut: the course PDF has no page of the authors' guide
// (content/authoring, `audience: authors`), no seed map (same) and no
// command help (`handout: false`): not in its contents, not as a
// destination, and no page's lede (its description) in its text.
func checkLeftOut(t *testing.T, s *realSite, pdf, pdfText string) {
	t.Helper()
	doc := s.readPublic(t, "print.html")
	b, err := os.ReadFile(pdf)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := handout.ReadPDF(b)
	if err != nil {
		t.Fatal(err)
	}
	pages := strings.Split(pdfText, "\f")
	toc, text := normalise(pages[1]), normalise(strings.Join(pages, " "))
	left := 0
	// From content/, not the search index: the authors' pages are not in
	// it either.
	for _, p := range contentPages(t, s) {
		if !strings.HasPrefix(p.URL, "/authoring/") && p.URL != "/about/seed-map/" && p.URL != "/reference/help/" {
			continue
		}
		left++
		id := "p-" + strings.ReplaceAll(strings.Trim(p.URL, "/"), "/", "-")
		if strings.Contains(doc, `id="`+id+`"`) {
			t.Errorf("print.html holds %s (%s)", p.URL, id)
		}
		for d := range parsed.Dests {
			if d == id || strings.HasPrefix(d, id+"--") {
				t.Errorf("the course PDF has the destination %s of %s", d, p.URL)
			}
		}
		if strings.Contains(toc, normalise(p.Title)) {
			t.Errorf("the course PDF's contents list %q (%s)", p.Title, p.URL)
		}
		if p.Description == "" {
			t.Errorf("%s has no description to look for", p.URL)
		} else if strings.Contains(text, normalise(p.Description)) {
			t.Errorf("the course PDF holds %s (its lede %q)", p.URL, p.Description)
		}
	}
	if left < 3 {
		t.Errorf("only %d pages for authors or of command help in the site (left out of the build: %v)", left, s.dropped)
	}
}

// normalise collapses white space, as the PDF wraps lines where it likes.
func normalise(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("%s %v: %v\n%s", name, args, err, ee.Stderr)
		}
		t.Fatalf("%s %v: %v", name, args, err)
	}
	return string(out)
}

// handoutLinkRE is the link to a page's PDF handout (layouts/_partials/handout-link.html).
var handoutLinkRE = regexp.MustCompile(`<a href="([^"]+)" type="application/pdf">Download the handout \(PDF\)</a>`)

// The home page, the lab and every lab step link their handout.pdf, at the
// file that `make handout` writes (handout.Jobs), relative to the page.
func TestHandoutLinks(t *testing.T) {
	t.Parallel()
	s := buildRealSite(t)
	public := filepath.Join(s.dir, "public")
	jobs, err := handout.Jobs(public)
	if err != nil {
		t.Fatal(err)
	}
	printed := map[string]bool{}
	for _, j := range jobs {
		printed[j.Out] = true
	}
	urls := []string{"/", "/lab/"}
	for _, st := range s.labSteps() {
		urls = append(urls, st.URL)
	}
	if len(urls) < 3 {
		t.Fatalf("no lab step in the site (left out: %v)", s.dropped)
	}
	for _, u := range urls {
		page := s.public(strings.TrimPrefix(u, "/") + "index.html")
		m := handoutLinkRE.FindStringSubmatch(s.readPublic(t, strings.TrimPrefix(u, "/")+"index.html"))
		if m == nil {
			t.Errorf("%s has no link to its handout", u)
			continue
		}
		target := filepath.Join(filepath.Dir(page), filepath.FromSlash(m[1]))
		if !printed[target] {
			t.Errorf("%s links its handout as %q, which is %s; make handout writes %v", u, m[1], target, slices.Sorted(maps.Keys(printed)))
		}
	}
}

// contentPage is a page of the real site's content/: its URL and the
// front matter the tests look for.
type contentPage struct{ URL, Title, Description string }

func contentPages(t *testing.T, s *realSite) []contentPage {
	t.Helper()
	var out []contentPage
	root := s.content()
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || (d.Name() != "index.md" && d.Name() != "_index.md") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fm, err := blocks.FrontMatter(src)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		url := "/" + filepath.ToSlash(rel) + "/"
		if rel == "." {
			url = "/"
		}
		title, _ := fm["title"].(string)
		desc, _ := fm["description"].(string)
		out = append(out, contentPage{URL: url, Title: title, Description: desc})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
