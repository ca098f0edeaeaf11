package handout

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
)

// A Job is one printable document: Page (a path of the built site, such as
// "/lab/print.html") printed to Out (a file path).
type Job struct {
	Page string
	Out  string
}

// Jobs finds every printable document in a built site, each print.html
// (the whole course at the root, a section's own below it), and pairs it
// with handout.pdf in the same folder: public/print.html gives
// public/handout.pdf, public/lab/print.html gives public/lab/handout.pdf.
// The course document must be there.
func Jobs(public string) ([]Job, error) {
	if _, err := os.Stat(filepath.Join(public, "print.html")); err != nil {
		return nil, fmt.Errorf("%s has no print.html: build the site first (make site): %w", public, err)
	}
	var jobs []Job
	err := filepath.WalkDir(public, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || d.Name() != "print.html" {
			return nil
		}
		rel, err := filepath.Rel(public, p)
		if err != nil {
			return err
		}
		jobs = append(jobs, Job{
			Page: "/" + filepath.ToSlash(rel),
			Out:  filepath.Join(filepath.Dir(p), "handout.pdf"),
		})
		return nil
	})
	sort.Slice(jobs, func(i, j int) bool { return jobs[i].Page < jobs[j].Page })
	return jobs, err
}

// Options of the printed PDF: A4, margins for the running header and
// footer, no backgrounds (print.css keeps the terminal labels' colour with
// print-color-adjust), an outline of the headings for PDF viewers.
func pdfOptions(title string) []chromedp.PDFOption {
	const style = `font-family: system-ui, sans-serif; font-size: 8pt; color: #555; width: 100%; box-sizing: border-box; padding: 0 14mm;`
	return []chromedp.PDFOption{
		chromedp.PDFPaper(chromedp.PaperA4),
		// Inches: top, right, bottom, left. print.css sets the same with @page.
		chromedp.PDFMargins(0.63, 0.55, 0.71, 0.55),
		chromedp.PDFHeaderTemplate(`<div style="` + style + ` text-align: right;">` + escape(title) + `</div>`),
		chromedp.PDFFooterTemplate(`<div style="` + style + ` text-align: center;"><span class="pageNumber"></span> / <span class="totalPages"></span></div>`),
		chromedp.PDFOutlineAndTagged(),
	}
}

func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}

// Printed is one printed document.
type Printed struct {
	PDF    []byte
	Pages  int
	Prints int // how many prints it took for the contents' page numbers to hold
	Links  LinkCounts
}

// PrintPage loads page (a path of the built site served at root, which
// ends in "/") in the tab of ctx, waits for it and its fonts, points its
// links away from root (fixLinks) and prints it to PDF with the page
// numbers in its contents (printNumbered). The running header shows the
// document's title.
func PrintPage(ctx context.Context, root, page string) (*Printed, error) {
	u := strings.TrimSuffix(root, "/") + path.Clean("/"+page)
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(u))
	if err != nil {
		return nil, fmt.Errorf("loading %s: %w", u, err)
	}
	if resp != nil && resp.Status != 200 {
		return nil, fmt.Errorf("loading %s: HTTP %d", u, resp.Status)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.fonts.ready.then(() => true)`, chromedp.EvalAwaitPromise)); err != nil {
		return nil, err
	}
	title, err := chromedp.Run(ctx, chromedp.Title())
	if err != nil {
		return nil, err
	}
	title = strings.TrimSuffix(title, " (printable)")
	published, err := PublishedURL(ctx)
	if err != nil {
		return nil, err
	}
	links, err := fixLinks(ctx, root, published)
	if err != nil {
		return nil, fmt.Errorf("rewriting links: %w", err)
	}
	pdf, doc, prints, err := printNumbered(ctx, pdfOptions(title))
	if err != nil {
		return nil, err
	}
	if err := checkLinks(doc, root); err != nil {
		return nil, err
	}
	return &Printed{PDF: pdf, Pages: doc.Pages, Prints: prints, Links: links}, nil
}

// Print serves the built site in public on 127.0.0.1, starts a headless
// Chromium and prints every job, writing progress to log.
func Print(ctx context.Context, public string, jobs []Job, log io.Writer) error {
	bctx, cancel, err := NewBrowser(ctx)
	if err != nil {
		return err
	}
	defer cancel()
	return PrintIn(bctx, public, jobs, log)
}

// PrintIn is Print in the tab of tab, a browser the caller started
// (NewBrowser), so that a program already running one does not start
// another.
func PrintIn(tab context.Context, public string, jobs []Job, log io.Writer) error {
	base, stop, err := Serve(public, "")
	if err != nil {
		return err
	}
	defer stop()
	for _, j := range jobs {
		start := time.Now()
		p, err := PrintPage(tab, base+"/", j.Page)
		if err != nil {
			return fmt.Errorf("%s: %w", j.Page, err)
		}
		if err := os.WriteFile(j.Out, p.PDF, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(log, "%s → %s (%d pages, %d KiB, printed %d×, %.1f s; site links: %d inside, %d published, %d as text)\n",
			j.Page, j.Out, p.Pages, len(p.PDF)/1024, p.Prints, time.Since(start).Seconds(), p.Links.Inside, p.Links.Published, p.Links.Plain)
	}
	return nil
}
