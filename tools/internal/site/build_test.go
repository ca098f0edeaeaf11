package site

import (
	"html"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// (a) A captured page builds and shows commands, output, terminal labels and
// the exact copy text, continuation lines included.
func TestCapturedPageBuilds(t *testing.T) {
	t.Parallel()
	s, _ := builtStandardSite(t)
	doc := s.read("lab/first/index.html")

	// Terminal headers: label, colour slot, "inside", title, timeline counter.
	assertContains(t, "page", doc,
		`<span class="term-label">Terminal 1</span>`,
		`<span class="term-label">Terminal 2</span>`,
		`class="term tc0"`, `class="term tc1"`,
		`<span class="term-inside">inside <code>netcat</code></span>`,
		`<span class="term-title">Start a web server</span>`,
		`<span class="visually-hidden">Block </span>1</span>`,
		`<span class="visually-hidden">Block </span>2</span>`,
	)
	// Commands are highlighted as bash, the prompt is styled apart.
	assertContains(t, "page", doc,
		`<span class="prompt" data-prompt="$"`,
		`<span class="prompt" data-prompt="#"`,
		`class="code-inline language-bash"`,
		`<div class="cmd is-root"`,
	)
	// Output is plain text.
	assertContains(t, "page", doc,
		"<pre class=\"out\">\n3f1c0e9a7b2d</pre>",
		"web Up 2 seconds",
		"Setting up netcat-openbsd (1.219-1) ...",
	)

	// Copy data: each command exactly as typed, and all commands of a block.
	copies := copyTexts(doc)
	for _, want := range []string{
		cmdMulti, // continuation lines kept, joined with newlines
		cmdPS,
		cmdApt,
		cmdMulti + "\n" + cmdPS, // "Copy" of the whole first block
		fileDockerfile.body,     // "Copy" of the file block
	} {
		if !contains(copies, want) {
			t.Errorf("no copy button copies %q; have %q", want, copies)
		}
	}
	for _, c := range copies {
		if strings.HasPrefix(c, "$") || strings.HasPrefix(c, "#") || strings.Contains(c, "3f1c0e9a7b2d") {
			t.Errorf("copy text contains a prompt or output: %q", c)
		}
	}

	// Long output: head and tail shown, the middle folded.
	assertContains(t, "page", doc,
		`<details class="out-more"><summary>30 more lines of output</summary>`,
	)

	// Provenance footer from labrun.json.
	assertContains(t, "page", html.UnescapeString(doc),
		"Output captured <time datetime=\"2026-11-26T18:00:00Z\">26 November 2026, 18:00 UTC</time>",
		"with Docker Engine 20.10.24+dfsg1 (API 1.41), buildx v0.38.2, compose v2.40.3 and the lab image set <span class=\"img-set\">bookworm images 3f2a1b2c</span>; images: <span",
		"123.5 MB · built from tools/images/debian 3f2a\">debian:latest</span>.",
	)
	// A page without runnable blocks says so.
	assertContains(t, "concepts page", s.read("concepts/containers/index.html"),
		"No block on this page runs against Docker")

	// A link written relative to the page's URL resolves to the page (and
	// so works from the print documents too).
	assertContains(t, "page", doc, `<a href="../../lab/second/">the next step</a>`)

	// Navigation: steps numbered by weight, current page marked, next step linked.
	assertContains(t, "page", doc,
		`aria-current="page">Step 1: First step</a>`,
		`rel="next"`, "Step 2: Second step",
	)
	// Template-built markup is never escaped into text (html/template refuses computed tag names).
	for _, rel := range []string{"index.html", "lab/index.html", "lab/first/index.html"} {
		if d := s.read(rel); strings.Contains(d, "&lt;ul") || strings.Contains(d, "&lt;ol") {
			t.Errorf("%s shows escaped list markup", rel)
		}
	}
	// The status page lists every page with its capture date and counts.
	status := s.read("about/status/index.html")
	assertContains(t, "status page", status, "Step 1: First step", "26 November 2026, 18:00 UTC",
		"Step 2: Second step", "no runnable blocks", "Containers")
}

// (b) Editing a captured block by one character fails the build, naming the
// file and line and telling the author what to run.
func TestEditedBlockFailsBuild(t *testing.T) {
	t.Parallel()
	s := standardSite(t)
	md, lines := labFirst.markdown()
	edited := strings.Replace(md, "web Up 2 seconds", "web Up 3 seconds", 1)
	if edited == md {
		t.Fatal("fixture edit did not apply")
	}
	s.write(labFirst.path, edited)
	out, err := s.build()
	if err == nil {
		t.Fatalf("build succeeded with an edited block:\n%s", out)
	}
	want := "content/lab/first/index.md:" + strconv.Itoa(lines[consoleMain.body]) + ":"
	assertContains(t, "build output", out, want, "block changed since capture (or never captured)", "make capture")
}

// Editing a file= block fails the same way: the runner wrote that file.
func TestEditedFileBlockFailsBuild(t *testing.T) {
	t.Parallel()
	s := standardSite(t)
	md, lines := labFirst.markdown()
	s.write(labFirst.path, strings.Replace(md, "FROM debian:latest", "FROM debian:stable", 1))
	out, err := s.build()
	if err == nil {
		t.Fatalf("build succeeded with an edited file block:\n%s", out)
	}
	assertContains(t, "build output", out,
		"content/lab/first/index.md:"+strconv.Itoa(lines[fileDockerfile.body])+":", "make capture")
}

// (c) A page with runnable blocks but no labrun.json fails likewise.
func TestMissingLabrunFailsBuild(t *testing.T) {
	t.Parallel()
	s := standardSite(t)
	s.remove("content/lab/first/labrun.json")
	out, err := s.build()
	if err == nil {
		t.Fatalf("build succeeded without labrun.json:\n%s", out)
	}
	_, lines := labFirst.markdown()
	assertContains(t, "build output", out,
		"content/lab/first/index.md:"+strconv.Itoa(lines[consoleMain.body])+":",
		"never captured", "make capture", "no labrun.json")
}

// A block removed after capture fails too: later output may depend on it.
func TestRemovedBlockFailsBuild(t *testing.T) {
	t.Parallel()
	s := standardSite(t)
	p := labFirst
	p.parts = append([]any{}, p.parts...)
	p.parts[3] = "## Inside the container (block removed)" // drops consoleInside
	md, lines := p.markdown()
	s.write(p.path, md) // keep the old labrun.json
	out, err := s.build()
	if err == nil {
		t.Fatalf("build succeeded with a removed block:\n%s", out)
	}
	// Blocks are recorded by position: the next block now stands where the
	// removed one was, and the build says so at its line.
	assertContains(t, "build output", out,
		"content/lab/first/index.md:"+strconv.Itoa(lines[consoleLong.body])+":",
		"captured as block 3 of the page and is now block 2: blocks were added or removed above it",
		"make capture")
}

// Removing the last block leaves no block out of place; the page check
// still finds the record of a block that is gone.
func TestRemovedLastBlockFailsBuild(t *testing.T) {
	t.Parallel()
	s := standardSite(t)
	p := labFirst
	var last block
	kind := ""
	for i := len(p.parts) - 1; i >= 0; i-- {
		b, ok := p.parts[i].(block)
		if ok && b.rec != nil { // runnable: it has a record
			kind = b.rec["kind"].(string)
		} else if ok && strings.HasPrefix(b.info, "console ") { // skipped, recorded all the same
			kind = "skipped"
		}
		if kind != "" {
			last = b
			p.parts = append(append([]any{}, p.parts[:i]...), p.parts[i+1:]...)
			break
		}
	}
	_, oldLines := labFirst.markdown()
	md, _ := p.markdown()
	s.write(p.path, md)
	out, err := s.build()
	if err == nil {
		t.Fatalf("build succeeded with the last block removed:\n%s", out)
	}
	assertContains(t, "build output", out,
		"content/lab/first/index.md: labrun.json records a "+kind+" block",
		"line "+strconv.Itoa(oldLines[last.body])+" at capture) that is no longer on the page",
		"make capture")
}

// (d) A skipped console block shows why it was not run. It is recorded
// too (the site renders every transcript from the runner's reading of
// it), so without a record the build fails at the block.
func TestSkippedBlockIsRecordedAndShown(t *testing.T) {
	t.Parallel()
	s, _ := builtStandardSite(t)
	doc := s.read("lab/second/index.html")
	assertContains(t, "skipped page", doc,
		`not run: needs a Docker Hub account`,
		`class="term tc0 is-skipped"`,
		"docker push someone/netcat:latest",
		"No block on this page runs against Docker",
		// No term=: the runner's default terminal, "main".
		`<span class="term-label">main</span>`,
	)
	if !contains(copyTexts(doc), "docker push someone/netcat:latest") {
		t.Error("a skipped block still offers its command for copying")
	}
	// The shared build is only read; the failing one is a site of its own.
	s2 := standardSite(t)
	s2.remove("content/lab/second/labrun.json")
	out, err := s2.build()
	if err == nil {
		t.Fatalf("a skipped console block built without a record:\n%s", out)
	}
	_, lines := labSecond.markdown()
	assertContains(t, "build output", out,
		"content/lab/second/index.md:"+strconv.Itoa(lines[consoleSkipped.body])+": console (not run) block",
		"make capture", "no labrun.json")
}

// (e) A file block shows its name and links to the bundle copy for download.
func TestFileBlockNameAndDownload(t *testing.T) {
	t.Parallel()
	s, _ := builtStandardSite(t)
	doc := s.read("lab/first/index.html")
	assertContains(t, "page", doc,
		`<span class="code-name">Dockerfile</span>`,
		// relativeURLs: the bundle file /lab/first/Dockerfile, relative to /lab/first/.
		`class="code-dl" href="../../lab/first/Dockerfile" download="Dockerfile"`,
	)
	if got := s.read("lab/first/Dockerfile"); got != fileDockerfile.body+"\n" {
		t.Errorf("published Dockerfile = %q", got)
	}
	// Without the bundle copy: still the name, no download link.
	s2 := standardSite(t)
	s2.remove("content/lab/first/Dockerfile")
	s2.mustBuild()
	doc2 := s2.read("lab/first/index.html")
	assertContains(t, "page", doc2, `<span class="code-name">Dockerfile</span>`)
	if strings.Contains(doc2, `class="code-dl"`) {
		t.Error("download link shown for a file the bundle does not have")
	}
}

// A bundle file that differs from the block showing it is reported: the
// download would not be the file the reader sees.
func TestBundleFileDriftWarns(t *testing.T) {
	t.Parallel()
	s := standardSite(t)
	s.write("content/lab/first/Dockerfile", "FROM scratch\n")
	out, err := s.build("--panicOnWarning")
	if err == nil {
		t.Fatalf("build succeeded with a drifted bundle file:\n%s", out)
	}
	assertContains(t, "build output", out, `bundle file "Dockerfile" differs from the block that shows it`)
}

// (f) The build is clean under --panicOnWarning --printPathWarnings.
func TestBuildHasNoWarnings(t *testing.T) {
	t.Parallel()
	_, out := builtStandardSite(t)
	if strings.Contains(out, "WARN") || strings.Contains(out, "ERROR") {
		t.Errorf("build printed warnings:\n%s", out)
	}
}

// (g) The built site references no other host: no src/href/url() to http(s)
// or protocol-relative URLs, except links written in the content (class="ext").
func TestNoExternalRequests(t *testing.T) {
	t.Parallel()
	s, _ := builtStandardSite(t)
	attrRE := regexp.MustCompile(`(?i)<([a-z]+)\b[^>]*?\s(src|href|srcset|action|poster|data)\s*=\s*"(?:https?:)?//[^"]*"[^>]*>`)
	styleRE := regexp.MustCompile(`(?is)<style\b.*?</style>|\sstyle="[^"]*"`)
	cssRE := regexp.MustCompile(`(?i)(url\(\s*['"]?(https?:)?//|@import\s+['"]?(https?:)?//)`)
	checked := 0
	err := filepath.WalkDir(filepath.Join(s.dir, "public"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		doc := string(b)
		rel, _ := filepath.Rel(s.dir, p)
		switch filepath.Ext(p) {
		case ".html":
			checked++
			for _, m := range attrRE.FindAllString(doc, -1) {
				if strings.HasPrefix(strings.ToLower(m), "<a ") && strings.Contains(m, `class="ext"`) {
					continue // a link the author wrote in the content
				}
				t.Errorf("%s references another host: %s", rel, m)
			}
			// Inline CSS only: output text in <pre> may legitimately say url(http…).
			for _, m := range styleRE.FindAllString(doc, -1) {
				if cssRE.MatchString(m) {
					t.Errorf("%s has inline CSS loading from another host: %s", rel, m)
				}
			}
		case ".css", ".js":
			if filepath.Base(p) == "search-index.js" {
				// The search index: the pages' text as data, which may quote a
				// URL. It loads nothing (TestBrowser watches the requests).
				break
			}
			if cssRE.MatchString(doc) || regexp.MustCompile(`(?i)https?://`).MatchString(doc) {
				t.Errorf("%s mentions a remote URL", rel)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 5 {
		t.Fatalf("only %d HTML files checked", checked)
	}
	// The content link is there, marked external, so the filter above was exercised.
	assertContains(t, "page", s.read("lab/first/index.html"),
		`<a href="https://example.org/nginx/" class="ext" rel="external noopener">`,
		// A link whose text is its URL: print.css does not print the URL again.
		`<a href="https://example.org/bare/" class="ext" rel="external noopener" data-bare>https://example.org/bare/</a>`)
}

// The print handout renders the whole course: cover, contents, numbered steps,
// folded output opened; pages for authors are left out; the pages with a
// print version link their PDF.
func TestPrintHandout(t *testing.T) {
	t.Parallel()
	s := standardSite(t)
	// Written for authors: a section (its pages by cascade) and one page.
	s.write("content/guide/_index.md", "---\ntitle: Guide\nweight: 90\ncascade:\n  - params:\n      audience: authors\n---\n\nFor authors.\n")
	s.write("content/guide/blocks/index.md", "---\ntitle: Writing blocks\n---\n\nHow.\n")
	s.write("content/about/notes/index.md", "---\ntitle: Notes\naudience: authors\n---\n\nNotes.\n")
	s.mustBuild()
	doc := s.read("print.html")
	assertContains(t, "print.html", doc,
		`<section class="cover">`,
		`<nav class="print-toc"`,
		`<article class="print-page is-step" id="p-lab-first">`,
		`<h1>Step 1: First step</h1>`,
		`<h1>Step 2: Second step</h1>`,
		`<details class="out-more" open>`,
		`<span class="term-label">Terminal 2</span>`,
		"Output captured on 26 November 2026",
	)
	if strings.Contains(doc, `<details class="out-more">`) {
		t.Error("print.html has folded output")
	}
	if strings.Contains(doc, `id="p-about-status"`) {
		t.Error("the status page (handout: false) is in the handout")
	}
	for _, id := range []string{"p-guide", "p-guide-blocks", "p-about-notes"} {
		if strings.Contains(doc, `id="`+id+`"`) || strings.Contains(doc, `href="#`+id+`"`) {
			t.Errorf("%s (audience: authors) is in the handout", id)
		}
	}
	assertContains(t, "guide/blocks/index.html", s.read("guide/blocks/index.html"), "<h1>Writing blocks</h1>")
	// No published address by default: the printer turns links to the site into text.
	if strings.Contains(doc, "data-published-url") {
		t.Error("print.html names a published address, but params.publishedURL is empty")
	}
	// Each page with a print version links its PDF, relative to itself.
	for page, href := range map[string]string{"index.html": "./handout.pdf", "lab/index.html": "../lab/handout.pdf", "lab/first/index.html": "../../lab/first/handout.pdf"} {
		assertContains(t, page, s.read(page), `<a href="`+href+`" type="application/pdf">Download the handout (PDF)</a>`)
	}
	if strings.Contains(s.read("concepts/containers/index.html"), "handout.pdf") {
		t.Error("a page without a print version links a handout")
	}
	// Concepts come before the lab (params.sections order).
	if strings.Index(doc, `id="p-concepts"`) > strings.Index(doc, `id="p-lab"`) {
		t.Error("sections are not in params.sections order")
	}
	// A link to a page of the same document stays inside the document,
	// fragment included; ids are unique though two pages have a "Build it".
	assertContains(t, "print.html", doc, `<a href="#p-lab-second">the next step</a>`,
		`<a href="#p-lab-first--build-it">builds one</a>`, `<h2 id="p-lab-first--build-it">`,
		`<h2 id="p-concepts-containers--build-it">`, `<a class="anchor" href="#p-concepts-containers--build-it"`)
	ids := map[string]bool{}
	for _, m := range regexp.MustCompile(`\sid="([^"]+)"`).FindAllStringSubmatch(doc, -1) {
		if ids[m[1]] {
			t.Errorf("print.html: id %q appears twice", m[1])
		}
		ids[m[1]] = true
	}
	for _, m := range regexp.MustCompile(`href="#([^"]*)"`).FindAllStringSubmatch(doc, -1) {
		if !ids[m[1]] {
			t.Errorf("print.html: link to #%s, which no element has", m[1])
		}
	}
	lab := s.read("lab/print.html")
	assertContains(t, "lab/print.html", lab, `<h1>Step 1: First step</h1>`)
	if strings.Contains(lab, `id="p-concepts"`) {
		t.Error("lab handout contains other sections")
	}

	// params.publishedURL goes to the printer (tools/internal/handout) on <body>.
	s.write("published.toml", "[params]\npublishedURL = \"https://docs.example.org/course/\"\n")
	s.mustBuild("--config", "config.toml,published.toml")
	assertContains(t, "print.html", s.read("print.html"), `<body class="print-doc" data-published-url="https://docs.example.org/course/">`)
}

// An HTML file in a page bundle (a page nginx serves in a lab step) is a
// file to download, not a page: content is Markdown only.
func TestBundleHTMLFileIsPublishedAsIs(t *testing.T) {
	t.Parallel()
	s := standardSite(t)
	const page = "<!DOCTYPE html>\n<html><body><h1>Served from my folder</h1></body></html>\n"
	s.write("content/lab/first/site/index.html", page)
	s.mustBuild("--panicOnWarning")
	if got := s.read("lab/first/site/index.html"); got != page {
		t.Errorf("the bundle's site/index.html was published as %q", got)
	}
}

// Two blocks with the same text, run in other terminals and containers,
// each show their own terminal, container and run number: a block's record
// is the one at its place, not the first with its text.
func TestIdenticalBlocksKeepTheirOwnHeaders(t *testing.T) {
	t.Parallel()
	s := standardSite(t)
	same := "# hostname -s\nbox"
	p := page{
		path: "content/lab/twins/index.md", title: "Twins", weight: 3,
		parts: []any{
			block{info: `console {term="1"}`, body: "$ docker ps -q"},
			block{info: `console {term="2"}`, body: same, rec: map[string]any{"inside": "one"}},
			block{info: `console {term="3"}`, body: same, rec: map[string]any{"inside": "two"}},
			block{info: `console {term="2"}`, body: same, rec: map[string]any{"inside": "one"}},
		},
	}
	s.addPage(p, true)
	s.mustBuild()
	doc := s.read("lab/twins/index.html")
	figs := regexp.MustCompile(`(?s)<figure[^>]*data-term="([^"]*)".*?</figcaption>`).FindAllStringSubmatch(doc, -1)
	type head struct{ term, inside, seq string }
	var got []head
	for _, f := range figs {
		h := head{term: f[1]}
		if m := regexp.MustCompile(`term-inside">inside <code>([^<]*)</code>`).FindStringSubmatch(f[0]); m != nil {
			h.inside = m[1]
		}
		if m := regexp.MustCompile(`term-seq"[^>]*>(?:<span[^>]*>[^<]*</span>)?(\d+)</span>`).FindStringSubmatch(f[0]); m != nil {
			h.seq = m[1]
		}
		got = append(got, h)
	}
	want := []head{{"1", "", "1"}, {"2", "one", "2"}, {"3", "two", "3"}, {"2", "one", "4"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("block headers (terminal, inside, run) = %v, want %v", got, want)
	}
}

// An exercise's answer (answer="N") is folded: the block sits in a closed
// <details> whose summary names the exercise; other blocks are not.
func TestAnswerIsFolded(t *testing.T) {
	t.Parallel()
	s := standardSite(t)
	p := page{
		path: "content/lab/quiz/index.md", title: "Quiz", weight: 4,
		parts: []any{
			"## Exercises\n\n1. Print hello.",
			block{info: `console {term="1" answer="1"}`, body: "$ echo hello\nhello"},
			// An answer in two blocks: one heading, one pointer.
			block{info: `console {term="1" answer="1"}`, body: "$ echo again\nagain"},
			block{info: `console {term="1"}`, body: "$ echo open\nopen"},
			"2. Count to twenty.",
			// Long output is folded inside the answer's own fold.
			block{info: `console {term="1" answer="2"}`, body: "$ seq 1 20\n" + seq(1, 20)},
		},
	}
	s.addPage(p, true)
	s.mustBuild()
	doc := s.read("lab/quiz/index.html")
	folded := regexp.MustCompile(`(?s)<details class="answer" data-exercise="1"><summary>Answer to exercise 1</summary>\s*<figure[^>]*class="term[^"]*"[^>]*>.*?echo.*?hello.*?</figure>\s*</details>`)
	if !folded.MatchString(doc) {
		t.Errorf("the answer block is not folded in its details:\n%s", doc)
	}
	if strings.Count(doc, `class="answer"`) != 3 {
		t.Errorf("want three folded answer blocks, got %d", strings.Count(doc, `class="answer"`))
	}
	// On paper the answer is not folded away: the step's text points to
	// it, and it is printed, unfolded, at the end of the handout.
	for _, printed := range []string{"lab/quiz/print.html", "lab/print.html"} {
		doc := s.read(printed)
		if strings.Contains(doc, `<details class="answer"`) {
			t.Errorf("%s: the answer is still folded", printed)
		}
		ref := strings.Index(doc, `<p class="answer-ref">Answer to exercise 1: <a href="#p-lab-quiz--answer-1">`)
		end := strings.Index(doc, `id="print-answers"`)
		ans := regexp.MustCompile(`(?s)<h3 id="p-lab-quiz--answer-1">Exercise 1</h3>\s*<div class="print-answer">\s*<figure.*?echo.*?hello.*?</figure>\s*</div>`).FindStringIndex(doc)
		switch {
		case ref < 0:
			t.Errorf("%s: the page does not point to its answer", printed)
		case end < 0 || ans == nil:
			t.Errorf("%s: no answers at the end", printed)
		case !(ref < end && end < ans[0]):
			t.Errorf("%s: the answer is not after the pages (ref %d, answers %d, answer %d)", printed, ref, end, ans[0])
		}
		long := regexp.MustCompile(`(?s)<h3 id="p-lab-quiz--answer-2">Exercise 2</h3>\s*<div class="print-answer">\s*<figure.*?<details class="out-more" open>.*?\b11\b.*?</details>.*?\b20\b.*?</figure>\s*</div>`)
		if !long.MatchString(doc) {
			t.Errorf("%s: the answer with folded output is not whole at the end", printed)
		}
		if n, m := strings.Count(doc, `id="p-lab-quiz--answer-1"`), strings.Count(doc, `href="#p-lab-quiz--answer-1"`); n != 1 || m != 1 {
			t.Errorf("%s: exercise 1's two blocks give %d headings and %d pointers, want one of each", printed, n, m)
		}
		if !regexp.MustCompile(`(?s)</h3>\s*<div class="print-answer">.*?echo.*?hello.*?</div>\s*<div class="print-answer">.*?echo.*?again`).MatchString(doc) {
			t.Errorf("%s: exercise 1's second block is not printed with it", printed)
		}
		if !strings.Contains(doc, `href="#print-answers">Answers to the exercises</a>`) {
			t.Errorf("%s: the contents do not list the answers", printed)
		}
	}
}

// needs= shows what a block asks of the reader's machine as badges whose
// title says why; a block without it has none.
func TestNeedsBadges(t *testing.T) {
	t.Parallel()
	s := standardSite(t)
	p := page{
		path: "content/lab/host/index.md", title: "Host", weight: 5,
		parts: []any{
			block{info: `console {term="1" needs="root linux"}`, body: "$ ls /var/lib/docker/volumes"},
			block{info: `console {term="1"}`, body: "$ docker ps -q"},
		},
	}
	s.addPage(p, true)
	s.mustBuild()
	doc := s.read("lab/host/index.html")
	figs := regexp.MustCompile(`(?s)<figure.*?</figcaption>`).FindAllString(doc, -1)
	if len(figs) != 2 {
		t.Fatalf("%d console blocks, want 2", len(figs))
	}
	for _, want := range []string{`<span class="term-needs" title="Run as root`, `>needs root</span>`, `title="Reads the host directly`, `>Linux only</span>`} {
		if !strings.Contains(figs[0], want) {
			t.Errorf("first block's header lacks %q:\n%s", want, figs[0])
		}
	}
	if strings.Contains(figs[1], "term-needs") {
		t.Errorf("a block without needs= shows a badge:\n%s", figs[1])
	}
}
