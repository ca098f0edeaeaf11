package images

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"
	"github.com/labdocs/dockerlab/tools/internal/daemonlock"
	"github.com/labdocs/dockerlab/tools/internal/ledger"
)

// Policy says where images come from.
type Policy string

const (
	// PolicyAuto tries a pull from Options.Registry with a short timeout
	// and builds when it fails. Without a registry it builds right away:
	// a pull from the daemon's default registry would reach out to the
	// internet, which lab machines must not do unasked.
	PolicyAuto Policy = "auto"
	// PolicyPull only pulls: from Options.Registry, or from the daemon's
	// default registry when none is given.
	PolicyPull Policy = "pull"
	// PolicyBuild only builds from recipes.
	PolicyBuild Policy = "build"
)

// ParsePolicy accepts "auto", "pull" or "build".
func ParsePolicy(s string) (Policy, error) {
	switch p := Policy(s); p {
	case PolicyAuto, PolicyPull, PolicyBuild:
		return p, nil
	}
	return "", fmt.Errorf("unknown image policy %q: want auto, pull or build", s)
}

// Options tune Provision.
type Options struct {
	Policy Policy
	// Registry is the HOST:PORT of a mirror registry to pull from; empty
	// or "default" means the daemon's default registry.
	Registry string
	// PullTimeout bounds each pull; 0 means 30s under auto and 10m under pull.
	PullTimeout time.Duration
	Prefix      string   // put before every repository name (tests: "labtest-")
	Only        []string // recipes to provision; empty = all
	Progress    io.Writer
	BuildLog    io.Writer // full build output; nil keeps it (and shows its tail on failure)
	// Locked says the caller already holds the daemonlock for this daemon.
	Locked bool
	// Ledger records what was built and pulled; nil means
	// ledger.Default().
	Ledger *ledger.Ledger
}

// Action is what Provision did to one image.
type Action string

const (
	UpToDate Action = "up to date"
	Built    Action = "built"
	Pulled   Action = "pulled"
)

// Result describes one provisioned image.
type Result struct {
	Image
	Action   Action        `json:"action"`
	Duration time.Duration `json:"duration_ns"`
	Note     string        `json:"note,omitempty"` // e.g. why a pull failed before a build
}

// Results of one Provision run, in build order.
type Results []Result

// Count is how many images got action a.
func (rs Results) Count(a Action) int {
	n := 0
	for _, r := range rs {
		if r.Action == a {
			n++
		}
	}
	return n
}

// Names lists the images that got action a.
func (rs Results) Names(a Action) []string {
	var out []string
	for _, r := range rs {
		if r.Action == a {
			out = append(out, r.Name)
		}
	}
	return out
}

type provisioner struct {
	cli   client.APIClient
	cat   *Catalog
	opts  Options
	led   *ledger.Ledger
	known ledger.Entries // the ledger as last read or written
}

// Provision makes every selected lab image present and current, and
// records each in the ledger. It only creates, tags and removes images
// named by the catalog's tags (with the prefix), plus dangling images
// that its own builds left behind; an image it removes must be in the
// ledger. Containers, networks, volumes and other images are never
// touched.
func Provision(ctx context.Context, cli client.APIClient, cat *Catalog, opts Options) (Results, error) {
	if opts.Policy == "" {
		opts.Policy = PolicyAuto
	}
	if opts.Policy == PolicyAuto && opts.Registry == "" {
		opts.Policy = PolicyBuild
		if opts.Progress != nil {
			fmt.Fprintln(opts.Progress, "auto: no registry given, so building (--registry HOST:PORT pulls from a mirror, --registry default from the daemon's default registry)")
		}
	}
	if opts.Prefix != "" && opts.Policy != PolicyBuild && isDefaultRegistry(opts.Registry) {
		// Pulling from the default registry lands on the real lab names
		// (e.g. nginx:latest) and would change them.
		return nil, errors.New("a prefixed run can pull only from a mirror registry (HOST:PORT)")
	}
	names := opts.Only
	if opts.Policy != PolicyPull || len(names) == 0 {
		// Builds need their bases; pulled images are complete as they are.
		var err error
		if names, err = cat.Closure(opts.Only); err != nil {
			return nil, err
		}
	} else {
		for _, n := range names {
			if cat.Recipe(n) == nil {
				return nil, fmt.Errorf("no recipe %q (have: %s)", n, strings.Join(cat.Names(), ", "))
			}
		}
	}
	if !opts.Locked {
		// Page runs remove every container that appears while they run,
		// build containers included: take turns on the daemon.
		l, err := daemonlock.Acquire(ctx, cli.DaemonHost(), opts.Progress)
		if err != nil {
			return nil, err
		}
		defer l.Unlock()
	}

	led, err := ledgerOr(opts.Ledger)
	if err != nil {
		return nil, err
	}
	known, err := led.Load()
	if err != nil {
		return nil, err
	}
	p := &provisioner{cli: cli, cat: cat, opts: opts, led: led, known: known}
	var out Results
	for _, n := range names {
		res, err := p.ensure(ctx, cat.Recipe(n))
		if err != nil {
			return out, fmt.Errorf("%s: %w", n, err)
		}
		out = append(out, res)
	}
	return out, nil
}

func (p *provisioner) progress(format string, a ...any) {
	if p.opts.Progress != nil {
		fmt.Fprintf(p.opts.Progress, format+"\n", a...)
	}
}

// ensure provisions one image whose bases are already current.
func (p *provisioner) ensure(ctx context.Context, r *Recipe) (Result, error) {
	want := p.cat.Hash(r.Name)
	res := Result{Image: p.cat.image(r.Name, p.opts.Prefix)}
	tags := res.Tags

	// Remember what the tags named before, to clear out what we replace.
	before := map[string]bool{}
	var cur *image.InspectResponse
	for i, t := range tags {
		ii, err := p.cli.ImageInspect(ctx, t)
		if err != nil {
			if cerrdefs.IsNotFound(err) {
				continue
			}
			return res, err
		}
		before[ii.ID] = true
		if i == 0 {
			cur = &ii
		}
	}
	if cur != nil {
		// Only the ledger makes an image a lab image: a user's image of
		// the same name, or one a fresh daemon got elsewhere, is not in
		// it and is replaced.
		e, ours := p.known[cur.ID]
		ours = ours && e.Recipe == r.Name
		pulledOK := ours && isPulled(e) && p.opts.Policy != PolicyBuild
		if (ours && e.Hash == want) || pulledOK {
			note, err := p.tagAll(ctx, cur.ID, tags)
			if err != nil {
				return res, err
			}
			p.pruneReplaced(ctx, before, cur.ID)
			res.Action, res.ID, res.Origin, res.Note = UpToDate, cur.ID, e.Origin, strings.TrimPrefix(note, "; ")
			if note != "" {
				note = "; " + note
			}
			p.progress("%s: up to date (recipe %s)%s", r.Name, short(want), note)
			return res, nil
		}
	}

	start := time.Now()
	var id string
	var e ledger.Entry
	var err error
	switch p.opts.Policy {
	case PolicyPull:
		id, e, err = p.pull(ctx, r, tags)
		res.Action = Pulled
	case PolicyAuto:
		id, e, err = p.pull(ctx, r, tags)
		res.Action = Pulled
		if err != nil {
			res.Note = "pull failed: " + err.Error()
			p.progress("%s: pull failed (%v), building from %s", r.Name, firstLine(err.Error()), p.cat.RelDir(r))
			start = time.Now()
			id, e, err = p.build(ctx, r, tags)
			res.Action = Built
		}
	default:
		id, e, err = p.build(ctx, r, tags)
		res.Action = Built
	}
	if err != nil {
		return res, err
	}
	// Recorded before anything is pruned: an image the ledger does not
	// name is never removed, and the next run would build it again.
	if p.known, err = p.led.Record(id, e); err != nil {
		return res, fmt.Errorf("record %s in the ledger: %w", short(id), err)
	}
	res.ID, res.Origin, res.Duration = id, e.Origin, time.Since(start)
	p.pruneReplaced(ctx, before, id)
	if res.Action == Built {
		p.progress("%s: built in %s (recipe %s)", r.Name, res.Duration.Round(time.Second), short(want))
	} else {
		p.progress("%s: %s in %s", r.Name, e.Origin, res.Duration.Round(time.Second))
	}
	return res, nil
}

// entry is the ledger's entry for an image of r.
func (p *provisioner) entry(r *Recipe, hash, origin string) ledger.Entry {
	return ledger.Entry{Recipe: r.Name, Tags: r.Tags, Hash: hash, Origin: origin, Suite: p.cat.Suite(r.Name)}
}

func isPulled(e ledger.Entry) bool { return strings.HasPrefix(e.Origin, "pulled ") }

func ledgerOr(l *ledger.Ledger) (*ledger.Ledger, error) {
	if l != nil {
		return l, nil
	}
	return ledger.Default()
}

// knownTo reads the entries of l (nil: ledger.Default()).
func knownTo(l *ledger.Ledger) (ledger.Entries, error) {
	l, err := ledgerOr(l)
	if err != nil {
		return nil, err
	}
	return l.Load()
}

// tagAll points every tag at id, e.g. restores debian:latest when only
// debian:bookworm was left.
func (p *provisioner) tagAll(ctx context.Context, id string, tags []string) (string, error) {
	var added []string
	for _, t := range tags {
		ii, err := p.cli.ImageInspect(ctx, t)
		if err == nil && ii.ID == id {
			continue
		}
		if err != nil && !cerrdefs.IsNotFound(err) {
			return "", err
		}
		if err := p.cli.ImageTag(ctx, id, t); err != nil {
			return "", fmt.Errorf("tag %s: %w", t, err)
		}
		added = append(added, t)
	}
	if len(added) == 0 {
		return "", nil
	}
	return "tagged " + strings.Join(added, " "), nil
}

// pruneReplaced removes images that our tags named before and that are now
// dangling, are in the ledger and serve no container; their entries go
// too. Their untagged parents go with them (the classic builder's layer
// images).
func (p *provisioner) pruneReplaced(ctx context.Context, before map[string]bool, keep string) {
	for id := range before {
		if id == keep {
			continue
		}
		ii, err := p.cli.ImageInspect(ctx, id)
		if err != nil || len(ii.RepoTags) > 0 {
			continue
		}
		_, ours := p.known[ii.ID]
		if !ours && imageLabels(ii)[legacyLabel] == "" {
			continue
		}
		if p.removeUnused(ctx, ii.ID) && ours {
			if known, err := p.led.Forget(ii.ID); err == nil {
				p.known = known
			}
		}
	}
}

// legacyLabel marked lab images before the ledger: replacing such an
// image (named by our tags, now dangling) frees its space.
const legacyLabel = "org.labdocs.recipe"

// removeUnused removes an image that no container uses.
func (p *provisioner) removeUnused(ctx context.Context, id string) bool {
	used, err := p.usedImages(ctx)
	if err != nil || used[id] {
		return false
	}
	_, err = p.cli.ImageRemove(ctx, id, image.RemoveOptions{PruneChildren: true})
	return err == nil
}

func (p *provisioner) usedImages(ctx context.Context) (map[string]bool, error) {
	cs, err := p.cli.ContainerList(ctx, container.ListOptions{All: true})
	return idSet(cs, func(c container.Summary) string { return c.ImageID }), err
}

// dangling lists dangling images; builds diff it before and after to find
// the stage images they left.
func (p *provisioner) dangling(ctx context.Context) (map[string]bool, error) {
	list, err := p.cli.ImageList(ctx, image.ListOptions{Filters: filters.NewArgs(filters.Arg("dangling", "true"))})
	return idSet(list, func(s image.Summary) string { return s.ID }), err
}

// idSet is the set of the IDs id gives for list's items.
func idSet[T any](list []T, id func(T) string) map[string]bool {
	m := make(map[string]bool, len(list))
	for _, x := range list {
		m[id(x)] = true
	}
	return m
}

func imageLabels(ii image.InspectResponse) map[string]string {
	if ii.Config == nil || ii.Config.Labels == nil {
		return map[string]string{}
	}
	return ii.Config.Labels
}

func isDefaultRegistry(r string) bool {
	r = strings.TrimSuffix(r, "/")
	return r == "" || r == "default"
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
