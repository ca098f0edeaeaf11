package run

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/docker/docker/client"

	"github.com/labdocs/dockerlab/tools/internal/blocks"
	"github.com/labdocs/dockerlab/tools/internal/inventory"
	"github.com/labdocs/dockerlab/tools/internal/journal"
)

// What a page leaves in the daemon besides its objects: build cache, and
// (if the runner dies) the journal's record of what it made.

var buildRE = regexp.MustCompile(`\bbuild\b|--build\b`)

// Builds reports whether page p may build an image (docker build, buildx,
// compose build or up --build). Such pages' build cache is recorded and
// removed, and the scheduler keeps them from running at the same time on
// one daemon, so that the cache a page finds new is its own.
func Builds(p *blocks.Page) bool {
	if buildRE.MatchString(p.RunText()) {
		return true
	}
	// A Compose file with a build section builds on a plain `up`.
	bundle := filepath.Dir(p.Path)
	entries, _ := os.ReadDir(bundle)
	for _, e := range entries {
		if !e.IsDir() && (strings.HasSuffix(e.Name(), ".yaml") || strings.HasSuffix(e.Name(), ".yml")) {
			data, _ := os.ReadFile(filepath.Join(bundle, e.Name()))
			if composeBuildRE.Match(data) {
				return true
			}
		}
	}
	return false
}

var composeBuildRE = regexp.MustCompile(`(?m)^\s+build:`)

// removeNewCache removes the build cache records made since before.
func removeNewCache(ctx context.Context, cli client.APIClient, before map[string]time.Time) error {
	now, err := inventory.BuildCache(ctx, cli)
	if err != nil {
		return err
	}
	var ids []string
	for id := range now {
		if _, ok := before[id]; !ok {
			ids = append(ids, id)
		}
	}
	return inventory.RemoveBuildCache(ctx, cli, ids)
}

// newRefs writes to the journal only the references that did not exist
// before the page: a pre-existing tag the page overwrites is not its to
// remove.
type newRefs struct {
	*journal.Journal
	before map[string]string
}

func (n newRefs) Ref(ref string) error {
	if _, ok := n.before[ref]; ok {
		return nil
	}
	return n.Journal.Ref(ref)
}
