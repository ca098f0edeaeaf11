package keys

import (
	"os"
	"regexp"
	"slices"
	"strconv"
	"testing"
)

// The site's template names every key with its label; it must say what
// All says, no more and no less.
func TestTemplateLabels(t *testing.T) {
	src, err := os.ReadFile("../../../layouts/_partials/codeblock/console.html")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`class="key">\{\{ index \(dict ((?:"[^"]*" ?)*)\) \$key`).FindSubmatch(src)
	if m == nil {
		t.Fatal(`console.html: no <kbd class="key">{{ index (dict "name" "Label" …) $key`)
	}
	var words []string
	for _, q := range regexp.MustCompile(`"[^"]*"`).FindAllString(string(m[1]), -1) {
		w, err := strconv.Unquote(q)
		if err != nil {
			t.Fatal(err)
		}
		words = append(words, w)
	}
	var want []string
	for _, k := range All {
		want = append(want, k.Name, k.Label)
	}
	if !slices.Equal(words, want) {
		t.Errorf("console.html labels the keys\n%s\nthe Go list (keys.All) says\n%s", fmtWords(words), fmtWords(want))
	}
}

func fmtWords(ws []string) string {
	s := ""
	for i := 0; i+1 < len(ws); i += 2 {
		s += ws[i] + " → " + ws[i+1] + "\n"
	}
	if len(ws)%2 == 1 {
		s += ws[len(ws)-1] + " (no label)\n"
	}
	return s
}

func TestFind(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range All {
		if seen[k.Name] || k.Bytes == "" || k.Label == "" {
			t.Errorf("key %+v: names must be unique, bytes and label given", k)
		}
		seen[k.Name] = true
		if got, ok := Find(k.Name); !ok || got != k {
			t.Errorf("Find(%q) = %+v, %v", k.Name, got, ok)
		}
	}
	if _, ok := Find("ctrl-x"); ok {
		t.Error("Find(ctrl-x) found a key")
	}
}
