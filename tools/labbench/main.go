// Command labbench measures what the runner costs on top of the commands
// it runs, and the other times authors and CI wait for.
//
//	labbench [-rounds 3] [-out bench-results.txt] [-cold-images]
//
// It runs the course's single-terminal pages two ways, on the same warm
// images, several rounds: (a) `labrun verify`, (b) a plain `bash -e`
// script of exactly the same commands in the same order, generated from
// the pages, followed by the same cleanup. It reports both wall times,
// their ratio (median and spread), and also: `hugo` site build, capture
// with nothing changed, verify with -j 1 against -j 2 (whose reports must
// be identical), the handout, and (with -cold-images) a cold image build.
// Nothing here is asserted: targets are read from the report.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/labdocs/dockerlab/tools/internal/blocks"
	"github.com/labdocs/dockerlab/tools/internal/bundle"
	"github.com/labdocs/dockerlab/tools/internal/dockerenv"
	"github.com/labdocs/dockerlab/tools/internal/inventory"
	"github.com/labdocs/dockerlab/tools/internal/ledger"
)

func main() {
	rounds := flag.Int("rounds", 3, "rounds of each comparison (the median is reported)")
	out := flag.String("out", "bench-results.txt", "also write the results to this file")
	cold := flag.Bool("cold-images", false, "also time a cold build of every lab image under a throwaway prefix (minutes)")
	flag.Parse()
	var buf bytes.Buffer
	w := io.MultiWriter(os.Stdout, &buf)
	if err := bench(w, *rounds, *cold); err != nil {
		fmt.Fprintln(os.Stderr, "labbench:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "labbench:", err)
		os.Exit(1)
	}
}

func bench(w io.Writer, rounds int, cold bool) error {
	bin := filepath.Join(os.TempDir(), "labbench-labrun")
	if out, err := exec.Command("go", "build", "-o", bin, "./tools/labrun").CombinedOutput(); err != nil {
		return fmt.Errorf("build labrun: %v\n%s", err, out)
	}
	pages, err := simplePages("content")
	if err != nil {
		return err
	}
	if len(pages) == 0 {
		return fmt.Errorf("no single-terminal page under content/ to compare")
	}
	fmt.Fprintf(w, "labbench %s, %d rounds\n", time.Now().UTC().Format(time.RFC3339), rounds)
	fmt.Fprintf(w, "single-terminal pages compared (%d): %s\n", len(pages), strings.Join(paths(pages), " "))

	// (a) against (b), alternating so that drift in the machine's load
	// hits both alike.
	var a, b []time.Duration
	for r := range rounds {
		d, err := timeIt(func() error { return run(bin, append([]string{"verify"}, paths(pages)...)...) })
		if err != nil {
			return fmt.Errorf("round %d, labrun verify: %w", r+1, err)
		}
		a = append(a, d)
		d, err = timeBash(pages)
		if err != nil {
			return fmt.Errorf("round %d, bash script: %w", r+1, err)
		}
		b = append(b, d)
	}
	var ratios []float64
	for i := range a {
		ratios = append(ratios, a[i].Seconds()/b[i].Seconds())
	}
	fmt.Fprintf(w, "(a) labrun verify:  median %s  spread %s  %s\n", median(a), spread(a), list(a))
	fmt.Fprintf(w, "(b) bash -e script: median %s  spread %s  %s\n", median(b), spread(b), list(b))
	sort.Float64s(ratios)
	fmt.Fprintf(w, "ratio (a)/(b):      median %.3f  min %.3f  max %.3f  (target <= 1.10)\n", ratios[len(ratios)/2], ratios[0], ratios[len(ratios)-1])

	site := filepath.Join(os.TempDir(), "labbench-site")
	var sites []time.Duration
	for range rounds {
		d, err := timeIt(func() error { return run("go", "tool", "hugo", "--quiet", "-d", site) })
		if err != nil {
			return fmt.Errorf("site build: %w", err)
		}
		sites = append(sites, d)
	}
	fmt.Fprintf(w, "site build (hugo):  median %s  %s\n", median(sites), list(sites))

	d, err := timeIt(func() error { return run(bin, "capture") })
	if err != nil {
		return fmt.Errorf("capture with nothing changed: %w", err)
	}
	fmt.Fprintf(w, "capture, nothing changed (whole course): %s\n", d.Round(time.Millisecond))

	var reports [2]string
	for i, j := range []string{"1", "2"} {
		var out bytes.Buffer
		cmd := exec.Command(bin, "verify", "-j", j)
		cmd.Stdout, cmd.Stderr = &out, &out
		t0 := time.Now()
		err := cmd.Run()
		fmt.Fprintf(w, "verify -j %s (whole course): %s\n", j, time.Since(t0).Round(time.Millisecond))
		if err != nil {
			return fmt.Errorf("verify -j %s: %v\n%s", j, err, out.String())
		}
		reports[i] = timings.ReplaceAllString(out.String(), "(<t>)")
	}
	fmt.Fprintf(w, "verify -j 1 and -j 2 reports identical: %v\n", reports[0] == reports[1])

	if _, err := os.Stat("tools/labhandout"); err == nil {
		d, err := timeIt(func() error { return run("make", "--no-print-directory", "handout") })
		if err != nil {
			return fmt.Errorf("handout: %w", err)
		}
		fmt.Fprintf(w, "make handout (site build + PDFs): %s\n", d.Round(time.Millisecond))
	}
	if cold {
		prefix := fmt.Sprintf("labbench%d-", time.Now().Unix())
		// A ledger of its own: the throwaway images' entries would
		// outlive them in the host's.
		tmp, err := os.MkdirTemp("", "labbench-ledger-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		cmd := exec.Command("go", "run", "./tools/labimages", "--images=build", "--prefix", prefix, "-q")
		cmd.Env = append(os.Environ(), ledger.EnvPath+"="+filepath.Join(tmp, "images.json"))
		d, err := timeIt(func() error {
			if out, err := cmd.CombinedOutput(); err != nil {
				return fmt.Errorf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, out)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("cold images: %w", err)
		}
		fmt.Fprintf(w, "cold image build (all lab images, prefix %s): %s\n", prefix, d.Round(time.Second))
		exec.Command("bash", "-c", "docker images --format '{{.Repository}}:{{.Tag}}' | grep '^"+prefix+"' | xargs -r docker rmi").Run()
	}
	return nil
}

var timings = regexp.MustCompile(`\([0-9.]+[µmn]?s\)`)

// simplePages are the pages a plain script can replay: one terminal, no
// nested shells, no waits, input or keys.
func simplePages(root string) ([]*blocks.Page, error) {
	var out []*blocks.Page
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".md") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		p, err := blocks.Parse(path, src)
		if err != nil {
			return err
		}
		if simple(p) {
			out = append(out, p)
		}
		return nil
	})
	return out, err
}

func simple(p *blocks.Page) bool {
	terms := map[string]bool{}
	console := false
	for _, b := range p.Blocks {
		if b.Kind != blocks.Console {
			continue
		}
		console = true
		o := b.Opts
		if o.Wait != nil || o.Port != 0 || o.Healthy != "" || o.Settle != 0 || o.Input != "" || len(o.Keys) > 0 ||
			o.Until != nil || o.Lines != 0 || o.For != 0 || o.Shell == "open" || len(b.Commands) == 0 {
			return false
		}
		for _, c := range b.Commands {
			// $PPID: pages that call the runner capturing them (the
			// authors' guide) have no plain-script equivalent.
			if c.Prompt != "$" || strings.Contains(c.Text, "-ti") || strings.Contains(c.Text, "-it") ||
				strings.Contains(c.Text, "attach") || strings.Contains(c.Text, "$PPID") {
				return false
			}
		}
		terms[o.Term] = true
	}
	return console && len(terms) == 1
}

// script is the page as a plain bash script: the same files, the same
// commands, the same expected exit statuses.
func script(p *blocks.Page) string {
	var s strings.Builder
	s.WriteString("set -e\n")
	for _, b := range p.Blocks {
		switch b.Kind {
		case blocks.File:
			fmt.Fprintf(&s, "mkdir -p \"$(dirname %q)\"\ncat > %q <<'LABBENCH_EOF'\n%s\nLABBENCH_EOF\n", b.Opts.File, b.Opts.File, b.Text)
		case blocks.Console:
			for i, c := range b.Commands {
				if i == len(b.Commands)-1 && b.Opts.Exit != 0 {
					fmt.Fprintf(&s, "{ %s\n} || [ $? -eq %d ]\n", c.Text, b.Opts.Exit)
					continue
				}
				s.WriteString(c.Text + "\n")
			}
		}
	}
	return s.String()
}

// timeBash runs each page's script in a fresh copy of its bundle, then
// removes what it made, as the runner does; both parts are timed.
func timeBash(pages []*blocks.Page) (time.Duration, error) {
	cli, _, err := dockerenv.Client(context.Background())
	if err != nil {
		return 0, err
	}
	defer cli.Close()
	ctx := context.Background()
	var total time.Duration
	for _, p := range pages {
		work, err := os.MkdirTemp("", "labbench-")
		if err != nil {
			return 0, err
		}
		if err := bundle.Of(p.Path).CopyTo(work); err != nil {
			return 0, err
		}
		t0 := time.Now()
		before, err := inventory.Take(ctx, cli)
		if err != nil {
			return 0, err
		}
		cmd := exec.Command("bash", "-c", script(p))
		cmd.Dir = work
		out, err := cmd.CombinedOutput()
		if err != nil {
			return 0, fmt.Errorf("%s: %v\n%s", p.Path, err, out)
		}
		after, err := inventory.Take(ctx, cli)
		if err != nil {
			return 0, err
		}
		if err := inventory.Remove(ctx, cli, before.Since(after)); err != nil {
			return 0, err
		}
		total += time.Since(t0)
		os.RemoveAll(work)
	}
	return total, nil
}

func run(name string, args ...string) error {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return nil
}

func timeIt(f func() error) (time.Duration, error) {
	t0 := time.Now()
	err := f()
	return time.Since(t0), err
}

func paths(pages []*blocks.Page) []string {
	var out []string
	for _, p := range pages {
		out = append(out, p.Path)
	}
	return out
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2].Round(time.Millisecond)
}

func spread(ds []time.Duration) time.Duration {
	return (slices.Max(ds) - slices.Min(ds)).Round(time.Millisecond)
}

func list(ds []time.Duration) string {
	var s []string
	for _, d := range ds {
		s = append(s, d.Round(time.Millisecond).String())
	}
	return "[" + strings.Join(s, " ") + "]"
}
