package atomicfile

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
)

// WriteJSON writes v as JSON to path as Write does (mode 0644, parent
// folders made): indented by two spaces, map keys sorted and <, > and &
// left as they are, so that equal values give byte-equal files that read
// well in a diff.
func WriteJSON(path string, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return Write(path, b.Bytes(), 0o644)
}
