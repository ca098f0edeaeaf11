// Package record is what a capture leaves beside each page: labrun.json in
// the page bundle. The site reads it to show provenance and each block's
// terminal, container, run number and typed input, and to refuse a block
// whose place in the record holds other text; the runner reads
// it to skip unchanged pages and to tell what changed in the environment.
package record

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/labdocs/dockerlab/tools/internal/atomicfile"
	"github.com/labdocs/dockerlab/tools/internal/blocks"
	"github.com/labdocs/dockerlab/tools/internal/hostfacts"
)

// FileName is the record's name inside a page bundle.
const FileName = "labrun.json"

// Record is one page's capture.
type Record struct {
	Page       string          `json:"page"`
	Captured   time.Time       `json:"captured"`
	DurationMS int64           `json:"duration_ms"`
	Docker     Versions        `json:"docker"`
	Host       hostfacts.Facts `json:"host"` // the machine the capture ran on
	Images     []Image         `json:"images"`
	// ImageSet names the lab images the daemon had (images.SetName),
	// e.g. "trixie images 3f2a1b2c".
	ImageSet string `json:"image_set,omitempty"`
	// Blocks are every fenced code block of the page, in page order: the
	// site finds a block's entry by its position (Hugo's .Ordinal counts
	// fenced code blocks the same way) and checks it by its hash, so two
	// blocks with the same text keep their own terminal and run number.
	Blocks  []Block `json:"blocks"`
	Ran     int     `json:"ran"`
	Skipped int     `json:"skipped"`
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

// Block is what the site needs to know about one block of the page.
type Block struct {
	Hash string `json:"hash"` // blocks.Block.Hash: sha256 of Hugo's .Inner
	Line int    `json:"line"` // the opening fence's line at capture
	Kind string `json:"kind"` // "console", "file" or "skipped"
	// Seq is a console block's place in the page's timeline (1, 2, …).
	Seq    int    `json:"seq,omitempty"`
	Term   string `json:"term,omitempty"`
	Inside string `json:"inside,omitempty"` // the container whose shell the block typed into
	// Typed is what the reader typed or pressed in the block's
	// transcript, as opposed to what the programs printed.
	Typed []Mark `json:"typed,omitempty"`
	// Keys are the keys the reader presses after the block's commands
	// (blocks' keys=), shown even when the terminal echoes nothing.
	Keys []Key `json:"keys,omitempty"`
	// Groups are a console block's commands and outputs (run or
	// skipped), which the site renders.
	Groups []Group `json:"groups,omitempty"`
}

// A Mark is a span of a console block's text that the reader typed (the
// echo of input=) or a key's echo (^C), not program output.
type Mark struct {
	Line int    `json:"line"` // 0-based line of the block's text (.Inner)
	Col  int    `json:"col"`  // where the span starts in that line, in characters (runes)
	Text string `json:"text"`
	Kind string `json:"kind"` // "input" or "key"
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
		// A record of an older labrun (blocks in a map by hash, before
		// they had positions; keys by name only) is stale, not broken:
		// the page runs again.
		var old struct {
			Record
			Blocks json.RawMessage `json:"blocks"`
		}
		if json.Unmarshal(data, &old) == nil {
			old.Record.Blocks, old.Record.Inputs = nil, ""
			return &old.Record, nil
		}
		return nil, fmt.Errorf("%s: %w (delete it and run make capture)", PathFor(page), err)
	}
	return &r, nil
}

// Save writes the record atomically, indented and with sorted keys so that
// an unchanged capture gives an unchanged file.
func (r *Record) Save() error { return atomicfile.WriteJSON(PathFor(r.Page), r) }

// Shows reports whether the record is of the page's blocks as they are:
// the same blocks, in the same order, with the same text.
func (r *Record) Shows(p *blocks.Page) bool {
	if len(r.Blocks) != len(p.Blocks) {
		return false
	}
	for i, b := range p.Blocks {
		if r.Blocks[i].Hash != b.Hash() || r.Blocks[i].Kind != b.Kind.String() {
			return false
		}
	}
	return true
}
