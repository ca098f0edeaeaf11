package blocks

import (
	"cmp"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var (
	runHugo = flag.Bool("hugo", false, "render testdata/corpus with `go tool hugo` instead of reading testdata/hugo/blocks.golden")
	update  = flag.Bool("update", false, "with -hugo, rewrite testdata/hugo/blocks.golden")
)

// inShortcode lists the blocks inside a shortcode's body. Hugo renders
// those apart from the page, so it reports their line from the start of
// the shortcode's body (or its own), not the page's; only the lines
// differ.
var inShortcode = map[string]bool{
	"install-docker.md:14": true,
	"install-docker.md:57": true,
}

// TestHugoAgreement checks that Parse finds the blocks Hugo renders,
// on the lines Hugo reports, and that Block.Hash equals the sha256 of
// Hugo's .Inner. Each line of testdata/hugo/blocks.golden is what
// Hugo's code block hook (testdata/hugo/layouts/_markup) printed for
// one block of testdata/corpus; regenerate it with
//
//	go test -run TestHugoAgreement -hugo -update
//
// which builds the site with the Hugo in go.mod (a tool dependency).
func TestHugoAgreement(t *testing.T) {
	var hugo []string
	if *runHugo {
		hugo = renderWithHugo(t)
		if *update {
			data := strings.Join(hugo, "\n") + "\n"
			if err := os.WriteFile("testdata/hugo/blocks.golden", []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	} else {
		data, err := os.ReadFile("testdata/hugo/blocks.golden")
		if err != nil {
			t.Fatal(err)
		}
		hugo = strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	}

	var ours []string
	for name, src := range corpus(t) {
		p, err := Parse(name, src)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range p.Blocks {
			ours = append(ours, fmt.Sprintf("%s:%d type=%s hash=%s", name, b.Line, b.Lang, b.Hash()))
		}
	}

	// Match blocks by page, type and hash; then compare lines.
	unmatched := slices.Clone(hugo)
	for _, o := range ours {
		opos, orest, _ := strings.Cut(o, " ")
		page, _, _ := strings.Cut(opos, ":")
		i := slices.IndexFunc(unmatched, func(h string) bool {
			hpos, hrest, _ := strings.Cut(h, " ")
			return strings.HasPrefix(hpos, page+":") && hrest == orest
		})
		if i < 0 {
			t.Errorf("Hugo has no block like ours: %s", o)
			continue
		}
		if hpos, _, _ := strings.Cut(unmatched[i], " "); hpos != opos && !inShortcode[opos] {
			t.Errorf("Hugo: %s\nours: %s", unmatched[i], o)
		}
		unmatched = slices.Delete(unmatched, i, i+1)
	}
	for _, h := range unmatched {
		t.Errorf("Parse missed a block Hugo rendered: %s", h)
	}
}

// sortBlocks orders "page:line ..." lines by page, then line number.
func sortBlocks(lines []string) {
	slices.SortStableFunc(lines, func(a, b string) int {
		var pa, pb string
		var la, lb int
		fmt.Sscanf(strings.Replace(a, ":", " ", 1), "%s %d", &pa, &la)
		fmt.Sscanf(strings.Replace(b, ":", " ", 1), "%s %d", &pb, &lb)
		return cmp.Or(cmp.Compare(pa, pb), cmp.Compare(la, lb))
	})
}

var hookLine = regexp.MustCompile(`BLOCK line=(\d+) type=(\S*) hash=([0-9a-f]+)`)

// renderWithHugo builds testdata/hugo over testdata/corpus and returns
// one "page:line type=… hash=…" line per rendered block.
func renderWithHugo(t *testing.T) []string {
	corpus, err := filepath.Abs("testdata/corpus")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	cmd := exec.Command("go", "tool", "hugo", "--quiet", "--noBuildLock",
		"--source", "testdata/hugo", "--contentDir", corpus,
		"--destination", filepath.Join(tmp, "public"), "--cacheDir", filepath.Join(tmp, "cache"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", cmd, err, out)
	}
	var lines []string
	pages, _ := filepath.Glob(filepath.Join(tmp, "public", "*", "index.html"))
	for _, page := range pages {
		html, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(filepath.Dir(page)) + ".md"
		for _, m := range hookLine.FindAllStringSubmatch(string(html), -1) {
			lines = append(lines, fmt.Sprintf("%s:%s type=%s hash=%s", name, m[1], m[2], m[3]))
		}
	}
	sortBlocks(lines)
	return lines
}
