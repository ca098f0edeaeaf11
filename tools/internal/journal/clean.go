package journal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"
	"github.com/docker/docker/client"

	"github.com/labdocs/dockerlab/tools/internal/inventory"
)

// Clean removes what the dead runs' journals in dir name (see the package
// comment for the rule), says on w what it removed, and deletes each
// journal whose objects are all gone. A journal whose objects could not all
// be removed stays for the next try, and the error says which.
func Clean(ctx context.Context, cli client.APIClient, dir string, w io.Writer) error {
	dead, err := Leftovers(dir)
	if err != nil || len(dead) == 0 {
		return err
	}
	live, err := liveObjects(ctx, cli)
	if err != nil {
		for _, d := range dead {
			d.Release()
		}
		return err
	}
	var errs []error
	for _, d := range dead {
		made := d.objects(live)
		cache, cerr := d.buildCache(ctx, cli)
		err := errors.Join(cerr, inventory.Remove(ctx, cli, made), inventory.RemoveBuildCache(ctx, cli, cache))
		if n := count(made) + len(cache); n > 0 && w != nil {
			fmt.Fprintf(w, "labrun: removed %d Docker object(s) left by a run that died: %s\n", n, d)
		}
		if err != nil {
			d.Release()
			errs = append(errs, fmt.Errorf("leftovers of %s: %w", d, err))
			continue
		}
		if err := d.Remove(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func count(s inventory.Snapshot) int {
	return len(s.Containers) + len(s.Networks) + len(s.Volumes) + len(s.Images) + len(s.Refs)
}

// object is a live container, network or volume.
type object struct {
	id, name string
	created  time.Time
}

// live is what the daemon has now, by kind.
type live struct {
	objects map[string][]object  // container, network, volume
	refs    map[string]string    // reference → image ID
	images  map[string]time.Time // image ID → created
}

func liveObjects(ctx context.Context, cli client.APIClient) (live, error) {
	l := live{objects: map[string][]object{}, refs: map[string]string{}, images: map[string]time.Time{}}
	cs, err := cli.ContainerList(ctx, container.ListOptions{All: true})
	if err != nil {
		return l, err
	}
	for _, c := range cs {
		name := ""
		if len(c.Names) > 0 {
			name = strings.TrimPrefix(c.Names[0], "/")
		}
		l.objects["container"] = append(l.objects["container"], object{c.ID, name, time.Unix(c.Created, 0)})
	}
	ns, err := cli.NetworkList(ctx, network.ListOptions{})
	if err != nil {
		return l, err
	}
	for _, n := range ns {
		l.objects["network"] = append(l.objects["network"], object{n.ID, n.Name, n.Created})
	}
	vs, err := cli.VolumeList(ctx, volume.ListOptions{})
	if err != nil {
		return l, err
	}
	for _, v := range vs.Volumes {
		t, _ := time.Parse(time.RFC3339, v.CreatedAt)
		l.objects["volume"] = append(l.objects["volume"], object{v.Name, v.Name, t})
	}
	is, err := cli.ImageList(ctx, image.ListOptions{})
	if err != nil {
		return l, err
	}
	for _, im := range is {
		l.images[im.ID] = time.Unix(im.Created, 0)
		for _, r := range im.RepoTags {
			l.refs[r] = im.ID
		}
	}
	return l, nil
}

// objects picks, from what lives now, what the dead run made.
func (d *Dead) objects(l live) inventory.Snapshot {
	s := inventory.Snapshot{Containers: map[string]string{}, Networks: map[string]string{},
		Volumes: map[string]string{}, Images: map[string]string{}, Refs: map[string]string{}}
	byKind := map[string]map[string]string{"container": s.Containers, "network": s.Networks, "volume": s.Volumes}
	for _, e := range d.Entries {
		switch e.Op {
		case "created":
			for _, o := range l.objects[e.Kind] {
				if o.id == e.ID {
					byKind[e.Kind][o.id] = o.name
				}
			}
		case "name":
			// A create under way when the run died has no "created" line:
			// the name alone, if it was made while the run lived. Image
			// names are the tags BuildKit made inside the daemon.
			if e.Kind == "image" {
				for ref, id := range l.refs {
					if inventory.Repo(ref) == e.Name && d.Within(l.images[id]) {
						s.Refs[ref] = id
					}
				}
				continue
			}
			for _, o := range l.objects[e.Kind] {
				if o.name == e.Name && d.Within(o.created) {
					byKind[e.Kind][o.id] = o.name
				}
			}
		case "ref":
			if id, ok := l.refs[e.Name]; ok {
				s.Refs[e.Name] = id
			}
		case "image":
			if _, ok := l.images[e.ID]; ok {
				s.Images[e.ID] = e.ID
			}
		}
	}
	return s
}

// buildCache is the build cache the dead run's builds made: records made
// while it lived. Only a run that built anything has them.
func (d *Dead) buildCache(ctx context.Context, cli client.APIClient) ([]string, error) {
	built := false
	for _, e := range d.Entries {
		built = built || e.Op == "build"
	}
	if !built {
		return nil, nil
	}
	all, err := inventory.BuildCache(ctx, cli)
	if err != nil {
		return nil, err
	}
	var ids []string
	for id, t := range all {
		if d.Within(t) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}
