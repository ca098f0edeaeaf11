package images

import (
	"context"
	"slices"
	"sort"

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
	led, err := ledgerOr(led)
	if err != nil {
		return nil, err
	}
	known, err := led.Load()
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
