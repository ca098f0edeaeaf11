package blocks

import (
	"os"
	"path/filepath"
	"testing"
)

// corpus returns the pages under testdata/corpus.
func corpus(t testing.TB) map[string][]byte {
	t.Helper()
	paths, err := filepath.Glob("testdata/corpus/*.md")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	pages := map[string][]byte{}
	for _, path := range paths {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		pages[filepath.Base(path)] = src
	}
	return pages
}

// TestCorpus round-trips every corpus page, then rewrites every console
// block with new outputs: more lines, fewer, blank and indented ones.
func TestCorpus(t *testing.T) {
	for name, src := range corpus(t) {
		t.Run(name, func(t *testing.T) {
			p, err := Parse(name, src)
			if err != nil {
				t.Fatal(err)
			}
			checkRoundTrip(t, p)
			for variant := range 3 {
				outputs := map[*Block]Output{}
				for i, b := range p.Blocks {
					if b.Kind != Console {
						continue
					}
					o := Output{Leading: newLines(i, variant, len(b.Leading))}
					for j, c := range b.Commands {
						lines := newLines(i+j, variant, len(c.Output))
						if j == len(b.Commands)-1 && continues(c.Text) {
							lines = nil
						}
						o.Commands = append(o.Commands, lines)
					}
					outputs[b] = o
				}
				checkRewrite(t, p, outputs)
			}
		})
	}
}

// newLines makes up n±1 output lines.
func newLines(seed, variant, n int) []string {
	samples := []string{"new output", "", "  indented", "\ttabbed", "ünï ✓", " ", "a | b", "> quoted", "- dash", "1. one"}
	switch variant {
	case 1:
		n++
	case 2:
		n = max(0, n-1)
	}
	var out []string
	for k := range n {
		out = append(out, samples[(seed+k+variant)%len(samples)])
	}
	return out
}

func TestCorpusSize(t *testing.T) {
	pages := corpus(t)
	blocks := 0
	for name, src := range pages {
		p, err := Parse(name, src)
		if err != nil {
			t.Fatal(err)
		}
		blocks += len(p.Blocks)
	}
	if len(pages) < 10 || blocks < 50 {
		t.Errorf("corpus has %d pages and %d blocks", len(pages), blocks)
	}
}

// TestConcurrentParse: the runner may parse pages in parallel, sharing
// one goldmark parser (go test -race).
func TestConcurrentParse(t *testing.T) {
	pages := corpus(t)
	done := make(chan error)
	for range 4 {
		go func() {
			for name, src := range pages {
				if _, err := Parse(name, src); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
