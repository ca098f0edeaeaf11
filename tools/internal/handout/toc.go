package handout

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/chromedp/chromedp"
)

// maxPrints bounds the prints of one document. The first print finds
// where each heading of the contents lands; the second carries those page
// numbers and checks them; a number that changed the layout (a wider
// number wrapping a title, a contents one line longer) costs another.
const maxPrints = 4

//go:embed toc.js
var tocJS string

// printNumbered prints the loaded document until the page numbers written
// in its contents are the pages its headings are printed on. Chromium
// cannot number them itself (no CSS target-counter()), but it names a PDF
// destination after each id a link points at, so each print says where
// every entry of the contents landed.
func printNumbered(ctx context.Context, opts []chromedp.PDFOption) (pdf []byte, doc *PDF, prints int, err error) {
	ids, err := chromedp.Run(ctx, chromedp.Evaluate[[]string]("("+tocJS+")()"))
	if err != nil {
		return nil, nil, 0, fmt.Errorf("preparing the contents: %w", err)
	}
	var written []int // the numbers in the contents of the last print
	for prints = 1; ; prints++ {
		if pdf, err = chromedp.Run(ctx, chromedp.PrintToPDF(opts...)); err != nil {
			return nil, nil, prints, err
		}
		if doc, err = ReadPDF(pdf); err != nil {
			return nil, nil, prints, err
		}
		landed := make([]int, len(ids))
		for i, id := range ids {
			if landed[i] = doc.Dests[id]; landed[i] == 0 {
				return nil, nil, prints, fmt.Errorf("the contents link to #%s, which is not in the PDF", id)
			}
		}
		if len(ids) == 0 || (written != nil && slices.Equal(landed, written)) {
			return pdf, doc, prints, nil
		}
		if prints == maxPrints {
			return nil, nil, prints, fmt.Errorf("the contents' page numbers still moved after %d prints (%v, then %v)", prints, written, landed)
		}
		arg, _ := json.Marshal(landed)
		fill := `((pages) => document.querySelectorAll('.print-toc a[href^="#"] > .toc-page').forEach((s, i) => { s.textContent = String(pages[i]); }))(` + string(arg) + `)`
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](fill)); err != nil {
			return nil, nil, prints, err
		}
		written = landed
	}
}
