package blocks

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/goccy/go-yaml"
	"github.com/pelletier/go-toml/v2"
)

// FrontMatter decodes a page's front matter (YAML, TOML or JSON, found as
// Hugo finds it); a page without front matter has none (nil, nil). Keys
// are as written: Hugo lower-cases them, so look them up in lower case
// and write them so.
func FrontMatter(src []byte) (map[string]any, error) {
	end, err := contentStart(src)
	if err != nil {
		return nil, err
	}
	fm := bytes.TrimLeft(src[:end], "\uFEFF \t\r\n")
	out := map[string]any{}
	switch {
	case len(fm) == 0:
		return nil, nil
	case bytes.HasPrefix(fm, []byte("---")):
		err = yaml.Unmarshal(between(fm, "---"), &out)
	case bytes.HasPrefix(fm, []byte("+++")):
		err = toml.Unmarshal(between(fm, "+++"), &out)
	case fm[0] == '{':
		err = json.Unmarshal(fm, &out)
	default:
		return nil, nil // Org-mode front matter: not used here
	}
	if err != nil {
		return nil, fmt.Errorf("front matter: %w", err)
	}
	return out, nil
}

// between is what lies between the opening and the closing delim line.
func between(fm []byte, delim string) []byte {
	body := fm[len(delim):]
	if i := bytes.LastIndex(body, []byte(delim)); i >= 0 {
		body = body[:i]
	}
	return body
}
