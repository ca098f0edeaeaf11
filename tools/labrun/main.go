// Command labrun runs every code block of the site against a real Docker
// daemon.
//
//	labrun capture [flags] [page|glob ...]   run pages, write what the terminals showed into them
//	labrun verify  [flags] [page|glob ...]   run pages, compare with what they say, write nothing
//	labrun list    [flags] [page|glob ...]   list pages, their blocks and skipped blocks with reasons
//	labrun clean   [-docker-host H]          remove what runs that died (SIGKILL, crash) left in the daemon
//	labrun matrix  [-dockerd PATH] [-write]  run the courses on another engine, compare block by block with the engines page's data
//
// capture and verify take --list too: they then list what they would run
// (after --shard) and run nothing.
//
// Pages default to every Markdown file under content/. Exit status: 0 all
// good; 1 drift, a failing block or a bad page; 2 usage or environment
// error (no daemon, a name clash with the user's objects).
//
// The command is flags, wiring and exit codes: package load reads the
// pages, package check runs and judges them.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/labdocs/dockerlab/tools/internal/blocks"
	"github.com/labdocs/dockerlab/tools/internal/check"
	"github.com/labdocs/dockerlab/tools/internal/cli"
	"github.com/labdocs/dockerlab/tools/internal/load"
	"github.com/labdocs/dockerlab/tools/internal/shard"
)

// Exit codes, documented in the authoring guide.
const (
	exitOK    = 0
	exitDrift = 1
	exitEnv   = 2
)

type config struct {
	cmd     string
	pages   []string
	mode    check.Mode // capture or verify
	verbose bool
	list    bool   // list what would run instead of running it
	format  string // human, github
	junit   string // write JUnit XML here too
	json    string // write every block's result as JSON here too
	load    load.Options
	work    string
	jobs    int      // pages at once per daemon
	hosts   []string // a pool of daemons; empty: the environment's
}

func main() { cli.Main(run) }

// run is the command, callable from tests.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "matrix" {
		return matrixCmd(ctx, args[1:], stdout, stderr)
	}
	cfg, err := parseArgs(args, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "labrun:", err)
		return exitEnv
	}
	if cfg.cmd == "clean" {
		return clean(ctx, cfg, stdout, stderr)
	}
	pages, err := load.Pages(cfg.pages, cfg.load, stderr)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitDrift
	}
	if cfg.cmd == "list" || cfg.list {
		load.List(stdout, pages)
		return exitOK
	}
	return execute(ctx, cfg, pages, stdout, stderr)
}

// clean connects to each daemon, which removes what dead runs left there
// (see check.Connect), and says so.
func clean(ctx context.Context, cfg *config, stdout, stderr io.Writer) int {
	if len(cfg.pages) > 0 {
		fmt.Fprintln(stderr, "labrun clean takes no pages: it removes only what runs that died left, on every page")
		return exitEnv
	}
	for _, h := range hosts(cfg) {
		e, err := check.Connect(ctx, h, stdout)
		if err != nil {
			fmt.Fprintln(stderr, "labrun:", err)
			return exitEnv
		}
		fmt.Fprintf(stdout, "labrun clean: no leftovers of runs that died remain on %s\n", e.Docker.DaemonHost())
		e.Close()
	}
	return exitOK
}

// hosts are the daemons to run on; "" is the environment's.
func hosts(cfg *config) []string {
	if len(cfg.hosts) == 0 {
		return []string{""}
	}
	return cfg.hosts
}

func parseArgs(args []string, stderr io.Writer) (*config, error) {
	if len(args) == 0 {
		return nil, errors.New("usage: labrun capture|verify|list|clean [flags] [page|glob ...], or labrun matrix (see -h)")
	}
	cfg := &config{cmd: args[0]}
	switch cfg.cmd {
	case "capture", "verify", "list", "clean":
	case "-h", "--help", "help":
		cfg.cmd = "help"
	default:
		return nil, fmt.Errorf("unknown command %q: use capture, verify, list, clean or matrix", cfg.cmd)
	}
	fs := flag.NewFlagSet("labrun "+cfg.cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	force := fs.Bool("force", false, "capture: re-run pages even when nothing they depend on changed")
	fs.BoolVar(&cfg.verbose, "v", false, "show every block's transcript")
	fs.BoolVar(&cfg.list, "list", false, "list the pages and blocks that would run, with skip reasons; run nothing")
	fs.StringVar(&cfg.format, "format", "human", "report format: human or github (annotations)")
	fs.StringVar(&cfg.junit, "junit", "", "also write a JUnit XML report to this file")
	fs.StringVar(&cfg.json, "json", "", "also write the daemons' versions and every block's result (status, the page's and the run's output, normalised and as shown) as JSON to this file")
	shardSpec := fs.String("shard", "", "run only shard i of n (i/n, 1-based) of the pages")
	fs.IntVar(&cfg.jobs, "j", 1, "run up to N independent pages at once on each daemon")
	fs.BoolVar(&cfg.load.Course, "course", false, "verify: run each section read in order (ordered: true in its _index.md) that the pages belong to as one course: its pages in reading order, one daemon, terminals and Docker objects kept from page to page; blocks with alone=true do not run")
	fs.Func("docker-host", "run pages on this daemon too (repeat for a pool; unix:// or tcp://)", func(v string) error {
		cfg.hosts = append(cfg.hosts, v)
		return nil
	})
	fs.StringVar(&cfg.work, "work", "", "folder for the pages' work folders (default: $TMPDIR/labrun-work)")
	if cfg.cmd == "help" {
		fs.Usage()
		return nil, errors.New("usage: labrun capture|verify|list [flags] [page|glob ...]")
	}
	// Flags may come after pages too: labrun verify content/lab -v.
	rest := args[1:]
	for {
		if err := fs.Parse(rest); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			break
		}
		cfg.pages = append(cfg.pages, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	cfg.mode = check.Verify{}
	if cfg.cmd == "capture" {
		cfg.mode = check.Capture{Force: *force}
	}
	if cfg.load.Course && cfg.cmd == "capture" {
		return nil, errors.New("-course verifies a course as a reader walks it; capture its pages on their own (labrun capture PAGE), so that both readings must agree")
	}
	if cfg.load.Course && *shardSpec != "" {
		return nil, errors.New("-course runs whole courses: it does not take -shard")
	}
	if cfg.load.Course && (cfg.jobs > 1 || len(cfg.hosts) > 1) {
		// A course is one reader on one machine: one daemon, one page at a time.
		return nil, errors.New("-course runs a course on one daemon, one page at a time: it does not take -j or a pool of -docker-host")
	}
	if cfg.format != "human" && cfg.format != "github" {
		return nil, fmt.Errorf("-format %q: use human or github", cfg.format)
	}
	if *shardSpec != "" {
		sp, err := shard.Parse(*shardSpec)
		if err != nil {
			return nil, fmt.Errorf("-shard %w", err)
		}
		cfg.load.Shard = &sp
	}
	return cfg, nil
}

// execute runs the pages that run on the daemons, reports their outcomes
// and returns the exit status.
func execute(ctx context.Context, cfg *config, pages []*blocks.Page, stdout, stderr io.Writer) int {
	var envs []*check.Env
	for _, h := range hosts(cfg) {
		e, err := check.Connect(ctx, h, stderr)
		if err != nil {
			fmt.Fprintln(stderr, "labrun:", err)
			return exitEnv
		}
		defer e.Close()
		envs = append(envs, e)
	}
	c := &check.Checker{Mode: cfg.mode, Work: cfg.work, Jobs: cfg.jobs}
	outs := c.Run(ctx, envs, pages, cfg.load.Course, stderr)
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "labrun: interrupted; the pages' Docker objects were removed")
		return exitEnv
	}
	code := exitOK
	for _, o := range outs {
		if o.Err != nil {
			code = exitEnv
		} else if o.Failed() && code == exitOK {
			code = exitDrift
		}
	}
	opts := check.ReportOptions{Format: cfg.format, JUnit: cfg.junit, JSON: cfg.json, Envs: envs, Verbose: cfg.verbose, Name: "labrun " + cfg.cmd}
	if err := check.Report(stdout, outs, opts); err != nil {
		fmt.Fprintln(stderr, "labrun:", err)
		return exitEnv
	}
	return code
}
