// Command labimages provisions the lab's Docker images (debian, nginx,
// node, redis, registry, busybox) under the names a reader types, pulling
// them or building them from the recipes in tools/images.
//
//	labimages [--images=auto|pull|build] [--registry HOST:PORT] [--only a,b] [-q] [-v]
//	labimages --list [--json]
//	labimages --export DIR | --import DIR
//
// What it built or pulled is recorded in the host's ledger ($LABDOCS_LEDGER,
// else labdocs/images.json in the user's cache folder), not on the images:
// run it and labrun as the same user, or point both at one ledger.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/docker/go-units"
	"github.com/labdocs/dockerlab/tools/internal/cli"
	"github.com/labdocs/dockerlab/tools/internal/dockerenv"
	"github.com/labdocs/dockerlab/tools/internal/images"
)

func main() { cli.Main(run) }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("labimages", flag.ContinueOnError)
	fl.SetOutput(stderr)
	defPolicy := "auto"
	if v := os.Getenv("LAB_IMAGES"); v != "" {
		defPolicy = v // lets an offline machine default to build
	}
	policy := fl.String("images", defPolicy, "where images come from: auto (pull from --registry, else build), pull, or build (default from $LAB_IMAGES)")
	registry := fl.String("registry", os.Getenv("LAB_REGISTRY"), "registry to pull from: a mirror HOST:PORT, or default for the daemon's own default (default from $LAB_REGISTRY; none: auto builds)")
	pullTimeout := fl.Duration("pull-timeout", 0, "limit for each pull (default 30s under auto, 10m under pull)")
	only := fl.String("only", "", "comma-separated recipes to provision (and what they are built FROM); default all")
	prefix := fl.String("prefix", "", "put this before every image name (for experiments that must not touch the lab's images)")
	recipes := fl.String("recipes", "", "recipes folder (default <repo>/tools/images)")
	quiet := fl.Bool("q", false, "print nothing but errors")
	verbose := fl.Bool("v", false, "stream build and pull output")
	list := fl.Bool("list", false, "list the lab images with ID, size and origin instead of provisioning")
	asJSON := fl.Bool("json", false, "machine-readable output")
	export := fl.String("export", "", "write the lab images (docker save) and their ledger entries into this folder, for --import elsewhere")
	imp := fl.String("import", "", "load the lab images and their ledger entries from a folder --export wrote")
	fl.Usage = func() {
		fmt.Fprintf(stderr, "usage: labimages [flags]\n\nProvision the lab's Docker images, or --list them.\n\n")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if fl.NArg() > 0 {
		fmt.Fprintf(stderr, "labimages: unexpected argument %q\n", fl.Arg(0))
		return 2
	}
	pol, err := images.ParsePolicy(*policy)
	if err != nil {
		fmt.Fprintln(stderr, "labimages:", err)
		return 2
	}

	root, err := images.FindRepoRoot()
	if err != nil {
		fmt.Fprintln(stderr, "labimages:", err)
		return 1
	}
	dir := *recipes
	if dir == "" {
		dir = images.DefaultRecipesDir(root)
	}
	cat, err := images.LoadCatalog(root, dir)
	if err != nil {
		fmt.Fprintln(stderr, "labimages:", err)
		return 1
	}
	cli, _, err := dockerenv.Client(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "labimages:", err)
		return 1
	}
	defer cli.Close()

	if *export != "" {
		if err := images.Export(ctx, cli, cat, nil, *prefix, *export); err != nil {
			fmt.Fprintln(stderr, "labimages:", err)
			return 1
		}
		if !*quiet {
			fmt.Fprintf(stdout, "exported the lab images to %s\n", *export)
		}
		return 0
	}
	if *imp != "" {
		n, err := images.Import(ctx, cli, nil, *imp)
		if err != nil {
			fmt.Fprintln(stderr, "labimages:", err)
			return 1
		}
		if !*quiet {
			fmt.Fprintf(stdout, "imported %d lab images from %s\n", n, *imp)
		}
		return 0
	}

	if *list {
		st, err := images.List(ctx, cli, cat, nil, *prefix)
		if err != nil {
			fmt.Fprintln(stderr, "labimages:", err)
			return 1
		}
		if *asJSON {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			enc.Encode(st)
			return 0
		}
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "IMAGE\tTAGS\tID\tSIZE\tSTATE\tORIGIN")
		for _, s := range st {
			id, size := "-", "-"
			if s.ID != "" {
				id = strings.TrimPrefix(s.ID, "sha256:")[:12]
				size = units.HumanSizeWithPrecision(float64(s.Size), 3)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", s.Name, strings.Join(s.Tags, " "), id, size, s.State, s.Origin)
		}
		tw.Flush()
		// The name pages' provenance gives the lab images on this daemon.
		present, err := images.Present(ctx, cli, nil)
		if err != nil {
			fmt.Fprintln(stderr, "labimages:", err)
			return 1
		}
		if set := images.SetName(present); set != "" {
			fmt.Fprintf(stdout, "lab image set on this daemon: %s\n", set)
		}
		return 0
	}

	opts := images.Options{Policy: pol, Registry: *registry, PullTimeout: *pullTimeout, Prefix: *prefix}
	if *only != "" {
		opts.Only = strings.Split(*only, ",")
	}
	if !*quiet && !*asJSON {
		opts.Progress = stdout
	}
	if *verbose {
		opts.BuildLog = stderr
	}
	start := time.Now()
	res, err := images.Provision(ctx, cli, cat, opts)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(res)
	}
	if err != nil {
		fmt.Fprintln(stderr, "labimages:", err)
		return 1
	}
	if opts.Progress != nil {
		fmt.Fprintf(stdout, "%d built, %d pulled, %d up to date in %s\n",
			res.Count(images.Built), res.Count(images.Pulled), res.Count(images.UpToDate), time.Since(start).Round(100*time.Millisecond))
	}
	return 0
}
