package run

import (
	"context"
	"testing"

	"github.com/labdocs/dockerlab/tools/internal/blocks"
)

// Every console attribute blocks marks Ready, Bound or Interaction has
// its honour here, of its kind, and nothing else has one.
func TestHonours(t *testing.T) {
	declared := map[string]bool{}
	for _, a := range blocks.ConsoleAttrs() {
		declared[a.Name] = true
		h, ok := honours[a.Name]
		var fits bool
		switch a.Kind {
		case blocks.Setting:
			fits = !ok
		case blocks.Ready:
			fits = (h.screen != nil) != (h.await != nil) && h.interact == nil
		case blocks.Bound:
			fits = h.screen == nil && h.await != nil && h.interact == nil
		case blocks.Interaction:
			fits = h.screen == nil && h.await == nil && h.interact != nil
		}
		if !fits {
			t.Errorf("%s (kind %d): honour %+v does not fit its kind", a.Name, a.Kind, h)
		}
	}
	for name := range honours {
		if !declared[name] {
			t.Errorf("honour %s: blocks declares no such console attribute", name)
		}
	}
}

func block(t *testing.T, attrs string) *blocks.Block {
	t.Helper()
	p, err := blocks.Parse("p.md", []byte("```console {"+attrs+"}\n$ a\n```\n"))
	if err != nil {
		t.Fatal(err)
	}
	return p.Blocks[0]
}

// A block with any one readiness or streaming attribute leaves its last
// command running (what was a seven-way condition in console); settings
// and interactions alone do not.
func TestKeepsRunning(t *testing.T) {
	keeps := map[string]string{
		"wait": `wait="ready"`, "port": "port=8080", "healthy": "healthy=db", "settle": `settle="2s"`,
		"until": `until="done"`, "lines": "lines=3", "for": `for="5s"`,
	}
	for _, a := range blocks.ConsoleAttrs() {
		if _, ok := keeps[a.Name]; !ok && (a.Kind == blocks.Ready || a.Kind == blocks.Bound) {
			t.Errorf("%s (kind %d) keeps its command running: add it to this test", a.Name, a.Kind)
		}
	}
	for name, attr := range keeps {
		if !keepsRunning(block(t, attr)) {
			t.Errorf("%s: the last command is not left running", name)
		}
	}
	for _, attrs := range []string{"", `term=web exit=1 timeout="1m" redact="x" shell="open" title="T"`,
		`input="hi" keys="ctrl-c"`, `input=""`} {
		if keepsRunning(block(t, attrs)) {
			t.Errorf("{%s}: the last command is left running", attrs)
		}
	}
}

// wait= is checked on the screen; the other Ready attributes pass there
// and are waited for after the start.
func TestReadyScreen(t *testing.T) {
	r := &runner{}
	ctx := context.Background()
	check := r.ready(block(t, `wait="ready" port=8080`))
	for _, c := range []struct {
		lines []string
		want  bool
	}{{[]string{"starting"}, false}, {[]string{"starting", "ready"}, true}} {
		if got, _ := check(ctx, c.lines); got != c.want {
			t.Errorf("wait: ready(%q) = %v, want %v", c.lines, got, c.want)
		}
	}
	if got, _ := r.ready(block(t, "port=8080"))(ctx, []string{"starting"}); !got {
		t.Error("port: the screen check must pass at once")
	}
}
