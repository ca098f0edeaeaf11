// Package inventory keeps pages from touching Docker objects they did not
// make. Before a page runs, the runner takes a Snapshot of every
// container, network, volume and image reference; after the page (also
// after a failure, a timeout or an interrupt) it removes exactly what is new
// since then, in dependency order. Four list calls a snapshot, never one
// per command.
package inventory

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sort"
	"strings"
	"time"

	"github.com/docker/docker/api/types"
	"github.com/docker/docker/api/types/build"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"
	"github.com/docker/docker/client"
)

// Snapshot is the set of objects that exist at one moment. Keys are IDs
// (volumes: names, which are their IDs); values are display names.
type Snapshot struct {
	Containers map[string]string
	Networks   map[string]string
	Volumes    map[string]string
	Images     map[string]string // image ID → first reference
	Refs       map[string]string // "repo:tag" → image ID
}

// Take lists the daemon's objects.
func Take(ctx context.Context, cli client.APIClient) (Snapshot, error) {
	s := Snapshot{map[string]string{}, map[string]string{}, map[string]string{}, map[string]string{}, map[string]string{}}
	cs, err := cli.ContainerList(ctx, container.ListOptions{All: true})
	if err != nil {
		return s, fmt.Errorf("list containers: %w", err)
	}
	for _, c := range cs {
		name := c.ID[:12]
		if len(c.Names) > 0 {
			name = strings.TrimPrefix(c.Names[0], "/")
		}
		s.Containers[c.ID] = name
	}
	ns, err := cli.NetworkList(ctx, network.ListOptions{})
	if err != nil {
		return s, fmt.Errorf("list networks: %w", err)
	}
	for _, n := range ns {
		s.Networks[n.ID] = n.Name
	}
	vs, err := cli.VolumeList(ctx, volume.ListOptions{})
	if err != nil {
		return s, fmt.Errorf("list volumes: %w", err)
	}
	for _, v := range vs.Volumes {
		s.Volumes[v.Name] = v.Name
	}
	// Top-level images only: a classic builder's intermediate layers,
	// which a concurrent `docker build` elsewhere may be creating right
	// now, are never a page's to remove.
	is, err := cli.ImageList(ctx, image.ListOptions{})
	if err != nil {
		return s, fmt.Errorf("list images: %w", err)
	}
	for _, im := range is {
		name := ShortID(im.ID)
		for _, ref := range im.RepoTags {
			if ref == "<none>:<none>" {
				continue
			}
			s.Refs[ref] = im.ID
			if name == ShortID(im.ID) {
				name = ref
			}
		}
		s.Images[im.ID] = name
	}
	return s, nil
}

// Repo is the repository part of a "repo:tag" reference as the daemon
// lists it (a registry port's colon comes before the last slash).
func Repo(ref string) string {
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		return ref[:i]
	}
	return ref
}

// ShortID abbreviates an object or image ID as docker does: 12 hex
// digits, without "sha256:".
func ShortID(id string) string {
	id = strings.TrimPrefix(id, "sha256:")
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// Since is what exists in now and did not in s.
func (s Snapshot) Since(now Snapshot) Snapshot {
	return s.each(now, func(before, after map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range after {
			if _, ok := before[k]; !ok {
				out[k] = v
			}
		}
		return out
	})
}

// Union is what is in s or in o (o's names win).
func (s Snapshot) Union(o Snapshot) Snapshot {
	return s.each(o, func(a, b map[string]string) map[string]string {
		out := maps.Clone(a)
		if out == nil {
			out = map[string]string{}
		}
		maps.Copy(out, b)
		return out
	})
}

// each combines s and o kind by kind with f.
func (s Snapshot) each(o Snapshot, f func(a, b map[string]string) map[string]string) Snapshot {
	return Snapshot{
		Containers: f(s.Containers, o.Containers),
		Networks:   f(s.Networks, o.Networks),
		Volumes:    f(s.Volumes, o.Volumes),
		Images:     f(s.Images, o.Images),
		Refs:       f(s.Refs, o.Refs),
	}
}

// Empty reports whether the snapshot holds nothing.
func (s Snapshot) Empty() bool {
	return len(s.Containers)+len(s.Networks)+len(s.Volumes)+len(s.Images)+len(s.Refs) == 0
}

// Remove deletes the objects of created (as found by Since) in dependency
// order: containers (with their anonymous volumes), networks, volumes, new
// tags, then images that are new and left untagged. The built-in networks
// are never in created, since they exist before any page. It returns what
// it could not remove; those are leaks the caller must report.
func Remove(ctx context.Context, cli client.APIClient, created Snapshot) error {
	var errs []error
	for id, name := range created.Containers {
		if err := cli.ContainerRemove(ctx, id, container.RemoveOptions{Force: true, RemoveVolumes: true}); err != nil && !client.IsErrNotFound(err) {
			errs = append(errs, fmt.Errorf("container %s: %w", name, err))
		}
	}
	for id, name := range created.Networks {
		if err := cli.NetworkRemove(ctx, id); err != nil && !client.IsErrNotFound(err) {
			errs = append(errs, fmt.Errorf("network %s: %w", name, err))
		}
	}
	for name := range created.Volumes {
		if err := cli.VolumeRemove(ctx, name, true); err != nil && !client.IsErrNotFound(err) {
			errs = append(errs, fmt.Errorf("volume %s: %w", name, err))
		}
	}
	// Tags first: removing a new tag of an old image only untags it.
	refs := make([]string, 0, len(created.Refs))
	for ref := range created.Refs {
		refs = append(refs, ref)
	}
	sort.Strings(refs)
	for _, ref := range refs {
		if _, err := cli.ImageRemove(ctx, ref, image.RemoveOptions{PruneChildren: true}); err != nil && !client.IsErrNotFound(err) {
			errs = append(errs, fmt.Errorf("image %s: %w", ref, err))
		}
	}
	// New images still there (untagged intermediates, children): newest
	// first would be ideal, but the daemon refuses a parent with children,
	// so retry until no progress.
	left := map[string]string{}
	for id, name := range created.Images {
		left[id] = name
	}
	for len(left) > 0 {
		progress := false
		var last []error
		for id, name := range left {
			_, err := cli.ImageRemove(ctx, id, image.RemoveOptions{Force: true, PruneChildren: true})
			if err == nil || client.IsErrNotFound(err) {
				delete(left, id)
				progress = true
				continue
			}
			last = append(last, fmt.Errorf("image %s: %w", name, err))
		}
		if !progress {
			errs = append(errs, last...)
			break
		}
	}
	return errors.Join(errs...)
}

// BuildCache lists the daemon's build cache records: ID → creation time.
// It is not part of Take, since the daemon's disk-usage call behind it is
// the slow one; the runner takes it around pages that build.
func BuildCache(ctx context.Context, cli client.APIClient) (map[string]time.Time, error) {
	du, err := cli.DiskUsage(ctx, types.DiskUsageOptions{Types: []types.DiskUsageObject{types.BuildCacheObject}})
	if err != nil {
		return nil, fmt.Errorf("list build cache: %w", err)
	}
	out := map[string]time.Time{}
	for _, r := range du.BuildCache {
		out[r.ID] = r.CreatedAt
	}
	return out, nil
}

// RemoveBuildCache removes the build cache records with these IDs, and no
// others: a page's builds start from the cache a first-time reader has.
// The daemon takes one ID a call, and keeps a record while a record made
// from it is there, so it goes round until nothing more goes.
func RemoveBuildCache(ctx context.Context, cli client.APIClient, ids []string) error {
	left := map[string]bool{}
	for _, id := range ids {
		left[id] = true
	}
	for len(left) > 0 {
		progress := false
		var errs []error
		for id := range left {
			rep, err := cli.BuildCachePrune(ctx, build.CachePruneOptions{All: true, Filters: filters.NewArgs(filters.Arg("id", id))})
			if err != nil {
				errs = append(errs, fmt.Errorf("build cache %s: %w", id, err))
				continue
			}
			for _, gone := range rep.CachesDeleted {
				if left[gone] {
					delete(left, gone)
					progress = true
				}
			}
		}
		if !progress {
			if len(errs) == 0 {
				now, err := BuildCache(ctx, cli)
				if err != nil {
					return err
				}
				for id := range left {
					if _, ok := now[id]; ok {
						errs = append(errs, fmt.Errorf("build cache %s: still there after prune", id))
					}
				}
			}
			return errors.Join(errs...)
		}
	}
	return nil
}
