package images

import (
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"
	"github.com/labdocs/dockerlab/tools/internal/ledger"
)

// LabImage is a lab image on a daemon, under one of its lab names.
type LabImage struct {
	Name string // e.g. "debian:bookworm"
	ID   string
	Size int64
	ledger.Entry
}

// Present lists the lab images on the daemon, by name, from the ledger
// (nil: ledger.Default()) alone: it needs no recipes, so it works wherever
// pages run. A lab image is an image the ledger knows, under a name of its
// recipe. An image built FROM a lab image has an ID of its own, which the
// ledger does not know; a lab image tagged by a page (docker tag debian
// mine) is not a lab image under that name.
func Present(ctx context.Context, cli client.APIClient, led *ledger.Ledger) ([]LabImage, error) {
	known, err := knownTo(led)
	if err != nil {
		return nil, err
	}
	list, err := cli.ImageList(ctx, image.ListOptions{})
	if err != nil {
		return nil, err
	}
	var out []LabImage
	for _, im := range list {
		e, ok := known[im.ID]
		if !ok {
			continue
		}
		for _, ref := range im.RepoTags {
			if slices.Contains(e.Tags, ref) {
				out = append(out, LabImage{Name: ref, ID: im.ID, Size: im.Size, Entry: e})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// SetName names a set of lab images for readers: the Debian suite most of
// them are built on, and a short hash over each recipe with its hash (a
// pulled image: its origin), e.g. "trixie images 3f2a1b2c". The same
// images give the same name on any daemon; "" for no image. Pages record
// the name of the set on their daemon (Present): images of a recipe's
// older tags, still there, are part of it.
func SetName(ims []LabImage) string {
	members := map[string]ledger.Entry{}
	for _, im := range ims {
		e := im.Entry
		what := e.Hash
		if what == "" {
			what = e.Origin
		}
		members[e.Recipe+" "+what] = e
	}
	if len(members) == 0 {
		return ""
	}
	lines := make([]string, 0, len(members))
	suites := map[string]int{}
	for l, e := range members {
		lines = append(lines, l)
		if e.Suite != "" {
			suites[e.Suite]++
		}
	}
	sort.Strings(lines)
	sum := sha256.Sum256([]byte(strings.Join(lines, "\n")))
	suite := ""
	for s, n := range suites {
		if n > suites[suite] || (n == suites[suite] && s < suite) {
			suite = s
		}
	}
	if suite == "" {
		return fmt.Sprintf("images %x", sum[:4])
	}
	return fmt.Sprintf("%s images %x", suite, sum[:4])
}
