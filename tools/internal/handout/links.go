package handout

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/chromedp/chromedp"
)

// LinkCounts says what became of the links of a print document that
// pointed at the built site itself (see fixLinks).
type LinkCounts struct {
	Inside    int `json:"inside"`    // to an id of the document: a link inside the PDF
	Published int `json:"published"` // to another page or file: now at the published address
	Plain     int `json:"plain"`     // to another page or file, no published address: text only (download buttons: removed)
}

//go:embed links.js
var linksJS string

// PublishedURL returns the site's public address that the print document
// in the tab of ctx names (data-published-url on its body, from
// params.publishedURL in config.toml), ending in "/", or "" when it names
// none.
func PublishedURL(ctx context.Context) (string, error) {
	p, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.dataset.publishedUrl || ""`))
	if err != nil || p == "" {
		return "", err
	}
	u, err := url.Parse(p)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", fmt.Errorf("published URL %q (params.publishedURL) is not an absolute http(s) URL", p)
	}
	return strings.TrimSuffix(p, "/") + "/", nil
}

// fixLinks rewrites the links of the loaded print document so that none
// points at the server it was loaded from (root, ending in "/"), which is
// gone once the PDF is written:
//   - a link to an id of the document becomes a bare #fragment, which
//     Chromium prints as a link inside the PDF;
//   - a link to another page or file of the site goes to the same path
//     under published, or, when published is "", is replaced by its text
//     (a download button, which has no text worth keeping, is removed).
//
// Links to other sites are left as they are.
func fixLinks(ctx context.Context, root, published string) (LinkCounts, error) {
	args, err := json.Marshal([]string{root, published})
	if err != nil {
		return LinkCounts{}, err
	}
	expr := "(" + linksJS + ")(..." + string(args) + ")"
	return chromedp.Run(ctx, chromedp.Evaluate[LinkCounts](expr))
}

// checkLinks fails if a link of the printed PDF still points at root.
func checkLinks(doc *PDF, root string) error {
	for _, l := range doc.Links {
		if strings.HasPrefix(l.URI, root) {
			return fmt.Errorf("page %d links to the print server: %s", l.Page, l.URI)
		}
	}
	return nil
}
