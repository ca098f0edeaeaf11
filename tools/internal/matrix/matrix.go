// Package matrix sets two Docker engines side by side, block by block:
// every console block of the courses (the sections read in order) as its
// page shows it, printed by the engine that captured the page (the lab's),
// and as another engine prints it when the courses run there.
//
// Both sides are normalised exactly as verify compares a page with a run
// (package check: each side with its own machine's facts, placeholders
// numbered per page), because the comparison is verify's: the courses run
// on the other engine, inside another machine (package machine) with its
// own freshly built lab images, with `labrun verify -course -json`, and
// each block's result holds the page's lines and the run's. A block the
// other engine prints the same is "same"; one it prints otherwise, fails
// or times out on is a difference, kept with both sides' lines and their
// unified diff; one it did not run is "not run", with the reason.
//
// The result is data (Matrix), written by Generate as the JSON file that
// the site's engines page is rendered from (DataPath, read by
// layouts/engines.html). Generate is deterministic, and derives what it
// can (counts, diffs) from the rest, so that the data can be checked
// against itself: Generate(Decode(file)) is the file. A run where nothing
// changed generates the same bytes: the file holds no date, duration,
// kernel or ID.
package matrix

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	udiff "github.com/aymanbagabas/go-udiff"
	"github.com/labdocs/dockerlab/tools/internal/atomicfile"
)

// DataPath is the engines page's data, relative to the repository.
const DataPath = "content/reference/engines/matrix.json"

// Matrix is what the courses print on two engines.
type Matrix struct {
	Engines Engines  `json:"engines"`
	Totals  Counts   `json:"totals"`
	Courses []Course `json:"courses"`
}

// Engines are the two sides: the engines whose output the pages show (as
// their records say: more than one while the pages are being captured
// again on a new engine) and the other.
type Engines struct {
	Lab   []Engine `json:"lab"`
	Other Engine   `json:"other"`
}

// Engine is one side's Docker, as a page's record (labrun.json) names it.
type Engine struct {
	Engine        string `json:"engine"`
	API           string `json:"api"`
	Client        string `json:"client"`
	Buildx        string `json:"buildx"`
	Compose       string `json:"compose"`
	StorageDriver string `json:"storage_driver"`
	Cgroup        string `json:"cgroup"`
	// Pages is how many of the courses' pages this engine captured (the
	// lab's side only).
	Pages int `json:"pages,omitempty"`
}

// Counts of blocks. Different counts every block the other engine did
// not print as the page shows it: different output, a failure, a
// timeout.
type Counts struct {
	Blocks      int `json:"blocks"`
	Same        int `json:"same"`
	Different   int `json:"different"`
	NotCompared int `json:"not_compared"`
}

// Course is one section read in order.
type Course struct {
	Section string `json:"section"` // its folder, content/lab
	Counts  Counts `json:"counts"`
	Pages   []Page `json:"pages"`
}

// Page is one page of a course and its console blocks, in page order.
type Page struct {
	Path   string  `json:"path"`   // content/lab/1-netcat/index.md
	Engine string  `json:"engine"` // the engine that captured it (its record's)
	Counts Counts  `json:"counts"`
	Blocks []Block `json:"blocks"`
}

// Status is what became of a block on the other engine.
type Status string

// A block's status on the other engine.
const (
	Same      Status = "same"      // the same output, normalised
	Different Status = "different" // other output, normalised
	Failed    Status = "failed"    // a command failed (exit status, runner error)
	TimedOut  Status = "timeout"   // a command did not finish in time
	NotRun    Status = "not run"   // the course did not run it there (Message says why)
)

// Block is one console block of a page.
type Block struct {
	// Block is its place among the page's fenced blocks, from 0: Hugo's
	// .Ordinal, and the index of its entry in the page's record.
	Block int `json:"block"`
	// Hash is the block's text when it was compared (blocks.Block.Hash,
	// as the record holds it): the site tells a block changed since.
	Hash    string `json:"hash"`
	Title   string `json:"title,omitempty"`
	Command string `json:"command"` // its first command line
	Status  Status `json:"status"`
	Message string `json:"message,omitempty"`
	// Lab and Other are the output the page shows and the other engine
	// printed, normalised; kept only when they are not the same.
	Lab   []string `json:"lab,omitempty"`
	Other []string `json:"other,omitempty"`
	// Diff is the unified diff from Lab to Other (derived).
	Diff string `json:"diff,omitempty"`
}

// Generate writes the matrix as the engines page's data: counts and diffs
// derived afresh from the blocks, everything else as it is, indented,
// keys in a fixed order. The same matrix gives the same bytes.
func Generate(m *Matrix) ([]byte, error) {
	derive(m)
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Decode reads what Generate wrote.
func Decode(data []byte) (*Matrix, error) {
	var m Matrix
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	return &m, nil
}

// derive sets what follows from the rest: each block's diff (and no lines
// for a block printed the same), the counts of pages, courses and the
// whole, and the lab engines in a fixed order.
func derive(m *Matrix) {
	m.Totals = Counts{}
	for i := range m.Courses {
		c := &m.Courses[i]
		c.Counts = Counts{}
		for j := range c.Pages {
			p := &c.Pages[j]
			p.Counts = Counts{}
			for k := range p.Blocks {
				b := &p.Blocks[k]
				b.Diff = ""
				switch b.Status {
				case Same, NotRun:
					b.Lab, b.Other = nil, nil
				default:
					b.Diff = diff(p.Engine, m.Engines.Other.Engine, b.Lab, b.Other)
				}
				p.Counts.add(b.Status)
			}
			c.Counts.plus(p.Counts)
		}
		m.Totals.plus(c.Counts)
	}
	slices.SortFunc(m.Engines.Lab, func(a, b Engine) int {
		return cmp.Or(cmp.Compare(b.Pages, a.Pages), cmp.Compare(a.Engine, b.Engine), cmp.Compare(a.API, b.API),
			cmp.Compare(a.Client, b.Client), cmp.Compare(a.Buildx, b.Buildx), cmp.Compare(a.Compose, b.Compose),
			cmp.Compare(a.StorageDriver, b.StorageDriver), cmp.Compare(a.Cgroup, b.Cgroup))
	})
}

func (c *Counts) add(s Status) {
	c.Blocks++
	switch s {
	case Same:
		c.Same++
	case NotRun:
		c.NotCompared++
	default:
		c.Different++
	}
}

func (c *Counts) plus(d Counts) {
	c.Blocks += d.Blocks
	c.Same += d.Same
	c.Different += d.Different
	c.NotCompared += d.NotCompared
}

// diff is the unified diff from the page's lines to the other engine's,
// each side named by its engine.
func diff(lab, other string, a, b []string) string {
	return udiff.Unified("engine "+lab+" (the page)", "engine "+other, text(a), text(b))
}

func text(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	return strings.Join(lines, "\n") + "\n"
}

// Compare is "" when the matrix written in the file (old) is what a run
// made (now), else a unified diff of the two, old first, to show why a
// check failed, after what changed in the engines, if anything did.
func Compare(old, now []byte) string {
	if bytes.Equal(old, now) {
		return ""
	}
	var b strings.Builder
	mo, err1 := Decode(old)
	mn, err2 := Decode(now)
	if err1 == nil && err2 == nil {
		if o, n := mo.Engines.Other.Engine, mn.Engines.Other.Engine; o != n {
			fmt.Fprintf(&b, "The data sets the pages beside engine %s; this run's second engine is %s: run that engine (-dockerd, $LABRUN_DOCKERD, make DOCKERD=...), or write the data again.\n", o, n)
		}
		if o, n := labEngines(mo), labEngines(mn); o != n {
			fmt.Fprintf(&b, "The pages were captured on engine %s when the data was written; now on %s.\n", o, n)
		}
	}
	b.WriteString(udiff.Unified(DataPath+" (in the repository)", DataPath+" (generated now)", string(old), string(now)))
	return b.String()
}

// labEngines names the engines that captured the pages.
func labEngines(m *Matrix) string {
	var names []string
	for _, e := range m.Engines.Lab {
		names = append(names, e.Engine)
	}
	return strings.Join(names, ", ")
}

// String is a one-line summary of the counts.
func (c Counts) String() string {
	return fmt.Sprintf("%d blocks: %d the same, %d different, %d not compared", c.Blocks, c.Same, c.Different, c.NotCompared)
}

// ErrDrift is Update's error when the data in the repository no longer
// says what the engines print.
var ErrDrift = errors.New("drift")

// Update holds m against the data at path: without write it returns a
// message ending in ErrDrift, with the diff, when the two differ; with
// write it writes m there (atomically) instead. The message says what
// happened, with m's counts.
func Update(path string, m *Matrix, write bool) (string, error) {
	now, err := Generate(m)
	if err != nil {
		return "", err
	}
	old, err := os.ReadFile(path)
	if err != nil && !(write && errors.Is(err, os.ErrNotExist)) {
		return "", err
	}
	switch {
	case bytes.Equal(old, now):
		return fmt.Sprintf("%s unchanged (%s)", path, m.Totals), nil
	case write:
		if err := atomicfile.Write(path, now, 0o644); err != nil {
			return "", err
		}
		return fmt.Sprintf("wrote %s (%s)", path, m.Totals), nil
	}
	return fmt.Sprintf("%s no longer says what the engines print (%s): run make matrix, and read the diff of the engines page:\n%s",
		path, m.Totals, Compare(old, now)), ErrDrift
}
