// Package site tests the Hugo site layer (config.toml, layouts/, static/) by
// building small fixture sites with the real `go tool hugo` in temp dirs.
//
// The fixtures are written by the tests themselves, so the block texts, the
// hashes in their labrun.json and the expected line numbers all come from one
// place. Run with: go test ./tools/internal/site
package site

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labdocs/dockerlab/tools/internal/blocks"
	"github.com/labdocs/dockerlab/tools/internal/record"
)

// ---- Hugo and the repository ------------------------------------------------

var (
	rootOnce sync.Once
	rootDir  string
	rootErr  error

	hugoOnce sync.Once
	hugoBin  string
	hugoErr  error
)

// repoRoot is the directory holding config.toml, layouts/ and go.mod.
func repoRoot(t *testing.T) string {
	t.Helper()
	rootOnce.Do(func() {
		dir, err := os.Getwd()
		if err != nil {
			rootErr = err
			return
		}
		for {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				if _, err := os.Stat(filepath.Join(dir, "config.toml")); err == nil {
					rootDir = dir
					return
				}
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				rootErr = os.ErrNotExist
				return
			}
			dir = parent
		}
	})
	if rootErr != nil {
		t.Fatalf("cannot find the repository root (go.mod + config.toml): %v", rootErr)
	}
	return rootDir
}

// hugo returns the path of the Hugo binary pinned in go.mod (`go tool hugo`),
// resolved once so each build does not pay for `go tool`'s start-up.
func hugo(t *testing.T) string {
	t.Helper()
	root := repoRoot(t)
	hugoOnce.Do(func() {
		cmd := exec.Command("go", "tool", "-n", "hugo")
		cmd.Dir = root
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			hugoErr = err
			hugoBin = stderr.String()
			return
		}
		hugoBin = strings.TrimSpace(string(out))
	})
	if hugoErr != nil {
		t.Fatalf("go tool -n hugo: %v\n%s", hugoErr, hugoBin)
	}
	return hugoBin
}

// ---- Fixture sites ----------------------------------------------------------------

// site is a fixture site in a temp dir: the real config, layouts and static
// files, plus content written by the test.
type site struct {
	t   *testing.T
	dir string
}

func newSite(t *testing.T) *site {
	t.Helper()
	return newSiteIn(t, t.TempDir())
}

// newSiteIn is newSite in dir.
func newSiteIn(t *testing.T, dir string) *site {
	t.Helper()
	root := repoRoot(t)
	copyFile(t, filepath.Join(root, "config.toml"), filepath.Join(dir, "config.toml"))
	copyTree(t, filepath.Join(root, "layouts"), filepath.Join(dir, "layouts"))
	copyTree(t, filepath.Join(root, "static"), filepath.Join(dir, "static"))
	return &site{t: t, dir: dir}
}

func (s *site) write(rel, content string) {
	s.t.Helper()
	p := filepath.Join(s.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		s.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		s.t.Fatal(err)
	}
}

func (s *site) remove(rel string) {
	s.t.Helper()
	if err := os.Remove(filepath.Join(s.dir, filepath.FromSlash(rel))); err != nil {
		s.t.Fatal(err)
	}
}

// build runs Hugo on the fixture and returns its combined output.
func (s *site) build(args ...string) (string, error) {
	s.t.Helper()
	all := append([]string{"--source", s.dir, "--destination", filepath.Join(s.dir, "public"), "--noBuildLock"}, args...)
	cmd := exec.Command(hugo(s.t), all...)
	cmd.Dir = s.dir
	cmd.Env = append(os.Environ(), "HUGO_CACHEDIR="+filepath.Join(s.dir, ".cache"))
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (s *site) mustBuild(args ...string) string {
	s.t.Helper()
	out, err := s.build(args...)
	if err != nil {
		s.t.Fatalf("hugo build failed: %v\n%s", err, out)
	}
	return out
}

func (s *site) read(rel string) string {
	s.t.Helper()
	b, err := os.ReadFile(filepath.Join(s.dir, "public", filepath.FromSlash(rel)))
	if err != nil {
		s.t.Fatal(err)
	}
	return string(b)
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		copyFile(t, p, filepath.Join(to, rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// ---- Pages and capture records -------------------------------------------------

// block is one fenced code block of a fixture page.
type block struct {
	info string // after the opening fence, e.g. `console {term="1"}`
	body string // between the fences, without the final newline (= Hugo's .Inner)
	// Capture record; nil for blocks the runner does not record.
	rec map[string]any
}

// page is a fixture page bundle: front matter, prose and blocks, in order.
type page struct {
	path   string // e.g. "content/lab/first/index.md"
	title  string
	weight int
	parts  []any // string (Markdown prose) or block
}

// markdown renders the page and returns it with the 1-based line of each
// block's opening fence, keyed by block body.
func (p page) markdown() (string, map[string]int) {
	var b strings.Builder
	b.WriteString("---\ntitle: " + p.title + "\n")
	if p.weight > 0 {
		b.WriteString("weight: " + strconv.Itoa(p.weight) + "\n")
	}
	b.WriteString("---\n\n")
	lines := map[string]int{}
	for _, part := range p.parts {
		switch v := part.(type) {
		case string:
			b.WriteString(v + "\n\n")
		case block:
			lines[v.body] = strings.Count(b.String(), "\n") + 1
			b.WriteString("```" + v.info + "\n" + v.body + "\n```\n\n")
		}
	}
	return b.String(), lines
}

// labrun builds the labrun.json the runner would write for the page, with
// the runner's own code for the blocks (record.BlocksOf); a block's rec
// gives what only a run knows (the container it typed into).
func (p page) labrun() string {
	md, _ := p.markdown()
	pg, _ := blocks.Parse(p.path, []byte(md)) // an illustration block is an error, and left out
	ran := make([]record.Ran, len(pg.Blocks))
	i := 0
	for _, part := range p.parts {
		v, ok := part.(block)
		if !ok || i >= len(ran) || pg.Blocks[i].Text != v.body {
			continue
		}
		if inside, ok := v.rec["inside"].(string); ok {
			ran[i].Inside = inside
		}
		i++
	}
	rec := record.Record{
		Page:       p.path,
		Captured:   time.Date(2026, 11, 26, 18, 0, 0, 0, time.UTC),
		DurationMS: 12345,
		Docker:     record.Versions{Client: "28.2.2", Engine: "20.10.24+dfsg1", API: "1.41", Buildx: "v0.38.2", Compose: "v2.40.3"},
		Images: []record.Image{{Name: "debian:latest", ID: "sha256:" + strings.Repeat("ab", 32),
			Size: 123456789, Origin: "built from tools/images/debian 3f2a"}},
		ImageSet: "bookworm images 3f2a1b2c",
		Blocks:   record.BlocksOf(pg, ran),
	}
	for _, b := range rec.Blocks {
		switch b.Kind {
		case "console":
			rec.Ran++
		case "skipped":
			rec.Skipped++
		}
	}
	b, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		panic(err)
	}
	return string(b) + "\n"
}

// innerHash is the capture key: lowercase hex SHA-256 of the block body as
// Hugo's .Inner sees it (text between the fences, no final newline).
func innerHash(body string) string {
	sum := sha256.Sum256([]byte(body))
	return hex.EncodeToString(sum[:])
}

func (s *site) addPage(p page, withLabrun bool) {
	s.t.Helper()
	md, _ := p.markdown()
	s.write(p.path, md)
	if withLabrun {
		s.write(filepath.ToSlash(filepath.Join(filepath.Dir(p.path), "labrun.json")), p.labrun())
	}
}

// ---- The standard fixture --------------------------------------------------------

const (
	// A command with continuation lines: copied exactly as typed.
	cmdMulti = "docker run -d \\\n  --name web \\\n  -p 7000:80 nginx"
	cmdPS    = "docker ps --format '{{.Names}} {{.Status}}'"
	cmdApt   = "apt-get install -y netcat-openbsd"
)

var (
	consoleMain = block{
		info: `console {term="1" title="Start a web server" exit=0 timeout="90s"}`,
		body: "$ " + cmdMulti + "\n" +
			"3f1c0e9a7b2d\n" +
			"$ " + cmdPS + "\n" +
			"web Up 2 seconds",
		rec: map[string]any{"kind": "console", "term": "1", "inside": ""},
	}
	consoleInside = block{
		info: `console {term="2"}`,
		body: "# " + cmdApt + "\n" +
			"Reading package lists... Done\n" +
			"Setting up netcat-openbsd (1.219-1) ...",
		rec: map[string]any{"kind": "console", "term": "2", "inside": "netcat"},
	}
	consoleLong = block{
		info: `console {term="1" title="Forty lines"}`,
		body: "$ seq 1 40\n" + seq(1, 40),
		rec:  map[string]any{"kind": "console", "term": "1", "inside": ""},
	}
	fileDockerfile = block{
		info: `dockerfile {file="Dockerfile"}`,
		body: "FROM debian:latest\nRUN apt-get update && apt-get install -y netcat-openbsd",
		rec:  map[string]any{"kind": "file"},
	}
	consoleSkipped = block{
		info: `console {term="1" skip="needs a Docker Hub account"}`,
		body: "$ docker push someone/netcat:latest\nThe push refers to repository",
	}
	illustration = block{
		info: "text",
		body: "an illustration, never run",
	}
)

func seq(from, to int) string {
	var lines []string
	for i := from; i <= to; i++ {
		lines = append(lines, strconv.Itoa(i))
	}
	return strings.Join(lines, "\n")
}

var labFirst = page{
	path:   "content/lab/first/index.md",
	title:  "First step",
	weight: 1,
	parts: []any{
		"## Run it\n\nSee [the nginx docs](https://example.org/nginx/) and [the next step](../second/), or <https://example.org/bare/>.",
		consoleMain,
		"## Inside the container",
		consoleInside,
		consoleLong,
		"## Build it",
		fileDockerfile,
		consoleSkipped,
		illustration,
	},
}

var labSecond = page{
	path:   "content/lab/second/index.md",
	title:  "Second step",
	weight: 2,
	parts: []any{"Nothing runs here.", consoleSkipped,
		block{info: `console {skip="shows the default terminal"}`, body: "$ docker version"}},
}

var conceptsPage = page{
	path:   "content/concepts/containers/index.md",
	title:  "Containers",
	weight: 1,
	parts:  []any{"## What\n\nA process.\n\n## Build it\n\nThe lab [builds one](../../lab/first/#build-it).", illustration},
}

// standardSite is a small course: home, two lab steps, a concepts page, the
// about section and the status page.
func standardSite(t *testing.T) *site {
	t.Helper()
	return standardSiteIn(t, t.TempDir())
}

// standardSiteIn is standardSite in dir.
func standardSiteIn(t *testing.T, dir string) *site {
	t.Helper()
	s := newSiteIn(t, dir)
	root := repoRoot(t)
	for _, rel := range []string{"content/_index.md", "content/about/_index.md", "content/about/status/index.md"} {
		copyFile(t, filepath.Join(root, rel), filepath.Join(s.dir, rel))
	}
	s.write("content/lab/_index.md", "---\ntitle: Lab\nweight: 20\nordered: true\n---\n\nThe steps.\n")
	s.write("content/concepts/_index.md", "---\ntitle: Concepts\nweight: 10\n---\n")
	s.addPage(labFirst, true)
	s.write("content/lab/first/Dockerfile", fileDockerfile.body+"\n")
	s.addPage(labSecond, true)
	s.addPage(conceptsPage, false)
	return s
}

// The standard fixture as it is, built once for the tests that only read
// it (TestCapturedPageBuilds, TestBuildHasNoWarnings, ...), in a folder of
// the test binary's that TestMain removes; a test that changes the
// fixture makes its own with standardSite.
var (
	builtOnce sync.Once
	builtDir  string
	builtOut  string
	builtErr  error
)

// builtStandardSite returns the standard fixture built as make site builds
// (--panicOnWarning --printPathWarnings), for t to read, and Hugo's output.
func builtStandardSite(t *testing.T) (*site, string) {
	t.Helper()
	builtOnce.Do(func() {
		builtErr = errors.New("making the standard fixture failed in the first test that built it")
		dir, err := os.MkdirTemp("", "labdocs-fixture-")
		if err != nil {
			builtErr = err
			return
		}
		builtDir = dir
		// The first test's t makes the fixture: a copy that fails fails it.
		s := standardSiteIn(t, dir)
		if builtOut, err = s.build("--panicOnWarning", "--printPathWarnings"); err != nil {
			builtErr = fmt.Errorf("hugo build failed: %v\n%s", err, builtOut)
			return
		}
		builtErr = nil
	})
	if builtErr != nil {
		t.Fatal(builtErr)
	}
	return &site{t: t, dir: builtDir}, builtOut
}

// removeBuiltStandardSite removes the shared fixture, if a test made it.
func removeBuiltStandardSite() {
	if builtDir != "" {
		os.RemoveAll(builtDir)
	}
}

// ---- Helpers on built HTML ----------------------------------------------------------

var dataCopyRE = regexp.MustCompile(`data-copy="([^"]*)"`)

// copyTexts returns the decoded data-copy attributes of an HTML document.
func copyTexts(doc string) []string {
	var out []string
	for _, m := range dataCopyRE.FindAllStringSubmatch(doc, -1) {
		out = append(out, html.UnescapeString(m[1]))
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func assertContains(t *testing.T, what, doc string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(doc, w) {
			t.Errorf("%s does not contain %q", what, w)
		}
	}
}
