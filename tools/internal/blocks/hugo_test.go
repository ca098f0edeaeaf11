package blocks

import (
	"cmp"
	"crypto/sha256"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pelletier/go-toml/v2"
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

// siteConfigFile is the lab site's own configuration: the agreement is
// checked with its markup settings, the ones labrun parses pages with.
const siteConfigFile = "../../../config.toml"

// TestHugoAgreement checks that ParseWith, given the site's markup
// settings, finds the blocks Hugo renders with those settings, on the
// lines Hugo reports, and that Block.Hash equals the sha256 of Hugo's
// .Inner. The first line of testdata/hugo/blocks.golden is the site's
// [markup] table it was made with; each further line is what Hugo's code
// block hook (testdata/hugo/layouts/_markup) printed for one block of
// testdata/corpus. Regenerate it with
//
//	go test -run TestHugoAgreement -hugo -update
//
// which builds the corpus with the Hugo in go.mod (a tool dependency)
// and the site's [markup] table.
func TestHugoAgreement(t *testing.T) {
	table, stamp := siteMarkupTable(t)
	var hugo []string
	if *runHugo {
		hugo = renderWithHugo(t, table)
		if *update {
			data := stamp + "\n" + strings.Join(hugo, "\n") + "\n"
			if err := os.WriteFile("testdata/hugo/blocks.golden", []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	} else {
		data, err := os.ReadFile("testdata/hugo/blocks.golden")
		if err != nil {
			t.Fatal(err)
		}
		first, rest, _ := strings.Cut(string(data), "\n")
		if first != stamp {
			t.Fatalf("testdata/hugo/blocks.golden was made with other markup settings than %s's (%q, now %q): run go test -run TestHugoAgreement -hugo -update", siteConfigFile, first, stamp)
		}
		hugo = strings.Split(strings.TrimSuffix(rest, "\n"), "\n")
	}

	m, err := SiteMarkup(siteConfigFile)
	if err != nil {
		t.Fatal(err)
	}
	var ours []string
	for name, src := range corpus(t) {
		p, err := ParseWith(m, name, src)
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

// siteMarkupTable returns the [markup] table of the site's config.toml,
// as TOML, and a one-line stamp of it for the golden file.
func siteMarkupTable(t *testing.T) (table []byte, stamp string) {
	src, err := os.ReadFile(siteConfigFile)
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := toml.Unmarshal(src, &cfg); err != nil {
		t.Fatal(err)
	}
	table, err = toml.Marshal(map[string]any{"markup": cfg["markup"]})
	if err != nil {
		t.Fatal(err)
	}
	return table, fmt.Sprintf("# made with config.toml's [markup], sha256 %x", sha256.Sum256(table))
}

// renderWithHugo builds testdata/hugo over testdata/corpus, with the
// site's [markup] table added to its configuration, and returns one
// "page:line type=… hash=…" line per rendered block.
func renderWithHugo(t *testing.T, markup []byte) []string {
	corpus, err := filepath.Abs("testdata/corpus")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	base, err := os.ReadFile("testdata/hugo/hugo.toml")
	if err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(tmp, "hugo.toml")
	if err := os.WriteFile(config, append(append(base, '\n'), markup...), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "tool", "hugo", "--quiet", "--noBuildLock",
		"--source", "testdata/hugo", "--config", config, "--contentDir", corpus,
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
