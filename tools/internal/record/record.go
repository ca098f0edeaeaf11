// Package record is what a capture leaves beside each page: labrun.json in
// the page bundle. The site reads it to show provenance and to refuse a
// block that changed since capture (its hash is missing); the runner reads
// it to skip unchanged pages and to tell what changed in the environment.
package record

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/labdocs/dockerlab/tools/internal/atomicfile"
	"github.com/labdocs/dockerlab/tools/internal/hostfacts"
)

// FileName is the record's name inside a page bundle.
const FileName = "labrun.json"

// Record is one page's capture.
type Record struct {
	Page       string           `json:"page"`
	Captured   time.Time        `json:"captured"`
	DurationMS int64            `json:"duration_ms"`
	Docker     Versions         `json:"docker"`
	Host       hostfacts.Facts  `json:"host"` // the machine the capture ran on
	Images     []Image          `json:"images"`
	Blocks     map[string]Block `json:"blocks"` // keyed by the block's hash
	Ran        int              `json:"ran"`
	Skipped    int              `json:"skipped"`
	// Inputs hashes everything the page's output depends on (blocks,
	// bundle files, image IDs, engine version, host facts): equal Inputs,
	// no re-run.
	Inputs string `json:"inputs"`
}

// Versions of the tools that produced the output.
type Versions struct {
	Client  string `json:"client"`
	Engine  string `json:"engine"`
	API     string `json:"api"`
	Buildx  string `json:"buildx"`
	Compose string `json:"compose"`
}

// Image is one lab image the page used, and where it came from.
type Image struct {
	Name   string `json:"name"`
	ID     string `json:"id"`
	Size   int64  `json:"size"`
	Origin string `json:"origin"`
}

// Block is what the site needs to know about one captured block.
type Block struct {
	Line   int    `json:"line"`
	Kind   string `json:"kind"`
	Term   string `json:"term,omitempty"`
	Inside string `json:"inside,omitempty"`
}

// PathFor is where the record of the page at path lives.
func PathFor(page string) string { return filepath.Join(filepath.Dir(page), FileName) }

// Load reads a page's record; a page never captured has none (nil, nil).
func Load(page string) (*Record, error) {
	data, err := os.ReadFile(PathFor(page))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var r Record
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("%s: %w (delete it and run make capture)", PathFor(page), err)
	}
	return &r, nil
}

// Save writes the record atomically, indented and with sorted keys so that
// an unchanged capture gives an unchanged file.
func (r *Record) Save() error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return err
	}
	return atomicfile.Write(PathFor(r.Page), b.Bytes(), 0o644)
}
