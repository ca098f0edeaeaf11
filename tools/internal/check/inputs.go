package check

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/labdocs/dockerlab/tools/internal/bundle"

	"github.com/labdocs/dockerlab/tools/internal/blocks"
	"github.com/labdocs/dockerlab/tools/internal/inventory"
	"github.com/labdocs/dockerlab/tools/internal/record"
)

// inputsKey covers what a page's output depends on: its blocks, the
// bundle's files, the engine version, the lab images' IDs and the host
// facts that change what the engine does (hostfacts.Facts.Key). A
// capture whose key is the record's need not run.
func inputsKey(p *blocks.Page, e *Env) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "engine %s\n", e.Versions.Engine)
	fmt.Fprintf(h, "host %s\n", e.Facts.Key())
	for _, im := range usedImages(p, e.Images) {
		fmt.Fprintf(h, "image %s %s\n", im.Name, im.ID)
	}
	for _, b := range p.Blocks {
		fmt.Fprintf(h, "block %s %s %v\n", b.Hash(), b.Lang, b.Attrs)
	}
	files, err := bundle.Of(p.Path).Files()
	for _, f := range files {
		fmt.Fprintf(h, "file %s %o %x\n", f.Rel, f.Mode, sha256.Sum256(f.Data))
	}
	return hex.EncodeToString(h.Sum(nil)), err
}

// envChanges lists what differs in the environment since the capture.
func envChanges(rec *record.Record, e *Env) []string {
	var out []string
	if rec.Docker.Engine != e.Versions.Engine {
		out = append(out, fmt.Sprintf("engine %s at capture, %s now", rec.Docker.Engine, e.Versions.Engine))
	}
	if was, now := rec.Host.Key(), e.Facts.Key(); rec.Host.Kernel != "" && was != now {
		out = append(out, fmt.Sprintf("host %s at capture, %s now", was, now))
	}
	now := map[string]string{}
	for _, im := range e.Images {
		now[im.Name] = im.ID
	}
	for _, im := range rec.Images {
		switch id, ok := now[im.Name]; {
		case !ok:
			out = append(out, fmt.Sprintf("image %s is gone (run make images)", im.Name))
		case id != im.ID:
			out = append(out, fmt.Sprintf("image %s changed: %s at capture, %s now", im.Name, inventory.ShortID(im.ID), inventory.ShortID(id)))
		}
	}
	return out
}
