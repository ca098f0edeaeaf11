package site

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"
)

// Navigation in the browser (TestBrowser runs these): the contents box on
// a phone and on a wide screen.

// testTOC: on a phone the page's contents box is closed, so the first
// screen shows the page's text; on a wide screen it is open; it follows
// the width when the window crosses the breakpoint, and a reader can open
// it on a phone.
func testTOC(t *testing.T, ctx context.Context, pageURL string, shots *shooter) {
	const tocW = 1280 // a laptop: the contents beside the text
	state := func() (open, linksShown bool) {
		open = eval[bool](t, ctx, `document.querySelector(".toc details").open`)
		linksShown = eval[bool](t, ctx, `document.querySelector(".toc nav a").checkVisibility()`)
		return
	}

	viewport(t, ctx, phoneW, phoneH)
	defer viewport(t, ctx, desktopW, desktopH)
	navigate(t, ctx, pageURL)
	if !eval[bool](t, ctx, `!!document.querySelector(".toc details > summary + nav a")`) {
		t.Fatalf("%s has no contents box (details, summary, links)", pageURL)
	}
	if open, shown := state(); open || shown {
		t.Errorf("at %d px the contents box is open (%v) or its links shown (%v), want closed", phoneW, open, shown)
	}
	// The first screen shows the page's own text, not only its head and contents.
	top := eval[float64](t, ctx, `document.querySelector("main .content").getBoundingClientRect().top`)
	if top > phoneH*3/4 {
		t.Errorf("at %d×%d the page's text starts %.0f px down: the first screen has no room for it", phoneW, phoneH, top)
	}
	shots.shot(t, ctx, "phone-toc-closed")
	// A reader opens it with a tap.
	do(t, ctx, chromedp.Click(chromedp.CSS(".toc summary")))
	if open, shown := state(); !open || !shown {
		t.Errorf("after a tap on its summary the contents box is open %v, links shown %v", open, shown)
	}

	viewport(t, ctx, tocW, desktopH)
	navigate(t, ctx, pageURL)
	if open, shown := state(); !open || !shown {
		t.Errorf("at %d px the contents box is open %v, links shown %v; want both", tocW, open, shown)
	}
	shots.shot(t, ctx, "desktop-toc-open")
	// The window narrows to a phone's width and back, without a reload.
	viewport(t, ctx, phoneW, phoneH)
	waitFor(t, ctx, "the contents to close on a phone", `!document.querySelector(".toc details").open`)
	viewport(t, ctx, tocW, desktopH)
	waitFor(t, ctx, "the contents to open on a wide screen", `document.querySelector(".toc details").open`)
}
