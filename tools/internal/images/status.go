package images

import (
	"context"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/client"
	"github.com/labdocs/dockerlab/tools/internal/ledger"
)

// Image is a lab image as labimages' results and the status list both
// name it: its recipe, the tags it goes by with the prefix asked for, what
// the recipe hashes to now, and, once the daemon has it, its ID and where
// it came from.
type Image struct {
	Name       string   `json:"name"`
	Tags       []string `json:"tags"`
	RecipeHash string   `json:"recipe_hash"`
	ID         string   `json:"id,omitempty"`
	Origin     string   `json:"origin,omitempty"`
}

// image is name's Image before the daemon is asked.
func (c *Catalog) image(name, prefix string) Image {
	return Image{Name: name, Tags: c.recipes[name].TagsWith(prefix), RecipeHash: c.hashes[name]}
}

// State of a lab image on the daemon.
type State string

const (
	StateCurrent State = "current" // built from the recipe as it is now
	StatePulled  State = "pulled"  // pulled by labimages; recipes do not apply
	StateStale   State = "stale"   // built from an older recipe
	StateForeign State = "foreign" // the name holds an image the ledger does not know
	StateMissing State = "missing"
)

// Status is one lab image as the daemon has it: what pages show as
// provenance, and what labdoctor checks.
type Status struct {
	Image
	State       State     `json:"state"`
	Size        int64     `json:"size,omitempty"`
	Created     time.Time `json:"created,omitempty"`
	ImageHash   string    `json:"image_hash,omitempty"` // what the image was built from
	MissingTags []string  `json:"missing_tags,omitempty"`
}

// OK reports whether the image is usable as the lab expects it.
func (s Status) OK() bool {
	return (s.State == StateCurrent || s.State == StatePulled) && len(s.MissingTags) == 0
}

// List inspects every lab image of the catalog, in build order, and says
// what the ledger (nil: ledger.Default()) knows of each.
func List(ctx context.Context, cli client.APIClient, cat *Catalog, led *ledger.Ledger, prefix string) ([]Status, error) {
	known, err := knownTo(led)
	if err != nil {
		return nil, err
	}
	var out []Status
	for _, n := range cat.Names() {
		s := Status{Image: cat.image(n, prefix), State: StateMissing}
		for i, t := range s.Tags {
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
			e, ours := known[ii.ID]
			ours = ours && e.Recipe == n
			s.ID, s.Size = ii.ID, ii.Size
			s.Created, _ = time.Parse(time.RFC3339Nano, ii.Created)
			if ours {
				s.Origin, s.ImageHash = e.Origin, e.Hash
			}
			switch {
			case ours && isPulled(e):
				s.State = StatePulled
			case ours && s.ImageHash == s.RecipeHash:
				s.State = StateCurrent
			case ours:
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
