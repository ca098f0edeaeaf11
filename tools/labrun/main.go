// Command labrun runs every code block of the site against a real Docker
// daemon.
//
//	labrun capture [flags] [page|glob ...]   run pages, write what the terminals showed into them
//	labrun verify  [flags] [page|glob ...]   run pages, compare with what they say, write nothing
//	labrun list    [flags] [page|glob ...]   list pages, their blocks and skipped blocks with reasons
//	labrun clean   [-docker-host H]          remove what runs that died (SIGKILL, crash) left in the daemon
//
// capture and verify take --list too: they then list what they would run
// (after --shard) and run nothing.
//
// Pages default to every Markdown file under content/. Exit status: 0 all
// good; 1 drift, a failing block or a bad page; 2 usage or environment
// error (no daemon, a name clash with the user's objects).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/labdocs/dockerlab/tools/internal/blocks"
	"github.com/labdocs/dockerlab/tools/internal/course"
	"github.com/labdocs/dockerlab/tools/internal/record"
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
	force   bool
	verbose bool
	list    bool        // list what would run instead of running it
	format  string      // human, github
	junit   string      // write JUnit XML here too
	shard   *shard.Spec // nil: every page
	work    string
	jobs    int      // pages at once per daemon
	hosts   []string // a pool of daemons; empty: the environment's
	course  bool     // run the sections read in order as courses
}

func main() {
	os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr))
}

// Main is the command, callable from tests.
func Main(args []string, stdout, stderr io.Writer) int {
	cfg, err := parseArgs(args, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "labrun:", err)
		return exitEnv
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if cfg.cmd == "clean" {
		return clean(ctx, cfg, stdout, stderr)
	}
	pages, err := loadPages(cfg, stderr)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitDrift
	}
	if cfg.cmd == "list" || cfg.list {
		return list(pages, stdout)
	}
	return execute(ctx, cfg, pages, stdout, stderr)
}

// clean connects to each daemon, which removes what dead runs left there
// (see connect), and says so.
func clean(ctx context.Context, cfg *config, stdout, stderr io.Writer) int {
	if len(cfg.pages) > 0 {
		fmt.Fprintln(stderr, "labrun clean takes no pages: it removes only what runs that died left, on every page")
		return exitEnv
	}
	hosts := cfg.hosts
	if len(hosts) == 0 {
		hosts = []string{""}
	}
	for _, h := range hosts {
		e, err := connect(ctx, h, stdout)
		if err != nil {
			fmt.Fprintln(stderr, "labrun:", err)
			return exitEnv
		}
		fmt.Fprintf(stdout, "labrun clean: no leftovers of runs that died remain on %s\n", e.docker.DaemonHost())
		e.lock.Unlock()
	}
	return exitOK
}

func parseArgs(args []string, stderr io.Writer) (*config, error) {
	if len(args) == 0 {
		return nil, errors.New("usage: labrun capture|verify|list|clean [flags] [page|glob ...] (see -h)")
	}
	cfg := &config{cmd: args[0]}
	switch cfg.cmd {
	case "capture", "verify", "list", "clean":
	case "-h", "--help", "help":
		cfg.cmd = "help"
	default:
		return nil, fmt.Errorf("unknown command %q: use capture, verify, list or clean", cfg.cmd)
	}
	fs := flag.NewFlagSet("labrun "+cfg.cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&cfg.force, "force", false, "capture: re-run pages even when nothing they depend on changed")
	fs.BoolVar(&cfg.verbose, "v", false, "show every block's transcript")
	fs.BoolVar(&cfg.list, "list", false, "list the pages and blocks that would run, with skip reasons; run nothing")
	fs.StringVar(&cfg.format, "format", "human", "report format: human or github (annotations)")
	fs.StringVar(&cfg.junit, "junit", "", "also write a JUnit XML report to this file")
	shardSpec := fs.String("shard", "", "run only shard i of n (i/n, 1-based) of the pages")
	fs.IntVar(&cfg.jobs, "j", 1, "run up to N independent pages at once on each daemon")
	fs.BoolVar(&cfg.course, "course", false, "verify: run each section read in order (ordered: true in its _index.md) that the pages belong to as one course: its pages in reading order, one daemon, terminals and Docker objects kept from page to page; blocks with alone=true do not run")
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
	if cfg.course && cfg.cmd == "capture" {
		return nil, errors.New("-course verifies a course as a reader walks it; capture its pages on their own (labrun capture PAGE), so that both readings must agree")
	}
	if cfg.course && *shardSpec != "" {
		return nil, errors.New("-course runs whole courses: it does not take -shard")
	}
	if cfg.format != "human" && cfg.format != "github" {
		return nil, fmt.Errorf("-format %q: use human or github", cfg.format)
	}
	if *shardSpec != "" {
		sp, err := shard.Parse(*shardSpec)
		if err != nil {
			return nil, fmt.Errorf("-shard %w", err)
		}
		cfg.shard = &sp
	}
	return cfg, nil
}

// loadPages finds and parses the pages, and keeps those of the shard
// asked for. Any kept page that does not parse is an error naming
// file:line; nothing runs then. Warnings (a block left open) go to w and
// do not stop anything.
func loadPages(cfg *config, w io.Writer) ([]*blocks.Page, error) {
	paths, err := expand(cfg.pages)
	if err != nil {
		return nil, err
	}
	if cfg.course {
		if paths, err = coursePages(paths); err != nil {
			return nil, err
		}
	}
	type loaded struct {
		page *blocks.Page
		err  error
	}
	all := make([]loaded, len(paths))
	for k, path := range paths {
		src, err := os.ReadFile(path)
		if err != nil {
			all[k].err = err
			continue
		}
		all[k].page, all[k].err = blocks.Parse(path, src)
	}
	keep := make([]bool, len(all))
	if cfg.shard == nil {
		for k := range keep {
			keep[k] = true
		}
	} else {
		// Every page is parsed for its claims, but only this shard's
		// problems are reported: each page's in one shard.
		parsed := make([]*blocks.Page, len(all))
		for k, l := range all {
			if l.err == nil {
				parsed[k] = l.page
			}
		}
		for _, k := range shard.Keep(shardPages(paths, parsed), *cfg.shard) {
			keep[k] = true
		}
	}
	var pages []*blocks.Page
	var errs []error
	for k, l := range all {
		if !keep[k] {
			continue
		}
		if l.page != nil {
			for _, warn := range l.page.Warnings {
				fmt.Fprintf(w, "%s:%d: warning: %s\n", warn.Path, warn.Line, warn.Msg)
			}
		}
		if l.err != nil {
			errs = append(errs, l.err)
			continue
		}
		if err := lint(l.page); err != nil {
			errs = append(errs, err)
			continue
		}
		pages = append(pages, l.page)
	}
	return pages, errors.Join(errs...)
}

// coursePages replaces paths with every page of the courses they belong
// to, course after course, each in reading order. A page in no course is
// left out; none in any is an error.
func coursePages(paths []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, p := range paths {
		section := filepath.Dir(filepath.Dir(p))
		if seen[section] {
			continue
		}
		seen[section] = true
		c, ok, err := course.At(section)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, c.Pages...)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("-course: none of the pages is in a section read in order (ordered: true in the section's _index.md)")
	}
	return out, nil
}

// shardPages describes the pages to the split: the machine-wide claims of
// each (host ports, work folder: see package shard for why only those) and
// how long it ran at its last capture. pages[k] is nil for a page that
// does not parse: it joins no group.
func shardPages(paths []string, pages []*blocks.Page) []shard.Page {
	out := make([]shard.Page, len(paths))
	for k, path := range paths {
		out[k].Path = path
		p := pages[k]
		if p == nil || !p.Runs() {
			continue
		}
		out[k].Runs = true
		out[k].Claims = pageClaims(p).ports
		if rec, err := record.Load(path); err == nil && rec != nil {
			out[k].Weight = rec.DurationMS
		}
	}
	return out
}

// expand turns arguments (files, folders, globs) into Markdown files,
// sorted; no arguments means all of content/.
func expand(args []string) ([]string, error) {
	if len(args) == 0 {
		args = []string{"content"}
	}
	seen := map[string]bool{}
	var out []string
	add := func(p string) {
		if strings.HasSuffix(p, ".md") && !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, a := range args {
		matches, err := filepath.Glob(a)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", a, err)
		}
		if len(matches) == 0 {
			return nil, fmt.Errorf("%s: no such page (give a Markdown file, a folder or a glob)", a)
		}
		for _, m := range matches {
			err := filepath.WalkDir(m, func(path string, d os.DirEntry, err error) error {
				if err != nil {
					return err
				}
				if !d.IsDir() {
					add(path)
				}
				return nil
			})
			if err != nil {
				return nil, err
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

func list(pages []*blocks.Page, w io.Writer) int {
	skipped, total := 0, 0
	for _, p := range pages {
		if !p.Runs() {
			continue
		}
		fmt.Fprintf(w, "%s\n", p.Path)
		for _, b := range p.Blocks {
			total++
			switch b.Kind {
			case blocks.Skipped:
				skipped++
				fmt.Fprintf(w, "  %s:%d: skipped: %s\n", p.Path, b.Line, b.Opts.Skip)
			case blocks.File:
				fmt.Fprintf(w, "  %s:%d: file %s\n", p.Path, b.Line, b.Opts.File)
			default:
				first := ""
				if len(b.Commands) > 0 {
					first = b.Commands[0].Prompt + " " + firstLine(b.Commands[0].Text)
				}
				fmt.Fprintf(w, "  %s:%d: console term=%s %s\n", p.Path, b.Line, b.Opts.Term, first)
			}
		}
	}
	fmt.Fprintf(w, "%d blocks, %d skipped\n", total, skipped)
	return exitOK
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}
