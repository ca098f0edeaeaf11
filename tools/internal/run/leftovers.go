package run

import (
	"context"
	"time"

	"github.com/docker/docker/client"

	"github.com/labdocs/dockerlab/tools/internal/blocks"
	"github.com/labdocs/dockerlab/tools/internal/cmdline"
	"github.com/labdocs/dockerlab/tools/internal/inventory"
	"github.com/labdocs/dockerlab/tools/internal/journal"
)

// What a page leaves in the daemon besides its objects: build cache, and
// (if the runner dies) the journal's record of what it made.

// Builds reports whether page p may build an image (docker build, buildx,
// compose build or up --build, a script of the page's that does). Such
// pages' build cache is recorded and removed, and the scheduler keeps
// them from running at the same time on one daemon, so that the cache a
// page finds new is its own.
func Builds(p *blocks.Page) bool {
	var cmds []cmdline.Command
	for _, c := range commands(p) {
		if cs, err := cmdline.Parse(c.Text); err == nil {
			cmds = append(cmds, cs...)
		}
	}
	for _, f := range pageFiles(p) {
		if cs, ok := script(f); ok {
			cmds = append(cmds, cs...)
		}
		// A Compose file with a build section builds on a plain `up`.
		if c, ok := readCompose(f.text); ok && c.builds() {
			return true
		}
	}
	for _, c := range cmdline.Docker(cmds) {
		switch {
		case c.Help:
		case c.Cmd == "build" || c.Cmd == "bake" || c.Cmd == "compose build" || c.Cmd == "compose watch",
			c.Has("build") && (c.Cmd == "compose up" || c.Cmd == "compose run" || c.Cmd == "compose create"):
			return true
		}
	}
	return false
}

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
