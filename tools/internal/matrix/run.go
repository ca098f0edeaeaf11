//go:build linux

package matrix

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/labdocs/dockerlab/tools/internal/check"
	"github.com/labdocs/dockerlab/tools/internal/course"
	"github.com/labdocs/dockerlab/tools/internal/dockerenv"
	"github.com/labdocs/dockerlab/tools/internal/images"
	"github.com/labdocs/dockerlab/tools/internal/machine"
)

// Hostname is the other engine's machine's host name.
const Hostname = "labd2-host"

// Options say which engine runs the courses, and which courses.
type Options struct {
	// Root is the repository: content/ and the image recipes are read
	// there, and the courses run there.
	Root string
	// Sections are the courses to run, folders relative to Root
	// (content/lab); none: every course of content/.
	Sections []string
	// Dockerd is the other engine's daemon ("": dockerd on PATH); its
	// folder comes first on the other machine's PATH (package machine).
	Dockerd string
	// DockerdArgs are more flags for it.
	DockerdArgs []string
	// Labrun is the labrun binary that runs the courses inside the
	// other machine.
	Labrun string
	// NoImages: build no lab images there, and let the machine reach no
	// package archive, for courses that need neither (tests).
	NoImages bool
	// Progress hears what the run is doing; nil: nothing.
	Progress io.Writer
}

// Run starts another machine with the other engine, builds the lab
// images there, runs the courses there as one reader each (labrun verify
// -course, inside that machine), and sets what each console block printed
// beside what its page shows.
func Run(ctx context.Context, o Options) (*Matrix, error) {
	progress := o.Progress
	if progress == nil {
		progress = io.Discard
	}
	courses, err := courses(o.Root, o.Sections)
	if err != nil {
		return nil, err
	}
	for _, p := range []string{"buildx", "compose"} {
		if tool := dockerenv.Plugin(ctx, p); tool.Version == "" {
			return nil, fmt.Errorf("docker %s is missing (%v): run make bootstrap", p, tool.Err)
		}
	}
	// The lab images, and the Debian archive their builds and the
	// courses' own builds install packages from.
	var cat *images.Catalog
	var egress machine.Egress
	if !o.NoImages {
		if cat, err = images.LoadCatalog(o.Root, images.DefaultRecipesDir(o.Root)); err != nil {
			return nil, err
		}
		if egress.Hosts, err = cat.ArchiveHosts(); err != nil {
			return nil, err
		}
		egress.Ports = []int{80, 443}
	}
	t0 := time.Now()
	m, err := machine.Start(ctx, machine.Options{Dockerd: o.Dockerd, Hostname: Hostname, Args: o.DockerdArgs, Egress: egress})
	if err != nil {
		return nil, fmt.Errorf("the other engine: %w", err)
	}
	defer m.Stop()
	cli, info, err := dockerenv.ClientAt(ctx, m.Host)
	if err != nil {
		return nil, fmt.Errorf("the other engine: %w\n%s", err, m.Tail(20))
	}
	defer cli.Close()
	fmt.Fprintf(progress, "matrix: engine %s (API %s) up as %s in %s\n", info.EngineVersion, info.ServerAPIVersion, Hostname, since(t0))
	if !o.NoImages {
		t0 = time.Now()
		if _, err := images.Provision(ctx, cli, cat, images.Options{Policy: images.PolicyBuild, Progress: progress}); err != nil {
			return nil, fmt.Errorf("building the lab images on the other engine: %w", err)
		}
		fmt.Fprintf(progress, "matrix: lab images built there in %s\n", since(t0))
	}
	t0 = time.Now()
	rr, err := runCourses(ctx, m, o, courses)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(progress, "matrix: the courses ran there in %s\n", since(t0))
	return Build(o.Root, courses, rr)
}

// runCourses runs `labrun verify -course -json` inside the machine, in
// Root, and reads its report. Drift (exit status 1) is what the matrix
// is for; anything worse is an error.
func runCourses(ctx context.Context, m *machine.Machine, o Options, courses []course.Course) (*check.RunReport, error) {
	file := filepath.Join(m.Dir, "run.json")
	args := []string{o.Labrun, "verify", "-course", "-json", file, "-docker-host", m.Host, "-work", filepath.Join(m.Dir, "work")}
	for _, c := range courses {
		args = append(args, c.Section)
	}
	cmd := m.Command(ctx, o.Root, args...)
	// Its own journal: that machine's runs are no business of this one's
	// (and its PIDs are of another namespace).
	cmd.Env = append(cmd.Env, "LABRUN_STATE="+filepath.Join(m.Dir, "state"))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 1) {
		return nil, fmt.Errorf("the courses on the other engine: %v\n%s", err, out.String())
	}
	rr, err := check.ReadRunReport(file)
	if err != nil {
		// labrun stopped before it wrote its report: what it said is why.
		return nil, fmt.Errorf("the courses on the other engine: %v\n%s", err, out.String())
	}
	return rr, nil
}

// courses are the courses of sections (folders relative to root), or
// every course of content/, their pages relative to root.
func courses(root string, sections []string) ([]course.Course, error) {
	var out []course.Course
	if len(sections) == 0 {
		all, err := course.Find(filepath.Join(root, "content"))
		if err != nil {
			return nil, err
		}
		for _, c := range all {
			rel, err := filepath.Rel(root, c.Section)
			if err != nil {
				return nil, err
			}
			sections = append(sections, rel)
		}
	}
	for _, s := range sections {
		c, ok, err := course.At(filepath.Join(root, s))
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("%s is not a course (ordered: true in its _index.md)", s)
		}
		c.Section = filepath.Clean(s)
		for i, p := range c.Pages {
			if c.Pages[i], err = filepath.Rel(root, p); err != nil {
				return nil, err
			}
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, errors.New("no course under content/ (a section with ordered: true in its _index.md)")
	}
	return out, nil
}

func since(t time.Time) string { return strings.TrimSpace(time.Since(t).Round(time.Second).String()) }
