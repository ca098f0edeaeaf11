package handout

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// needTools skips (or, under CI, fails) when Chromium or poppler's
// pdftotext is missing.
func needTools(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("printing skipped in -short mode")
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") == "" {
			t.Skip("pdftotext not installed (Debian's poppler-utils)")
		}
		t.Fatal("pdftotext not installed (Debian's poppler-utils)")
	}
	if _, err := ExecPath(); errors.Is(err, ErrNoBrowser) && os.Getenv("CI") == "" {
		t.Skip(err)
	}
}

// A print document as the site's layouts make one: contents linking to the
// sections, sections of very different lengths, each on a new sheet, and
// links to itself, to another page and file of the site and to another site.
func printDoc(published string) string {
	var b strings.Builder
	attr := ""
	if published != "" {
		attr = fmt.Sprintf(` data-published-url="%s"`, published)
	}
	fmt.Fprintf(&b, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test handout (printable)</title>
<style>section { break-before: page; } p { margin: 0 0 1em; }
.print-toc a:has(> .toc-page) { display: flex; } .toc-page { flex: 1 0 3em; text-align: right; }</style>
</head><body class="print-doc"%s>
<nav class="print-toc"><h2>Contents</h2><ol>`, attr)
	sections := []struct {
		id, title string
		paras     int
	}{{"p-one", "Section one", 2}, {"p-two", "Section two, the long one", 180}, {"p-three", "Section three", 5}, {"p-three--sub", "A heading inside three", 0}}
	for _, s := range sections {
		fmt.Fprintf(&b, `<li><a href="#%s">%s</a></li>`, s.id, s.title)
	}
	b.WriteString(`</ol></nav>`)
	for _, s := range sections {
		if s.id == "p-three--sub" {
			fmt.Fprintf(&b, `<h2 id="%s">%s</h2>`, s.id, s.title)
			continue
		}
		fmt.Fprintf(&b, `<section id="%s"><h1>%s</h1>`, s.id, s.title)
		b.WriteString(`<p>See <a href="#p-three--sub">the heading</a>, <a href="../other/">another page</a>, <a href="../other/file.txt">a file</a>, <a href="../">the home page</a> and <a href="https://example.org/docs/">another site</a>. <a href="../other/file.txt" download="file.txt">Download</a></p>`)
		for i := range s.paras {
			fmt.Fprintf(&b, "<p>Paragraph %d of %s.</p>", i+1, s.title)
		}
		b.WriteString(`</section>`)
	}
	b.WriteString(`</body></html>`)
	return b.String()
}

func TestPrintPage(t *testing.T) {
	needTools(t)
	public := t.TempDir()
	for rel, body := range map[string]string{
		"doc/print.html":          printDoc(""),
		"published/print.html":    printDoc("https://docs.example.org/course"),
		"other/index.html":        "<!doctype html><title>Other</title>",
		"other/file.txt":          "a file",
		"index.html":              "<!doctype html><title>Home</title>",
		"badpublished/print.html": printDoc("ftp://x"),
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(public, rel)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(public, rel), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Served under a sub-path, so that the root is not the server's.
	base, stop, err := Serve(public, "/site")
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	bctx, bcancel, err := NewBrowser(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer bcancel()
	root := base + "/"

	// No published address: links to the site become text.
	p, err := PrintPage(bctx, root, "/doc/print.html")
	if err != nil {
		t.Fatal(err)
	}
	if p.Prints < 2 || p.Prints > maxPrints {
		t.Errorf("printed %d times", p.Prints)
	}
	if want := (LinkCounts{Inside: 7, Plain: 12}); p.Links != want {
		t.Errorf("links: %+v, want %+v", p.Links, want)
	}
	doc, err := ReadPDF(p.PDF)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Pages != p.Pages || p.Pages < 6 {
		t.Errorf("%d pages (ReadPDF: %d), want 6 or more", p.Pages, doc.Pages)
	}
	text := pdfPages(t, p.PDF)
	checkContents(t, text, []string{"Section one", "Section two, the long one", "Section three", "A heading inside three"})
	var uris []string
	for _, l := range doc.Links {
		if l.URI != "" {
			uris = append(uris, l.URI)
		}
	}
	if strings.Join(uris, " ") != "https://example.org/docs/ https://example.org/docs/ https://example.org/docs/" {
		t.Errorf("URI links: %q, want only the other site's, three times", uris)
	}
	if n := countDest(doc, "p-three--sub"); n < 4 { // the contents' and the three in the text
		t.Errorf("%d links inside the PDF to the heading, want 4", n)
	}
	if !strings.Contains(strings.Join(text, ""), "another page, a file, the home page") {
		t.Error("the text of the links to the site is gone")
	}
	if strings.Contains(strings.Join(text, ""), "Download") {
		t.Error("a download button without its link is printed")
	}

	// A published address: links to the site go there.
	p, err = PrintPage(bctx, root, "/published/print.html")
	if err != nil {
		t.Fatal(err)
	}
	if want := (LinkCounts{Inside: 7, Published: 12}); p.Links != want {
		t.Errorf("links with a published address: %+v, want %+v", p.Links, want)
	}
	doc, err = ReadPDF(p.PDF)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, l := range doc.Links {
		if l.URI != "" {
			seen[l.URI]++
		}
	}
	for u, n := range map[string]int{"https://docs.example.org/course/other/": 3, "https://docs.example.org/course/other/file.txt": 6, "https://docs.example.org/course/": 3, "https://example.org/docs/": 3} {
		if seen[u] != n {
			t.Errorf("%d links to %s, want %d (all: %v)", seen[u], u, n, seen)
		}
	}
	if len(seen) != 4 {
		t.Errorf("links: %v", seen)
	}

	if _, err := PrintPage(bctx, root, "/badpublished/print.html"); err == nil || !strings.Contains(err.Error(), "not an absolute http(s) URL") {
		t.Errorf("a bad published URL: %v", err)
	}
}

func countDest(doc *PDF, dest string) int {
	n := 0
	for _, l := range doc.Links {
		if l.Dest == dest {
			n++
		}
	}
	return n
}

// pdfPages is the text of each page of a PDF, by pdftotext.
func pdfPages(t *testing.T, pdf []byte) []string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(f, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", f, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(out), "\f"), "\f")
}

// checkContents reads each title's page number in the contents on page 1
// and finds the title on that page.
func checkContents(t *testing.T, pages []string, titles []string) {
	t.Helper()
	toc := strings.Join(strings.Fields(pages[0]), " ")
	for _, title := range titles {
		m := regexp.MustCompile(regexp.QuoteMeta(title) + ` (\d+)\b`).FindStringSubmatch(toc)
		if m == nil {
			t.Errorf("the contents list %q with no page number: %q", title, toc)
			continue
		}
		var n int
		fmt.Sscan(m[1], &n)
		if n < 2 || n > len(pages) {
			t.Errorf("%q is on page %d of %d", title, n, len(pages))
			continue
		}
		// On that page, and not just in a running text on it: a heading
		// starts a line.
		if !regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(title) + `\s*$`).MatchString(pages[n-1]) {
			t.Errorf("the contents put %q on page %d, which does not have it as a heading:\n%s", title, n, pages[n-1])
		}
	}
}
