package site

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/labdocs/dockerlab/tools/internal/blocks"
	"github.com/labdocs/dockerlab/tools/internal/handout"
)

// TestHandoutPDF prints the real site's handouts the way `make handout`
// does (tools/labhandout) and reads them back with poppler's pdftotext and
// pdfinfo: several A4 pages, a cover alone on the first page, the contents
// on the next, every lab step starting a page, terminal transcripts with
// their prompts, folded output printed in full.
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

	// Print into a copy of the two documents' folders, so that the browser
	// test, which reads the same public/, is not disturbed.
	jobs, err := handout.Jobs(public)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	want := map[string]string{"/print.html": "", "/lab/print.html": ""}
	for i, j := range jobs {
		jobs[i].Out = filepath.Join(out, strings.ReplaceAll(strings.Trim(j.Page, "/"), "/", "-")+".pdf")
		if _, ok := want[j.Page]; ok {
			want[j.Page] = jobs[i].Out
		}
	}
	for page, pdf := range want {
		if pdf == "" {
			t.Fatalf("handout.Jobs has no job for %s: %+v", page, jobs)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	var log bytes.Buffer
	if err := handout.Print(ctx, public, jobs, &log); err != nil {
		t.Fatalf("printing: %v\n%s", err, log.String())
	}
	t.Logf("%s", log.String())

	// What the PDFs must show, from the site and its sources.
	tocTitle := regexp.MustCompile(`id="print-toc-title">([^<]+)<`).FindStringSubmatch(s.readPublic(t, "print.html"))
	if tocTitle == nil {
		t.Fatal("print.html has no contents title")
	}
	steps := s.labSteps()
	if len(steps) == 0 {
		t.Fatalf("no lab step in the site (left out: %v)", s.dropped)
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

	for page, pdf := range want {
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
		text := run(t, "pdftotext", "-layout", pdf, "-")
		pages := strings.Split(text, "\f")
		flat := normalise(text)

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
	stepDoc := steps[0].URL + "print.html"
	var stepPDF string
	for _, j := range jobs {
		if j.Page == stepDoc {
			stepPDF = j.Out
		}
	}
	if stepPDF == "" {
		t.Fatalf("handout.Jobs has no job for %s", stepDoc)
	}
	pages := strings.Split(run(t, "pdftotext", "-layout", stepPDF, "-"), "\f")
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
