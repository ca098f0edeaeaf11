package check

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/labdocs/dockerlab/tools/internal/bundle"

	"github.com/labdocs/dockerlab/tools/internal/blocks"
	"github.com/labdocs/dockerlab/tools/internal/inventory"
	"github.com/labdocs/dockerlab/tools/internal/record"
)

// inputsKey covers what a page's output depends on: its blocks, the
// bundle's files, the engine version, the IDs of the lab images the page
// uses (returned too, for its record) and the host facts that change what
// the engine does (hostfacts.Facts.Key). A capture whose key is the
// record's need not run. The bundle's files are read once, here.
func inputsKey(p *blocks.Page, e *Env) (string, []record.Image, error) {
	files, err := bundle.Of(p.Path).Files()
	images := usedImages(p, files, e.Images)
	h := sha256.New()
	fmt.Fprintf(h, "engine %s\n", e.Versions.Engine)
	fmt.Fprintf(h, "host %s\n", e.Facts.Key())
	for _, im := range images {
		fmt.Fprintf(h, "image %s %s\n", im.Name, im.ID)
	}
	for _, b := range p.Blocks {
		fmt.Fprintf(h, "block %s %s %v\n", b.Hash(), b.Lang, b.Attrs)
	}
	for _, f := range files {
		fmt.Fprintf(h, "file %s %o %x\n", f.Rel, f.Mode, sha256.Sum256(f.Data))
	}
	return hex.EncodeToString(h.Sum(nil)), images, err
}

// usedImages are the lab images the page's blocks or its bundle's files (a
// Dockerfile, a Compose file) name: as NAME:TAG, or
// as a bare NAME, which Docker reads as NAME:latest. A name counts as a
// word of its own (between spaces, quotes, = or a line's ends), or after a
// slash (a pushed copy, localhost:5000/NAME:TAG, needs the image first).
// Other tags of the same image are not the page's: a page on debian does
// not show debian:bookworm as one it used.
func usedImages(p *blocks.Page, files []bundle.File, all []record.Image) []record.Image {
	words := map[string]bool{}
	add := func(text string) {
		for _, w := range strings.FieldsFunc(text, func(r rune) bool { return strings.ContainsRune(" \t\n\r=\"'", r) }) {
			words[w] = true
			if i := strings.LastIndexByte(w, '/'); i >= 0 {
				words[w[i+1:]] = true
			}
		}
	}
	add(p.RunText())
	for _, f := range files {
		add(string(f.Data))
	}
	out := []record.Image{}
	for _, im := range all {
		repo, tag, _ := strings.Cut(im.Name, ":")
		if words[im.Name] || tag == "latest" && words[repo] {
			out = append(out, im)
		}
	}
	return out
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
