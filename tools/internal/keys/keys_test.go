package keys

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// The site shows the label the record carries (record.Key, from All):
// the template must not keep a list of its own.
func TestTemplateHasNoLabels(t *testing.T) {
	src, err := os.ReadFile("../../../layouts/_partials/codeblock/console.html")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(src), `<kbd class="key">{{ $key.label }}</kbd>`) {
		t.Error(`console.html does not show the recorded label: <kbd class="key">{{ $key.label }}</kbd>`)
	}
	for _, k := range All {
		if strings.Contains(string(src), strconv.Quote(k.Name)) || strings.Contains(string(src), strconv.Quote(k.Label)) {
			t.Errorf("console.html names the key %s itself; it takes the label from labrun.json", k.Name)
		}
	}
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
