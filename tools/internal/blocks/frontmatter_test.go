package blocks

import "testing"

func TestFrontMatterDecoded(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		key       string
		want      any
	}{
		{"yaml", "---\ntitle: Lab\nordered: true\nweight: 20\n---\n\nText.\n", "ordered", true},
		{"yaml crlf", "---\r\ntitle: Lab\r\nweight: 3\r\n---\r\n", "weight", uint64(3)},
		{"toml", "+++\ntitle = \"Lab\"\nordered = true\n+++\n", "ordered", true},
		{"json", "{\"title\": \"Lab\", \"weight\": 2}\n\nText.\n", "weight", float64(2)},
		{"none", "Just text.\n", "title", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fm, err := FrontMatter([]byte(tc.src))
			if err != nil {
				t.Fatal(err)
			}
			if got := fm[tc.key]; got != tc.want {
				t.Errorf("%s = %#v (%T), want %#v (%T)", tc.key, got, got, tc.want, tc.want)
			}
		})
	}
	if _, err := FrontMatter([]byte("---\ntitle: [unclosed\n---\n")); err == nil {
		t.Error("broken YAML front matter: no error")
	}
}
