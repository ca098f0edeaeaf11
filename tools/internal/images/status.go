package images

import (
	"context"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/client"
)

// State of a lab image on the daemon.
type State string

const (
	StateCurrent State = "current" // built from the recipe as it is now
	StatePulled  State = "pulled"  // pulled by labimages; recipes do not apply
	StateStale   State = "stale"   // built from an older recipe
	StateForeign State = "foreign" // the name holds an image labimages did not make
	StateMissing State = "missing"
)

// Status is one lab image as the daemon has it: what pages show as
// provenance, and what labdoctor checks.
type Status struct {
	Name        string    `json:"name"`
	Tags        []string  `json:"tags"`
	State       State     `json:"state"`
	ID          string    `json:"id,omitempty"`
	Size        int64     `json:"size,omitempty"`
	Created     time.Time `json:"created,omitempty"`
	Origin      string    `json:"origin,omitempty"`
	RecipeHash  string    `json:"recipe_hash"`          // what the recipe hashes to now
	ImageHash   string    `json:"image_hash,omitempty"` // what the image was built from
	MissingTags []string  `json:"missing_tags,omitempty"`
}

// OK reports whether the image is usable as the lab expects it.
func (s Status) OK() bool {
	return (s.State == StateCurrent || s.State == StatePulled) && len(s.MissingTags) == 0
}

// List inspects every lab image of the catalog, in build order.
func List(ctx context.Context, cli client.APIClient, cat *Catalog, prefix string) ([]Status, error) {
	var out []Status
	for _, n := range cat.Names() {
		r := cat.Recipe(n)
		tags := r.TagsWith(prefix)
		s := Status{Name: n, Tags: tags, RecipeHash: cat.Hash(n), State: StateMissing}
		for i, t := range tags {
			ii, err := cli.ImageInspect(ctx, t)
			if err != nil {
				if cerrdefs.IsNotFound(err) {
					s.MissingTags = append(s.MissingTags, t)
					continue
				}
				return nil, err
			}
			if i > 0 && s.ID != "" {
				if ii.ID != s.ID {
					s.MissingTags = append(s.MissingTags, t) // names another image
				}
				continue
			}
			labels := imageLabels(ii)
			s.ID, s.Size, s.Origin, s.ImageHash = ii.ID, ii.Size, labels[LabelOrigin], labels[LabelHash]
			s.Created, _ = time.Parse(time.RFC3339Nano, ii.Created)
			switch {
			case strings.HasPrefix(s.Origin, "pulled "):
				s.State = StatePulled // a mirror's image may carry a recipe hash too
			case s.ImageHash == s.RecipeHash:
				s.State = StateCurrent
			case labels[LabelRecipe] != "":
				s.State = StateStale
			default:
				s.State = StateForeign
				if len(ii.RepoDigests) > 0 {
					s.Origin = "not from labimages: " + ii.RepoDigests[0]
				} else {
					s.Origin = "not from labimages"
				}
			}
		}
		out = append(out, s)
	}
	return out, nil
}
