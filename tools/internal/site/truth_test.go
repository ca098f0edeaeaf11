package site

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/labdocs/dockerlab/tools/internal/handout"
	"github.com/labdocs/dockerlab/tools/internal/record"
)

// The tests here read the real site in Chromium and hold what each block's
// header and text say against the capture records (labrun.json): the
// terminal, the container and the run number of every block, what the
// reader typed, and how commands wrap on a phone.

// recordedPage is a built page with its capture record.
type recordedPage struct {
	url string // under the site root, with a trailing slash
	rec *record.Record
}

// recordedPages lists the pages of the real site that have a record.
func recordedPages(t *testing.T, s *realSite) []recordedPage {
	t.Helper()
	var out []recordedPage
	content := s.content()
	err := filepath.WalkDir(content, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.Name() != record.FileName {
			return err
		}
		rec, err := record.Load(filepath.Join(filepath.Dir(p), "index.md"))
		if err != nil || rec == nil {
			return err
		}
		rel, err := filepath.Rel(content, filepath.Dir(p))
		if err != nil {
			return err
		}
		out = append(out, recordedPage{url: "/" + filepath.ToSlash(rel) + "/", rec: rec})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// serveReal serves the real site's public/ for a browser.
func serveReal(t *testing.T, s *realSite) string {
	t.Helper()
	base, stop, err := handout.Serve(filepath.Join(s.dir, "public"), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return base
}

// header is what a console block's header says, as a reader sees it.
type header struct {
	Term   string `json:"term"`
	Inside string `json:"inside"`
	Seq    int    `json:"seq"`
}

const readHeaders = `[...document.querySelectorAll("main figure.term:not(.is-skipped)")].map(f => ({
	term: f.dataset.term,
	inside: (f.querySelector(".term-head .term-inside code") || {}).textContent || "",
	seq: +(((f.querySelector(".term-head .term-seq") || {}).textContent || "").replace(/\D/g, "") || 0),
}))`

// Every run block's header names the terminal and container it ran in
// and its run number, as recorded for that block at its place: blocks with
// the same text (lab/3-network's "nc" in two terminals) keep their own.
func TestBlockHeadersMatchTheRun(t *testing.T) {
	t.Parallel()
	s := buildRealSite(t)
	read := readRecordedPages(t, s)
	repeated := 0
	for _, r := range read {
		p := r.page
		var want []header
		byHash := map[string]record.Block{}
		for _, b := range p.rec.Blocks {
			if b.Kind != "console" {
				continue
			}
			want = append(want, header{Term: b.Term, Inside: b.Inside, Seq: b.Seq})
			if o, ok := byHash[b.Hash]; ok && (o.Term != b.Term || o.Inside != b.Inside) {
				repeated++
			}
			byHash[b.Hash] = b
		}
		got := r.headers
		if len(got) != len(want) {
			t.Errorf("%s: %d run console blocks on the page, %d in labrun.json", p.url, len(got), len(want))
			continue
		}
		last := 0
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%s: block %d's header says terminal %q, inside %q, run %d; it ran in terminal %q, inside %q, as run %d",
					p.url, i+1, got[i].Term, got[i].Inside, got[i].Seq, want[i].Term, want[i].Inside, want[i].Seq)
			}
			if got[i].Seq <= last {
				t.Errorf("%s: block %d shows run %d after run %d: run numbers must increase down the page", p.url, i+1, got[i].Seq, last)
			}
			last = got[i].Seq
		}
	}
	// Otherwise the test would pass without the case it is for.
	if repeated == 0 {
		t.Errorf("no page of %d has the same block text run in two terminals or containers (lab/3-network does): was it left out of the build? %v", len(read), s.dropped)
	}
}

// What the reader typed into a program (input=) and the keys they pressed
// are marked in the text, look unlike output on screen and on paper, and
// say so to a screen reader.
func TestTypedInputIsMarked(t *testing.T) {
	t.Parallel()
	s := buildRealSite(t)
	ctx := startBrowser(t)
	base := serveReal(t, s)
	var want []record.Mark
	var url string
	for _, p := range recordedPages(t, s) {
		if p.url != "/lab/3-network/" {
			continue
		}
		url = p.url
		for _, b := range p.rec.Blocks {
			want = append(want, b.Typed...)
		}
	}
	if url == "" || len(want) < 2 {
		t.Fatalf("lab/3-network with at least two typed marks is the test's subject; marks %d, left out: %v", len(want), s.dropped)
	}
	navigate(t, ctx, base+url)
	type mark struct {
		Text, Said           string
		Weight, Bg, OutBg    string
		OutWeight, Selection string
	}
	const read = `[...document.querySelectorAll("main kbd.typed")].map(k => {
		const out = k.closest("pre"), ks = getComputedStyle(k), os = getComputedStyle(out);
		const sel = getSelection(); sel.selectAllChildren(out);
		const r = {text: [...k.childNodes].filter(n => !(n.classList && n.classList.contains("sr-note"))).map(n => n.textContent).join(""),
			said: k.textContent, weight: ks.fontWeight, bg: ks.backgroundColor, outWeight: os.fontWeight, outBg: os.backgroundColor,
			selection: sel.toString()};
		sel.removeAllRanges();
		return r;
	})`
	check := func(media string) {
		got := eval[[]mark](t, ctx, read)
		if len(got) != len(want) {
			t.Fatalf("%s (%s): %d marked spans, labrun.json records %d", url, media, len(got), len(want))
		}
		for i, m := range got {
			if m.Text != want[i].Text {
				t.Errorf("%s (%s): mark %d shows %q, the record says %q", url, media, i+1, m.Text, want[i].Text)
			}
			if m.Weight == m.OutWeight && m.Bg == m.OutBg {
				t.Errorf("%s (%s): typed %q looks like output (weight %s, background %s)", url, media, m.Text, m.Weight, m.Bg)
			}
			if !strings.HasPrefix(m.Said, "you typed: ") && !strings.HasPrefix(m.Said, "you pressed: ") {
				t.Errorf("%s (%s): mark %q is not announced as typed: %q", url, media, m.Text, m.Said)
			}
			if strings.Contains(m.Selection, "you typed") || strings.Contains(m.Selection, "you pressed") {
				t.Errorf("%s (%s): selecting the output copies the screen-reader note: %q", url, media, m.Selection)
			}
		}
	}
	check("screen")
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	check("print")
}

// On a 390 px phone a long command wraps at spaces only, never inside a
// word or flag, and its later lines are indented under the first.
func TestCommandsWrapAtSpaces(t *testing.T) {
	t.Parallel()
	s := buildRealSite(t)
	wrapped := 0
	for _, r := range readRecordedPages(t, s) {
		for _, b := range r.wrap.Bad {
			t.Errorf("%s at %d px: a command breaks inside a word: %q", r.page.url, phoneW, b)
		}
		wrapped += r.wrap.Wrapped
	}
	// The pages have commands longer than a phone's line: if none wrapped,
	// the measurement measured nothing.
	if wrapped == 0 {
		t.Errorf("no command wrapped at %d px: the measurement found no line break to check", phoneW)
	}
	t.Logf("%d wrapped command lines checked at %d px", wrapped, phoneW)
}

// For every command: each place where the next character lands on a
// lower line than the one before, the break must follow a blank or a
// newline the command itself has; the first character of a wrapped line
// must start right of the command's first character.
const measureWrap = `(() => {
	const bad = []; let wrapped = 0;
	for (const c of document.querySelectorAll("main .cmd-text")) {
		const walker = document.createTreeWalker(c, NodeFilter.SHOW_TEXT);
		const chars = [];
		for (let n; (n = walker.nextNode());) {
			for (let i = 0; i < n.data.length; i++) {
				const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + 1);
				const rect = r.getClientRects()[0];
				if (rect) chars.push({ch: n.data[i], top: rect.top, left: rect.left});
			}
		}
		if (!chars.length) continue;
		const text = chars.map(x => x.ch).join("");
		const firstLeft = chars[0].left;
		for (let i = 1; i < chars.length; i++) {
			const prev = chars[i - 1], cur = chars[i];
			if (cur.top <= prev.top + 2 || prev.ch === "\n" || cur.ch === "\n" || prev.ch === " ") continue;
			if (cur.ch === " ") continue; // a blank moved down hangs at the end of the line
			bad.push(text.slice(Math.max(0, i - 20), i) + "⏎" + text.slice(i, i + 20));
		}
		for (let i = 1; i < chars.length; i++) {
			const prev = chars[i - 1], cur = chars[i];
			if (cur.top > prev.top + 2 && prev.ch !== "\n" && cur.ch !== " ") {
				wrapped++;
				if (cur.left <= firstLeft + 1) bad.push("no hanging indent: " + text.slice(i, i + 30));
			}
		}
	}
	return {bad, wrapped};
})()`

// wrapReading is what measureWrap finds on a page.
type wrapReading struct {
	Bad     []string `json:"bad"`
	Wrapped int      `json:"wrapped"`
}

// pageReading is what the browser shows of a recorded page on a phone:
// its run blocks' headers (which do not depend on the width) and how its
// commands wrap.
type pageReading struct {
	page    recordedPage
	headers []header
	wrap    wrapReading
}

// The recorded pages are loaded once, for both tests that read them.
var (
	readOnce sync.Once
	readings []pageReading
	readErr  error
)

// readRecordedPages loads every recorded page of the real site in a tab
// with a 390 px phone's viewport, once per test binary, and reads its
// headers and its commands' wrapping.
func readRecordedPages(t *testing.T, s *realSite) []pageReading {
	t.Helper()
	readOnce.Do(func() {
		readErr = errors.New("reading the recorded pages failed in the first test that read them")
		ctx := startBrowser(t)
		base := serveReal(t, s)
		viewport(t, ctx, phoneW, phoneH)
		var out []pageReading
		for _, p := range recordedPages(t, s) {
			navigate(t, ctx, base+p.url)
			out = append(out, pageReading{page: p, headers: eval[[]header](t, ctx, readHeaders), wrap: eval[wrapReading](t, ctx, measureWrap)})
		}
		readings, readErr = out, nil
	})
	if readErr != nil {
		t.Fatal(readErr)
	}
	return readings
}
