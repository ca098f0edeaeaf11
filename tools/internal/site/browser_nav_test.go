package site

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/input"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/labdocs/dockerlab/tools/internal/blocks"
)

// Navigation and reading in the browser (TestBrowser runs these): previous
// and next through the sections read in order, the way to the authors'
// guide, the contents box on a phone and on a wide screen, and code blocks
// copied by hand.

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

// selectBlocks selects each code block of the page (a Range over its
// whole <figure>, header included) and returns, for each, the labels of
// its controls (aria-label or text of its buttons and links, and the words
// "Copy" and "Download") that the selection's text holds although the
// block's own text (the figure without its controls) does not.
const selectBlocks = `(() => {
  const sel = getSelection(), out = [];
  document.querySelectorAll("figure.term, figure.code").forEach((f, i) => {
    const labels = new Set(["Copy", "Download"]);
    f.querySelectorAll("button, a").forEach(c => {
      for (const l of [c.getAttribute("aria-label"), c.textContent.trim()]) if (l) labels.add(l);
    });
    const own = f.cloneNode(true);
    own.querySelectorAll("button, a").forEach(c => c.remove());
    const r = document.createRange();
    r.selectNodeContents(f);
    sel.removeAllRanges();
    sel.addRange(r);
    const got = sel.toString();
    for (const l of labels) {
      if (got.includes(l) && !own.textContent.includes(l)) out.push({block: i + 1, label: l, text: got});
    }
  });
  sel.removeAllRanges();
  return JSON.stringify(out);
})()`

// testSelection: a reader who copies a code block by hand, selecting it
// with the mouse, gets what the block shows and never a button's label
// ("Copy", "Copy this command", "Download"): on every page of the site,
// each block selected whole; the transcripts of the captured page selected
// as text; and one block dragged over with the mouse and copied with Ctrl+C.
func testSelection(t *testing.T, ctx context.Context, s *realSite, cp consolePage, base string) {
	pages := s.builtPages(t)
	blocksSeen := 0
	for _, u := range sortedKeys(pages) {
		if !strings.Contains(pages[u], "<figure") {
			continue
		}
		navigate(t, ctx, base+u)
		openAnswers(t, ctx)
		var bad []struct {
			Block int
			Label string
			Text  string
		}
		if err := json.Unmarshal([]byte(eval[string](t, ctx, selectBlocks)), &bad); err != nil {
			t.Fatal(err)
		}
		for _, b := range bad {
			t.Errorf("%s, code block %d selected by hand: the text holds the label %q: %.200q", u, b.Block, b.Label, b.Text)
		}
		blocksSeen += eval[int](t, ctx, `document.querySelectorAll("figure.term, figure.code").length`)
	}
	if blocksSeen < 20 {
		t.Errorf("only %d code blocks on the whole site", blocksSeen)
	}

	// A transcript selected is its commands (no prompt) and its output,
	// line for line as in the Markdown. Blocks with folded output are left
	// out: the fold hides their middle.
	navigate(t, ctx, base+cp.url)
	openAnswers(t, ctx)
	compared := 0
	for i, b := range cp.blocks {
		want, ok := transcript(b)
		if !ok {
			continue
		}
		compared++
		got := eval[string](t, ctx, fmt.Sprintf(`(() => {
		  const body = document.querySelectorAll("figure.term")[%d].querySelector(".term-body");
		  const r = document.createRange();
		  r.selectNodeContents(body);
		  getSelection().removeAllRanges();
		  getSelection().addRange(r);
		  const text = getSelection().toString();
		  getSelection().removeAllRanges();
		  return text;
		})()`, i))
		if strings.TrimRight(got, "\n") != strings.TrimRight(want, "\n") {
			t.Errorf("%s:%d selected by hand gives\n%q\nwant its commands and output\n%q", cp.url, b.Line, got, want)
		}
	}
	if compared == 0 {
		t.Errorf("%s has no transcript short enough to compare whole", cp.url)
	}

	// By hand for real: drag the mouse from the first command to the end
	// of the block with the most commands, press Ctrl+C, read the clipboard.
	k := -1
	for i, b := range cp.blocks {
		if b.Kind == blocks.Console && (k < 0 || len(b.Commands) > len(cp.blocks[k].Commands)) {
			k = i
		}
	}
	pts := eval[[]float64](t, ctx, fmt.Sprintf(`(() => {
	  const f = document.querySelectorAll("figure.term")[%d];
	  f.scrollIntoView({block: "center"});
	  const from = f.querySelector(".cmd-text").getClientRects()[0];
	  const body = f.querySelector(".term-body").getBoundingClientRect();
	  const last = f.querySelector(".term-body").lastElementChild.getBoundingClientRect();
	  return [from.left + 1, from.top + from.height / 2, Math.min(last.right, body.right) - 2, last.bottom - 3];
	})()`, k))
	mouse := func(typ input.DispatchMouseEventType, x, y float64, buttons int64) chromedp.Action[chromedp.Void] {
		return chromedp.MouseEvent(typ, x, y, func(p *input.DispatchMouseEventParams) {
			p.Button, p.Buttons, p.ClickCount = input.MouseButtonLeft, buttons, 1
		})
	}
	do(t, ctx,
		mouse(input.DispatchMouseEventTypeMousePressed, pts[0], pts[1], 1),
		mouse(input.DispatchMouseEventTypeMouseMoved, (pts[0]+pts[2])/2, (pts[1]+pts[3])/2, 1),
		mouse(input.DispatchMouseEventTypeMouseMoved, pts[2], pts[3], 1),
		mouse(input.DispatchMouseEventTypeMouseReleased, pts[2], pts[3], 0),
	)
	dragged := eval[string](t, ctx, `getSelection().toString()`)
	if !strings.Contains(dragged, cp.blocks[k].Commands[0].Text) {
		t.Fatalf("the mouse drag over block %d of %s selected %q, not its first command %q", k+1, cp.url, dragged, cp.blocks[k].Commands[0].Text)
	}
	for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeKeyDown, input.DispatchKeyEventTypeKeyUp} {
		p := input.DispatchKeyEventParams{Type: typ, Key: "c", Code: "KeyC", WindowsVirtualKeyCode: 67,
			NativeVirtualKeyCode: 67, Modifiers: int64(chromedp.ModifierCtrl)}
		if typ == input.DispatchKeyEventTypeKeyDown {
			p.Commands = []string{"copy"}
		}
		if _, err := chromedp.Call(ctx, input.DispatchKeyEvent, p); err != nil {
			t.Fatal(err)
		}
	}
	clip := eval[string](t, ctx, `navigator.clipboard.readText()`)
	if clip != dragged {
		t.Errorf("Ctrl+C after the drag put %q on the clipboard, the selection was %q", clip, dragged)
	}
	for _, l := range []string{"Copy", "Copy this command", "Copy all commands"} {
		if strings.Contains(clip, l) {
			t.Errorf("copied by hand from %s: the clipboard holds the button label %q:\n%s", cp.url, l, clip)
		}
	}
	for _, c := range cp.blocks[k].Commands {
		if !strings.Contains(clip, c.Text) {
			t.Errorf("copied by hand from %s: the clipboard lacks the command %q:\n%s", cp.url, c.Text, clip)
		}
	}
	eval[bool](t, ctx, `(getSelection().removeAllRanges(), true)`)
}

// transcript is what a console block shows as text, prompts aside: each
// command as typed, then its output lines. ok is false for a block whose
// output the page folds (more than 15 lines after one command).
func transcript(b *blocks.Block) (text string, ok bool) {
	if b.Kind != blocks.Console || len(b.Commands) == 0 || len(b.Leading) > 0 {
		return "", false
	}
	var lines []string
	for _, c := range b.Commands {
		if len(c.Output) > 15 {
			return "", false
		}
		lines = append(lines, c.Text)
		lines = append(lines, c.Output...)
	}
	return strings.Join(lines, "\n"), true
}

// testPrevNext reads each section meant to be read in order as a reader
// would: from its first page, clicking "Next" until there is none; the
// pages met must be the section's pages by weight, and each page's
// "Previous" must lead to the page before it (checked by its link, to
// spare a second walk).
func testPrevNext(t *testing.T, ctx context.Context, s *realSite, base string) {
	here := func() string {
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimPrefix(strings.SplitN(loc, "#", 2)[0], base)
	}
	prev := func() string {
		return strings.TrimPrefix(eval[string](t, ctx, `document.querySelector(".prev-next a[rel=prev]")?.href || ""`), base)
	}
	next := func() bool {
		const sel = ".prev-next a[rel=next]"
		if !eval[bool](t, ctx, `!!document.querySelector(".prev-next a[rel=next]")`) {
			return false
		}
		if _, err := chromedp.Run(ctx, chromedp.WaitEvent(cdppage.LoadEventFired, nil, chromedp.Click(chromedp.CSS(sel)))); err != nil {
			t.Fatal(err)
		}
		return true
	}
	for _, sec := range s.orderedSections(t) {
		if len(sec.pages) == 0 {
			continue
		}
		navigate(t, ctx, base+sec.pages[0])
		met := []string{here()}
		if p := prev(); p != "" {
			t.Errorf("%s, the first page of %s, has a Previous link to %s", met[0], sec.url, p)
		}
		for len(met) <= len(sec.pages) && next() {
			u := here()
			if p := prev(); p != met[len(met)-1] {
				t.Errorf("%s: Previous leads to %q, want %s, the page whose Next led here", u, p, met[len(met)-1])
			}
			met = append(met, u)
		}
		if strings.Join(met, " ") != strings.Join(sec.pages, " ") {
			t.Errorf("following Next through %s meets\n%q\nwant its pages by weight\n%q", sec.url, met, sec.pages)
		}
	}
}

// testAuthorsLink: the authors' guide is in no menu or card of the home
// page, and the footer's "For authors" link leads to it, with the guide's
// own menu.
func testAuthorsLink(t *testing.T, ctx context.Context, base string, shots *shooter) {
	navigate(t, ctx, base+"/")
	shown := eval[[]string](t, ctx, `[...document.querySelectorAll(".site-nav a, .overview a")].map(a => new URL(a.href).pathname)`)
	for _, p := range shown {
		if isAuthorURL(strings.TrimPrefix(p, "/docker-lab")) {
			t.Errorf("the home page links the author page %s in its menu or cards", p)
		}
	}
	if len(shown) < 10 {
		t.Errorf("the home page's menu and cards have %d links", len(shown))
	}
	if !eval[bool](t, ctx, `(() => {
	  const a = [...document.querySelectorAll("footer.site-foot a")].find(a => a.textContent.trim() === "For authors");
	  if (a) a.id = "t-authors";
	  return !!a;
	})()`) {
		t.Fatal(`the home page's footer has no "For authors" link`)
	}
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(cdppage.LoadEventFired, nil, chromedp.Click(chromedp.ID("t-authors")))); err != nil {
		t.Fatalf("following the footer's For authors link: %v", err)
	}
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	if loc != base+"/authoring/" {
		t.Fatalf("the footer's For authors link led to %s, want %s/authoring/", loc, base)
	}
	if n := eval[int](t, ctx, `[...document.querySelectorAll(".site-nav a")].filter(a => /\/authoring\/[^/]+\/$/.test(a.href)).length`); n < 2 {
		t.Errorf("the authors' guide's menu lists %d of its pages", n)
	}
	shots.shot(t, ctx, "desktop-authors")
}

// openAnswers unfolds the exercises' answers, as a reader does before
// copying one: a folded block has no text to select.
func openAnswers(t *testing.T, ctx context.Context) {
	t.Helper()
	eval[int](t, ctx, `(() => { const a = document.querySelectorAll("details.answer"); a.forEach(d => d.open = true); return a.length; })()`)
}
