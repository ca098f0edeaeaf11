package site

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/labdocs/dockerlab/tools/internal/blocks"
	"github.com/labdocs/dockerlab/tools/internal/handout"
)

// The browser tests load the real site (see realsite_test.go) in a headless
// Chromium, as a reader would: from a local HTTP server under a sub-path,
// and from file://. Screenshots go to $SITE_SCREENSHOTS (default: a temp dir
// that is removed afterwards) for a person to look at.

const (
	phoneW, phoneH     = 390, 844
	desktopW, desktopH = 1366, 900
)

// One headless Chromium serves every test of the binary, each test in a
// tab of its own (its own viewport, emulated media and scripts; each test
// serves the site on its own port, so no two share an origin, nor its
// storage). The first test that needs it starts it; TestMain stops it.
var (
	browserOnce sync.Once
	browserCtx  context.Context
	browserStop context.CancelFunc
	browserErr  error
)

// startBrowser opens a tab for a test in the shared Chromium, or skips the
// test when none is installed (CI installs it: make bootstrap; there a
// missing browser fails). The tab is closed when the test ends, or after
// 90 s.
func startBrowser(t *testing.T) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	browserOnce.Do(func() {
		browserCtx, browserStop, browserErr = handout.NewBrowser(context.Background())
	})
	if errors.Is(browserErr, handout.ErrNoBrowser) && os.Getenv("CI") == "" {
		t.Skip(browserErr)
	}
	if browserErr != nil {
		t.Fatal(browserErr)
	}
	parent, cancelParent := context.WithTimeout(browserCtx, 90*time.Second)
	ctx, cancel := chromedp.NewContext(parent)
	t.Cleanup(func() { cancel(); cancelParent() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	return ctx
}

// stopBrowser stops the shared Chromium, if a test started it.
func stopBrowser() {
	if browserStop != nil {
		browserStop()
	}
}

// monitor records, for every page a tab loads, the requests and their
// failures, console errors and uncaught exceptions.
type monitor struct {
	mu       sync.Mutex
	urls     map[network.RequestID]string
	requests []string
	problems []string
}

func watch(t *testing.T, ctx context.Context) *monitor {
	t.Helper()
	m := &monitor{urls: map[network.RequestID]string{}}
	err := chromedp.Listen(ctx, func(ev any) {
		m.mu.Lock()
		defer m.mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			m.urls[ev.RequestID] = ev.Request.URL
			m.requests = append(m.requests, ev.Request.URL)
		case *network.EventLoadingFailed:
			// A load cut short by the next navigation is not a failure.
			if !ev.Canceled {
				m.problems = append(m.problems, fmt.Sprintf("request failed: %s: %s", m.urls[ev.RequestID], ev.ErrorText))
			}
		case *network.EventResponseReceived:
			if ev.Response.Status >= 400 {
				m.problems = append(m.problems, fmt.Sprintf("HTTP %d: %s", ev.Response.Status, ev.Response.URL))
			}
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			msg := d.Text
			if d.Exception != nil && d.Exception.Description != "" {
				msg = d.Exception.Description
			}
			m.problems = append(m.problems, fmt.Sprintf("exception at %s:%d: %s", d.URL, d.LineNumber+1, msg))
		case *runtime.EventConsoleAPICalled:
			if ev.Type == "error" || ev.Type == "assert" {
				var args []string
				for _, a := range ev.Args {
					args = append(args, string(a.Value)+a.Description)
				}
				m.problems = append(m.problems, "console."+string(ev.Type)+": "+strings.Join(args, " "))
			}
		case *cdplog.EventEntryAdded:
			if ev.Entry.Level == "error" {
				m.problems = append(m.problems, fmt.Sprintf("console error: %s %s", ev.Entry.Text, ev.Entry.URL))
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// check fails the test for every problem seen and every request to another host.
func (m *monitor) check(t *testing.T) {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, p := range m.problems {
		t.Errorf("in the browser: %s", p)
	}
	if len(m.requests) < 5 {
		t.Errorf("only %d requests seen: the monitor does not work", len(m.requests))
	}
	for _, r := range m.requests {
		u, err := url.Parse(r)
		if err != nil {
			t.Errorf("request to an unparsable URL %q", r)
			continue
		}
		switch u.Scheme {
		case "file", "data", "blob", "about":
			continue
		case "http", "https":
			if h := u.Hostname(); h == "127.0.0.1" || h == "localhost" || h == "::1" {
				continue
			}
		}
		t.Errorf("request to another host: %s", r)
	}
}

// ---- Small actions ----------------------------------------------------------------

func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}

// waitFor polls a JavaScript condition for up to 5 s.
func waitFor(t *testing.T, ctx context.Context, what, js string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		t.Fatalf("waiting for %s (%s): %v", what, js, err)
	}
}

func navigate(t *testing.T, ctx context.Context, u string) {
	t.Helper()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(u))
	if err != nil {
		t.Fatalf("loading %s: %v", u, err)
	}
	if resp != nil && strings.HasPrefix(u, "http") && resp.Status != 200 {
		t.Fatalf("loading %s: HTTP %d", u, resp.Status)
	}
}

func viewport(t *testing.T, ctx context.Context, w, h int64) {
	t.Helper()
	if w < 600 {
		do(t, ctx, chromedp.EmulateViewport(w, h, chromedp.EmulateMobile, chromedp.EmulateScale(2)))
	} else {
		do(t, ctx, chromedp.EmulateViewport(w, h))
	}
}

// prefersDark emulates the system's colour scheme preference.
func prefersDark(t *testing.T, ctx context.Context, dark bool) {
	t.Helper()
	v := "light"
	if dark {
		v = "dark"
	}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: v}},
	}); err != nil {
		t.Fatal(err)
	}
}

type shooter struct {
	dir string
	n   int
}

func newShooter(t *testing.T) *shooter {
	t.Helper()
	dir := os.Getenv("SITE_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return &shooter{dir: dir}
}

// shot saves a screenshot of the viewport as NN-name.png.
func (s *shooter) shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	// Let the layout settle (fonts, the theme's transitions if any).
	eval[bool](t, ctx, `document.fonts.ready.then(() => new Promise(r => requestAnimationFrame(() => r(true))))`)
	buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	s.n++
	if err := os.WriteFile(filepath.Join(s.dir, fmt.Sprintf("%02d-%s.png", s.n, name)), buf, 0o644); err != nil {
		t.Fatal(err)
	}
}

// pressSlash types "/" as a keyboard does: one keyDown that carries the
// text, so a handler that cancels the keydown also cancels the typing
// (chromedp's KeyEvent sends the text in a separate char event that no
// keydown handler can cancel).
func pressSlash(t *testing.T, ctx context.Context) {
	t.Helper()
	for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeKeyDown, input.DispatchKeyEventTypeKeyUp} {
		p := input.DispatchKeyEventParams{Type: typ, Key: "/", Code: "Slash", WindowsVirtualKeyCode: 191, NativeVirtualKeyCode: 191}
		if typ == input.DispatchKeyEventTypeKeyDown {
			p.Text, p.UnmodifiedText = "/", "/"
		}
		if _, err := chromedp.Call(ctx, input.DispatchKeyEvent, p); err != nil {
			t.Fatal(err)
		}
	}
}

// clipboardSpy records every text the page hands to navigator.clipboard.writeText
// in window.__copied, and still copies it.
const clipboardSpy = `(() => {
  window.__copied = [];
  const c = navigator.clipboard;
  if (!c || !c.writeText) return;
  const real = c.writeText.bind(c);
  c.writeText = (text) => { window.__copied.push(text); return real(text); };
})();`

// ---- The test ------------------------------------------------------------------

// TestBrowser reads the real site in Chromium: copy buttons, theme toggle,
// search, the printable course, file:// use, and no error, failed request
// or request to another host anywhere; with screenshots for review.
func TestBrowser(t *testing.T) {
	t.Parallel()
	s := buildRealSite(t)
	cp := s.findConsolePage(t)
	ctx := startBrowser(t)
	public := filepath.Join(s.dir, "public")
	// A sub-path: the site must not assume it is served at the root.
	base, stop, err := handout.Serve(public, "/docker-lab")
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	mon := watch(t, ctx)
	shots := newShooter(t)
	defer func() { t.Logf("screenshots in %s", shots.dir) }()

	origin := strings.TrimSuffix(base, "/docker-lab")
	for _, name := range []string{"clipboard-read", "clipboard-write"} {
		_, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: name},
			Setting:    browser.PermissionSettingGranted,
			Origin:     origin,
		})
		if err != nil {
			t.Fatalf("granting %s: %v", name, err)
		}
	}
	if _, err := chromedp.Call(ctx, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: clipboardSpy}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true}); err != nil {
		t.Fatal(err)
	}
	viewport(t, ctx, desktopW, desktopH)
	prefersDark(t, ctx, false)

	pageURL := base + cp.url

	t.Run("home", func(t *testing.T) {
		navigate(t, ctx, base+"/")
		if n := eval[int](t, ctx, `document.querySelectorAll(".overview .card").length`); n == 0 {
			t.Error("the home page shows no section card")
		}
		// relativeURLs: the stylesheet loaded from under the sub-path.
		if c := eval[string](t, ctx, `getComputedStyle(document.querySelector(".site-head")).display`); c != "flex" {
			t.Errorf("site.css not applied: .site-head display=%q", c)
		}
		shots.shot(t, ctx, "desktop-home")
	})

	t.Run("copy", func(t *testing.T) { testCopy(t, ctx, cp, pageURL, shots) })
	t.Run("select", func(t *testing.T) { testSelection(t, ctx, s, cp, base) })
	t.Run("theme", func(t *testing.T) { testTheme(t, ctx, pageURL, shots) })
	t.Run("code colours", func(t *testing.T) { testCodeColours(t, ctx, base+"/lab/5-dockerfile/") })
	t.Run("search", func(t *testing.T) { testSearch(t, ctx, s, cp, base, pageURL, shots) })
	t.Run("print", func(t *testing.T) { testPrintPage(t, ctx, s, base, shots) })
	t.Run("toc", func(t *testing.T) { testTOC(t, ctx, pageURL, shots) })
	t.Run("prev-next", func(t *testing.T) { testPrevNext(t, ctx, s, base) })
	t.Run("authors", func(t *testing.T) { testAuthorsLink(t, ctx, base, shots) })
	t.Run("phone", func(t *testing.T) {
		viewport(t, ctx, phoneW, phoneH)
		defer viewport(t, ctx, desktopW, desktopH)
		navigate(t, ctx, base+"/")
		if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > phoneW {
			t.Errorf("home page is %d px wide on a %d px phone: it scrolls sideways", w, phoneW)
		}
		shots.shot(t, ctx, "phone-home")
		do(t, ctx, chromedp.Click(chromedp.CSS(".nav-btn")))
		waitFor(t, ctx, "the menu to open", `getComputedStyle(document.getElementById("site-nav")).display !== "none"`)
		shots.shot(t, ctx, "phone-menu")
		navigate(t, ctx, pageURL)
		if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > phoneW {
			t.Errorf("%s is %d px wide on a %d px phone: it scrolls sideways", cp.url, w, phoneW)
		}
		eval[bool](t, ctx, `(document.querySelector("figure.term").scrollIntoView({block: "start"}), true)`)
		shots.shot(t, ctx, "phone-console")
		navigate(t, ctx, base+"/print.html")
		shots.shot(t, ctx, "phone-print")
		navigate(t, ctx, pageURL)
		do(t, ctx, chromedp.Click(chromedp.ID("theme-toggle")), chromedp.Click(chromedp.ID("theme-toggle")))
		waitFor(t, ctx, "dark theme", `document.documentElement.dataset.theme === "dark"`)
		do(t, ctx, chromedp.Focus(chromedp.ID("search-input")), chromedp.KeyEvent(rarestTitleWord(s, cp)))
		waitFor(t, ctx, "search results", `document.querySelectorAll("#search-results a.search-hit").length > 0`)
		shots.shot(t, ctx, "phone-search-dark")
		do(t, ctx, chromedp.KeyEvent(kb.Escape), chromedp.Click(chromedp.ID("theme-toggle")))
		waitFor(t, ctx, "auto theme", `!document.documentElement.dataset.theme`)
	})
	t.Run("file", func(t *testing.T) { testFileURL(t, ctx, s, cp, public, shots) })

	mon.check(t)
}

func testCopy(t *testing.T, ctx context.Context, cp consolePage, pageURL string, shots *shooter) {
	navigate(t, ctx, pageURL)
	// The block to copy: the one with the most commands; the figure is found
	// by its position among the page's console blocks.
	k := -1
	for i, b := range cp.blocks {
		if b.Kind == blocks.Console && (k < 0 || len(b.Commands) > len(cp.blocks[k].Commands)) {
			k = i
		}
	}
	b := cp.blocks[k]
	var cmds []string
	for _, c := range b.Commands {
		cmds = append(cmds, c.Text)
	}
	want := strings.Join(cmds, "\n")

	n := eval[int](t, ctx, fmt.Sprintf(`(() => {
	  const f = document.querySelectorAll("figure.term")[%d];
	  f.scrollIntoView({block: "center"});
	  f.querySelector("button.copy-all").id = "t-copy-all";
	  f.querySelectorAll(".cmd").forEach((c, i) => { const b = c.querySelector("button.copy-one"); if (b) b.id = "t-copy-" + i; });
	  return f.querySelectorAll(".cmd").length;
	})()`, k))
	if n != len(b.Commands) {
		t.Fatalf("block %d of %s (line %d) shows %d commands, its source has %d", k+1, cp.url, b.Line, n, len(b.Commands))
	}

	do(t, ctx, chromedp.Click(chromedp.ID("t-copy-all")))
	waitFor(t, ctx, "the copy", `window.__copied.length === 1`)
	got := eval[string](t, ctx, `window.__copied[0]`)
	if got != want {
		t.Errorf("Copy of block at %s:%d copied\n%q\nwant exactly its commands\n%q", cp.url, b.Line, got, want)
	}
	for _, l := range strings.Split(got, "\n") {
		if strings.HasPrefix(l, "$ ") || strings.HasPrefix(l, "# ") {
			t.Errorf("copied text has a prompt: %q", l)
		}
	}
	for _, c := range b.Commands {
		for _, o := range c.Output {
			if strings.TrimSpace(o) != "" && strings.Contains("\n"+got+"\n", "\n"+o+"\n") && !strings.Contains(want, o) {
				t.Errorf("copied text has the output line %q", o)
			}
		}
	}
	// What reached the system clipboard.
	if clip := eval[string](t, ctx, `navigator.clipboard.readText()`); clip != want {
		t.Errorf("clipboard holds %q, want %q", clip, want)
	}
	waitFor(t, ctx, `"Copied" in the live region`, `document.getElementById("copy-status").textContent === "Copied"`)
	shots.shot(t, ctx, "desktop-console-copied")

	// One command's own button: the longest command (continuation lines, if any).
	j := 0
	for i, c := range b.Commands {
		if len(c.Text) > len(b.Commands[j].Text) {
			j = i
		}
	}
	do(t, ctx, chromedp.Click(chromedp.ID(fmt.Sprintf("t-copy-%d", j))))
	waitFor(t, ctx, "the second copy", `window.__copied.length === 2`)
	if got := eval[string](t, ctx, `window.__copied[1]`); got != b.Commands[j].Text {
		t.Errorf("the copy button of command %d copied %q, want %q", j+1, got, b.Commands[j].Text)
	}
}

// testCodeColours holds the highlighted code on a page to chroma.css: each
// token class whose colour differs between the themes shows its light
// colour in the light theme, its dark one when the reader chose dark, and
// its dark one in the auto theme on a dark system.
func testCodeColours(t *testing.T, ctx context.Context, pageURL string) {
	css, err := os.ReadFile(filepath.Join(repoRoot(t), "static", "css", "chroma.css"))
	if err != nil {
		t.Fatal(err)
	}
	rgb := func(hex string) string {
		h := strings.TrimPrefix(hex, "#")
		if len(h) == 3 {
			h = string([]byte{h[0], h[0], h[1], h[1], h[2], h[2]})
		}
		var r, g, b int
		fmt.Sscanf(h, "%02x%02x%02x", &r, &g, &b)
		return fmt.Sprintf("rgb(%d, %d, %d)", r, g, b)
	}
	pairs := map[string][2]string{}
	for _, m := range regexp.MustCompile(`(?m)^\.chroma \.(\w+) \{ color:light-dark\((#[0-9a-f]+), (#[0-9a-f]+)\)`).FindAllStringSubmatch(string(css), -1) {
		pairs[m[1]] = [2]string{rgb(m[2]), rgb(m[3])}
	}
	navigate(t, ctx, pageURL)
	classes := eval[[]string](t, ctx, `[...new Set([...document.querySelectorAll(".chroma span[class]")].map(e => e.className))]`)
	colour := func(class, theme string) string {
		return eval[string](t, ctx, fmt.Sprintf(`(() => { const h = document.documentElement;
			if (%[1]q) h.dataset.theme = %[1]q; else delete h.dataset.theme;
			return getComputedStyle(document.querySelector(".chroma ." + %[2]q)).color })()`, theme, class))
	}
	checked := 0
	for _, c := range classes {
		p, ok := pairs[c]
		if !ok {
			continue
		}
		checked++
		prefersDark(t, ctx, false)
		if got := colour(c, "light"); got != p[0] {
			t.Errorf(".%s in the light theme: %s, want %s", c, got, p[0])
		}
		if got := colour(c, "dark"); got != p[1] {
			t.Errorf(".%s in the dark theme: %s, want %s", c, got, p[1])
		}
		prefersDark(t, ctx, true)
		if got := colour(c, ""); got != p[1] {
			t.Errorf(".%s in the auto theme on a dark system: %s, want %s", c, got, p[1])
		}
	}
	prefersDark(t, ctx, false)
	eval[bool](t, ctx, `delete document.documentElement.dataset.theme`)
	t.Logf("%d token classes checked of %v", checked, classes)
	if checked < 3 {
		t.Fatalf("%s: only %d token classes with a colour a theme (of %v): the check proves little", pageURL, checked, classes)
	}
}

func testTheme(t *testing.T, ctx context.Context, pageURL string, shots *shooter) {
	navigate(t, ctx, pageURL)
	bg := func() string { return eval[string](t, ctx, `getComputedStyle(document.body).backgroundColor`) }
	theme := func() string { return eval[string](t, ctx, `document.documentElement.dataset.theme || "auto"`) }
	stored := func() string { return eval[string](t, ctx, `String(localStorage.getItem("theme"))`) }
	light := bg()
	if theme() != "auto" {
		t.Fatalf("a new reader starts with theme %q, want auto", theme())
	}
	// auto → light → dark
	for i := 0; i < 3 && theme() != "dark"; i++ {
		do(t, ctx, chromedp.Click(chromedp.ID("theme-toggle")))
	}
	if theme() != "dark" {
		t.Fatalf("the theme button never reached dark (at %q)", theme())
	}
	dark := bg()
	if dark == light {
		t.Errorf("dark theme: the background stays %s", dark)
	}
	if got := stored(); got != "dark" {
		t.Errorf("localStorage theme = %q after choosing dark", got)
	}
	if got := eval[string](t, ctx, `document.getElementById("theme-state").textContent`); got != "dark" {
		t.Errorf("the theme button says %q, want dark", got)
	}
	do(t, ctx, chromedp.Reload())
	if theme() != "dark" || bg() != dark {
		t.Errorf("after a reload: theme %q, background %s; want dark, %s", theme(), bg(), dark)
	}
	shots.shot(t, ctx, "desktop-console-dark")
	// dark → auto: the choice is forgotten.
	do(t, ctx, chromedp.Click(chromedp.ID("theme-toggle")))
	if theme() != "auto" || stored() != "null" {
		t.Errorf("after dark the button gives theme %q, stored %q; want auto, nothing stored", theme(), stored())
	}
	do(t, ctx, chromedp.Reload())
	if bg() != light {
		t.Errorf("auto theme with a light system: background %s, want %s", bg(), light)
	}
	// auto follows the system.
	prefersDark(t, ctx, true)
	if bg() != dark {
		t.Errorf("auto theme with a dark system: background %s, want %s", bg(), dark)
	}
	// A reader's light beats the system's dark.
	do(t, ctx, chromedp.Click(chromedp.ID("theme-toggle")))
	if theme() != "light" || bg() != light {
		t.Errorf("light chosen on a dark system: theme %q, background %s; want light, %s", theme(), bg(), light)
	}
	do(t, ctx, chromedp.Click(chromedp.ID("theme-toggle")), chromedp.Click(chromedp.ID("theme-toggle")))
	prefersDark(t, ctx, false)
}

// rarestTitleWord is the word of the page's title found in the fewest pages
// of the index: a search for it must find the page.
func rarestTitleWord(s *realSite, cp consolePage) string {
	title := cp.title
	if i := strings.Index(title, ": "); strings.HasPrefix(title, "Step ") && i > 0 {
		title = title[i+2:]
	}
	best, bestN := "", 1<<30
	for _, w := range regexp.MustCompile(`[A-Za-z][A-Za-z-]{3,}`).FindAllString(title, -1) {
		lw := strings.ToLower(w)
		n := 0
		for _, p := range s.index.Pages {
			if strings.Contains(strings.ToLower(p.Title+" "+p.Text+" "+p.Code), lw) {
				n++
			}
		}
		if n < bestN {
			best, bestN = lw, n
		}
	}
	return best
}

func testSearch(t *testing.T, ctx context.Context, s *realSite, cp consolePage, base, pageURL string, shots *shooter) {
	navigate(t, ctx, base+"/")
	word := rarestTitleWord(s, cp)
	if word == "" {
		t.Fatalf("no word to search for in %q", cp.title)
	}
	// "/" focuses the search box from anywhere, and is not typed into it.
	pressSlash(t, ctx)
	if id := eval[string](t, ctx, `document.activeElement.id`); id != "search-input" {
		t.Fatalf(`"/" focused %q, want the search box`, id)
	}
	do(t, ctx, chromedp.KeyEvent(word))
	if v := eval[string](t, ctx, `document.getElementById("search-input").value`); v != word {
		t.Errorf("the search box holds %q, want %q", v, word)
	}
	waitFor(t, ctx, "search results", `document.querySelectorAll("#search-results a.search-hit").length > 0`)
	hits := eval[[]string](t, ctx, `[...document.querySelectorAll("#search-results a.search-hit")].map(a => a.href)`)
	at := -1
	for i, h := range hits {
		if strings.SplitN(h, "#", 2)[0] == pageURL {
			at = i
			break
		}
	}
	if at < 0 {
		t.Fatalf("searching %q: no result links to %s; results: %q", word, pageURL, hits)
	}
	// Each result names its section and shows a snippet with the word marked.
	if sec := eval[string](t, ctx, fmt.Sprintf(`document.querySelectorAll("#search-results a.search-hit")[%d].querySelector(".hit-section")?.textContent || ""`, at)); sec == "" {
		t.Errorf("the result for %s names no section", cp.url)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll("#search-results mark").length`); n == 0 {
		t.Error("no search result marks the word searched for")
	}
	if st := eval[string](t, ctx, `document.querySelector(".search-status").textContent`); !strings.Contains(st, word) {
		t.Errorf("the search status %q does not repeat the query", st)
	}
	shots.shot(t, ctx, "desktop-search")

	// Keyboard only: Escape closes, ArrowDown reopens and walks the results, Enter follows.
	do(t, ctx, chromedp.KeyEvent(kb.Escape))
	if !eval[bool](t, ctx, `document.getElementById("search-results").hidden`) {
		t.Error("Escape does not close the search results")
	}
	for i := 0; i <= at; i++ {
		do(t, ctx, chromedp.KeyEvent(kb.ArrowDown))
	}
	if h := eval[string](t, ctx, `document.activeElement.href || ""`); strings.SplitN(h, "#", 2)[0] != pageURL {
		t.Fatalf("after %d ArrowDown the focus is on %q, want the result for %s", at+1, h, pageURL)
	}
	shots.shot(t, ctx, "desktop-search-keyboard")
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(cdppage.LoadEventFired, nil, chromedp.KeyEvent(kb.Enter))); err != nil {
		t.Fatal(err)
	}
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); strings.SplitN(loc, "#", 2)[0] != pageURL {
		t.Errorf("Enter on the result went to %s, want %s", loc, pageURL)
	}
	// A search that matches nothing says so.
	pressSlash(t, ctx)
	do(t, ctx, chromedp.KeyEvent("zqxjvw"))
	waitFor(t, ctx, "the no-match message", `document.querySelector(".search-status").textContent.includes("No page")`)
}

func testPrintPage(t *testing.T, ctx context.Context, s *realSite, base string, shots *shooter) {
	steps := s.labSteps()
	if len(steps) == 0 {
		t.Fatal("no lab step in the site")
	}
	// The course, the lab, and one step alone (a teacher's handout for one session).
	for _, doc := range []string{"/print.html", "/lab/print.html", steps[0].URL + "print.html"} {
		navigate(t, ctx, base+doc)
		if n := eval[int](t, ctx, `document.querySelectorAll("details:not([open])").length`); n != 0 {
			t.Errorf("%s has %d folded outputs", doc, n)
		}
		for _, sel := range []string{".cover h1", ".print-toc", ".print-page.is-step .term-label"} {
			if !eval[bool](t, ctx, fmt.Sprintf(`!!document.querySelector(%q)`, sel)) {
				t.Errorf("%s has no %s", doc, sel)
			}
		}
		// One document of many pages: every id once, every #link lands.
		bad := eval[[]string](t, ctx, `(() => {
			const seen = new Set(), bad = [];
			for (const e of document.querySelectorAll("[id]")) {
				if (seen.has(e.id)) bad.push("id twice: " + e.id);
				seen.add(e.id);
			}
			for (const a of document.querySelectorAll('a[href^="#"]')) {
				const id = decodeURIComponent(a.getAttribute("href").slice(1));
				if (!document.getElementById(id)) bad.push("link to nothing: #" + id);
			}
			return bad;
		})()`)
		for _, b := range bad {
			t.Errorf("%s: %s", doc, b)
		}
		shown := eval[[]string](t, ctx, `[...document.querySelectorAll(".print-page.is-step > h1")].map(h => h.textContent)`)
		var want []string
		for _, p := range steps {
			want = append(want, p.Title)
		}
		if doc == steps[0].URL+"print.html" {
			want = want[:1]
			// Its contents are its own sections, each a link into the document.
			if n := eval[int](t, ctx, `document.querySelectorAll(".print-toc a[href^='#']").length`); n < 2 {
				t.Errorf("%s lists %d sections in its contents", doc, n)
			}
		}
		if strings.Join(shown, "|") != strings.Join(want, "|") {
			t.Errorf("%s shows the steps %q, want %q", doc, shown, want)
		}
		if doc == "/print.html" {
			shots.shot(t, ctx, "desktop-print")
		}
	}
	// On paper: each step on a new sheet, external links followed by their URL, no header.
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	defer chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: ""})
	// (The first step may share the sheet of a section title with no text of its own.)
	if eval[bool](t, ctx, `!!document.querySelector(".print-page.is-step + .print-page.is-step")`) {
		if b := eval[string](t, ctx, `getComputedStyle(document.querySelector(".print-page.is-step + .print-page.is-step")).breakBefore`); b != "page" {
			t.Errorf("on paper a lab step starts with break-before: %q, want page", b)
		}
	}
	if eval[bool](t, ctx, `!!document.querySelector(".content a.ext:not([data-bare])")`) {
		after := eval[string](t, ctx, `getComputedStyle(document.querySelector(".content a.ext:not([data-bare])"), "::after").content`)
		if !strings.Contains(after, "attr(href)") {
			t.Errorf("an external link prints no URL after its text: ::after content %s", after)
		}
	}
	// A normal page printed: no header, navigation or buttons.
	navigate(t, ctx, base+"/")
	for _, sel := range []string{".site-head", ".site-nav", ".site-search"} {
		if eval[bool](t, ctx, fmt.Sprintf(`document.querySelector(%q).checkVisibility()`, sel)) {
			t.Errorf("printing a page shows %s", sel)
		}
	}
}

func testFileURL(t *testing.T, ctx context.Context, s *realSite, cp consolePage, public string, shots *shooter) {
	root := "file://" + filepath.ToSlash(public)
	navigate(t, ctx, root+"/index.html")
	// Folder links would show a listing: they point at index.html.
	want := root + cp.url + "index.html"
	if !eval[bool](t, ctx, fmt.Sprintf(`[...document.querySelectorAll(".site-nav a")].some(a => a.href === %q)`, want)) {
		t.Errorf("from file:// no navigation link goes to %s", want)
	}
	word := rarestTitleWord(s, cp)
	pressSlash(t, ctx)
	do(t, ctx, chromedp.KeyEvent(word))
	waitFor(t, ctx, "search results from file://", `document.querySelectorAll("#search-results a.search-hit").length > 0`)
	hits := eval[[]string](t, ctx, `[...document.querySelectorAll("#search-results a.search-hit")].map(a => a.href)`)
	found := false
	for _, h := range hits {
		found = found || strings.SplitN(h, "#", 2)[0] == want
	}
	if !found {
		t.Errorf("from file:// searching %q gives no link to %s: %q", word, want, hits)
	}
	shots.shot(t, ctx, "desktop-file-search")
}
