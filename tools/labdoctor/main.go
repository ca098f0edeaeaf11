// Command labdoctor checks the Docker environment the lab needs and says
// how to fix what is missing: the docker CLI, a reachable daemon (and how
// it was found), the buildx and compose plugins, every lab image (current
// with its recipe, with its origin), and free disk space. It exits non-zero
// when something the lab needs is missing.
package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/docker/docker/client"
	"github.com/docker/go-units"
	"github.com/labdocs/dockerlab/tools/internal/cli"
	"github.com/labdocs/dockerlab/tools/internal/dockerenv"
	"github.com/labdocs/dockerlab/tools/internal/images"
)

func main() { cli.Main(run) }

// Statuses of a check. warn does not fail the run: the lab still works.
const (
	ok   = "ok"
	warn = "warn"
	fail = "FAIL"
)

// lowDisk is the free space under which disks get a warning: the images
// and a page's builds need a few GiB.
const lowDisk = 5 << 30

type check struct {
	status, name, detail, hint string
}

type report struct {
	checks []check
}

func (r *report) add(status, name, detail, hint string) {
	r.checks = append(r.checks, check{status, name, detail, hint})
}

func (r *report) failed() bool {
	for _, c := range r.checks {
		if c.status == fail {
			return true
		}
	}
	return false
}

// print aligns the names and puts each hint under its check.
func (r *report) print(w io.Writer) {
	width := 0
	for _, c := range r.checks {
		width = max(width, len(c.name))
	}
	for _, c := range r.checks {
		fmt.Fprintf(w, "%-4s  %-*s  %s\n", c.status, width, c.name, c.detail)
		if c.hint != "" && c.status != ok {
			fmt.Fprintf(w, "%-4s  %-*s  fix: %s\n", "", width, "", c.hint)
		}
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintln(stderr, "usage: labdoctor   (no arguments; checks the Docker environment for the lab)")
		return 2
	}
	var r report

	cliTool := dockerenv.CLI(ctx)
	if cliTool.Err != nil {
		r.add(fail, "docker CLI", cliTool.Err.Error(), "install Debian's docker CLI package, or run `make bootstrap`")
	} else {
		r.add(ok, "docker CLI", fmt.Sprintf("%s (%s)", cliTool.Version, cliTool.Path), "")
	}

	cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	cli, info, err := dockerenv.Client(cctx)
	cancel()
	if err != nil {
		where := "-"
		if info.Host != "" {
			where = info.Describe()
		}
		r.add(fail, "daemon", where, err.Error())
	} else {
		defer cli.Close()
		r.add(ok, "daemon", info.Describe(), "")
		status, hint := engineCheck(info.EngineVersion)
		r.add(status, "engine", fmt.Sprintf("%s, API %s (daemon speaks %s to %s), %s/%s, %s storage",
			info.EngineVersion, info.APIVersion, info.MinAPIVersion, info.ServerAPIVersion, info.OS, info.Arch, info.StorageDriver), hint)
	}

	if cliTool.Err == nil {
		for _, p := range dockerenv.Plugins(ctx) {
			name := p.Name + " plugin"
			if p.Err != nil {
				r.add(fail, name, p.Err.Error(),
					fmt.Sprintf("`make bootstrap` builds it from the pinned Go module in tools/plugins/%s into ~/.docker/cli-plugins", p.Name))
			} else {
				r.add(ok, name, p.Version, "")
			}
		}
	}

	root, rootErr := images.FindRepoRoot()
	if cli != nil {
		checkImages(ctx, &r, cli, root, rootErr)
		if info.DockerRootDir != "" {
			checkDisk(&r, "disk (docker)", info.DockerRootDir, local(info))
		}
	}
	if rootErr == nil {
		checkDisk(&r, "disk (repo)", root, true)
	}

	r.print(stdout)
	if r.failed() {
		return 1
	}
	return 0
}

// minEngine is the oldest Docker engine major version the lab is made
// for (its pages are captured on a current engine); bootstrap.sh's
// LAB_ENGINE_MIN says the same.
const minEngine = 28

// engineCheck is the status of a daemon's engine version and, when it is
// older than minEngine or unreadable, how to get a current one.
func engineCheck(version string) (status, hint string) {
	const fix = "`make bootstrap` replaces an engine it started itself with engine 29 (compiled once from tools/engine); " +
		"an engine you run yourself: upgrade it to 28 or newer, or stop it and run `make bootstrap`; " +
		"`LAB_ENGINE=installed make bootstrap` keeps it, and pages may then differ from their captures"
	major, _, _ := strings.Cut(strings.TrimPrefix(version, "v"), ".")
	n, err := strconv.Atoi(major)
	switch {
	case err != nil:
		return warn, "cannot read the engine's version " + strconv.Quote(version) + "; the lab needs engine " + strconv.Itoa(minEngine) + " or newer: " + fix
	case n < minEngine:
		return warn, "the lab needs engine " + strconv.Itoa(minEngine) + " or newer: " + fix
	}
	return ok, ""
}

func checkImages(ctx context.Context, r *report, cli client.APIClient, root string, rootErr error) {
	if rootErr != nil {
		r.add(fail, "images", rootErr.Error(), "run labdoctor from inside the repository")
		return
	}
	cat, err := images.LoadCatalog(root, images.DefaultRecipesDir(root))
	if err != nil {
		r.add(fail, "images", err.Error(), "fix the recipes in tools/images")
		return
	}
	st, err := images.List(ctx, cli, cat, nil, "")
	if err != nil {
		r.add(fail, "images", err.Error(), "")
		return
	}
	tagWidth := 0
	for _, s := range st {
		tagWidth = max(tagWidth, len(strings.Join(s.Tags, " ")))
	}
	for _, s := range st {
		name := "image " + s.Name
		tags := fmt.Sprintf("%-*s", tagWidth, strings.Join(s.Tags, " "))
		id := ""
		if s.ID != "" {
			id = strings.TrimPrefix(s.ID, "sha256:")[:12]
		}
		switch {
		case s.State == images.StateMissing:
			r.add(fail, name, tags+": missing", "`make images` builds it from tools/images/"+s.Name)
		case s.State == images.StateStale:
			r.add(fail, name, fmt.Sprintf("%s %s: built from an older recipe (image %.12s, recipe now %.12s)", tags, id, s.ImageHash, s.RecipeHash),
				"`make images` rebuilds it (and what is built FROM it)")
		case s.State == images.StateForeign:
			r.add(warn, name, fmt.Sprintf("%s %s: %s", tags, id, s.Origin), "`make images IMAGES=build` replaces it with the lab's own")
		case len(s.MissingTags) > 0:
			r.add(fail, name, fmt.Sprintf("%s %s: tag %s missing", tags, id, strings.Join(s.MissingTags, " ")), "`make images` restores the tags")
		default:
			r.add(ok, name, fmt.Sprintf("%s  %s  %7s  %s", tags, id, units.HumanSizeWithPrecision(float64(s.Size), 3), s.Origin), "")
		}
	}
}

// local says whether the daemon's paths are paths of this machine.
func local(info dockerenv.Info) bool {
	return strings.HasPrefix(info.Host, "unix://")
}

func checkDisk(r *report, name, path string, isLocal bool) {
	if !isLocal {
		r.add(ok, name, path+": not checked, the daemon is on another machine", "")
		return
	}
	var fs syscall.Statfs_t
	if err := syscall.Statfs(path, &fs); err != nil {
		r.add(warn, name, "cannot check free space: "+err.Error(), "")
		return
	}
	free := int64(fs.Bavail) * int64(fs.Bsize)
	detail := fmt.Sprintf("%s free on %s", units.BytesSize(float64(free)), path)
	if free < lowDisk {
		r.add(warn, name, detail+" (under 5GiB)", "free space: `docker system df` shows what Docker holds; `docker image prune` drops dangling images")
		return
	}
	r.add(ok, name, detail, "")
}
