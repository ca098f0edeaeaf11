package matrix

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/labdocs/dockerlab/tools/internal/blocks"
	"github.com/labdocs/dockerlab/tools/internal/check"
	"github.com/labdocs/dockerlab/tools/internal/course"
	"github.com/labdocs/dockerlab/tools/internal/record"
	"github.com/labdocs/dockerlab/tools/internal/report"
)

// Build sets the courses' run on the other engine (its JSON report) beside
// their pages, read from root: every console block a reader of the course
// runs (not skip=, not alone=), course after course, page after page in
// reading order. The
// courses' pages are paths relative to root, as the run names them.
func Build(root string, courses []course.Course, rr *check.RunReport) (*Matrix, error) {
	if len(rr.Daemons) != 1 {
		return nil, fmt.Errorf("the run on the other engine used %d daemons, want 1", len(rr.Daemons))
	}
	d := rr.Daemons[0]
	m := &Matrix{Engines: Engines{Lab: []Engine{}, Other: engineOf(d.Docker, d.Machine.StorageDriver, d.Machine.CgroupVersion)}}
	results := map[string]report.JSONResult{}
	for _, r := range rr.Results {
		results[key(r.Page, r.Block)] = r
	}
	for _, c := range courses {
		mc := Course{Section: filepath.ToSlash(c.Section), Pages: []Page{}}
		for _, path := range c.Pages {
			mp, lab, err := page(root, path, results)
			if err != nil {
				return nil, err
			}
			mc.Pages = append(mc.Pages, mp)
			if i := slices.IndexFunc(m.Engines.Lab, func(e Engine) bool { e.Pages = 0; return e == lab }); i >= 0 {
				m.Engines.Lab[i].Pages++
			} else {
				lab.Pages = 1
				m.Engines.Lab = append(m.Engines.Lab, lab)
			}
		}
		m.Courses = append(m.Courses, mc)
	}
	derive(m)
	return m, nil
}

// page is one page's console blocks beside their results, and the engine
// that captured the page.
func page(root, path string, results map[string]report.JSONResult) (Page, Engine, error) {
	rel := filepath.ToSlash(path)
	src, err := os.ReadFile(filepath.Join(root, path))
	if err != nil {
		return Page{}, Engine{}, err
	}
	p, err := blocks.Parse(rel, src)
	if err != nil {
		return Page{}, Engine{}, err
	}
	rec, err := record.Load(filepath.Join(root, path))
	if err != nil {
		return Page{}, Engine{}, err
	}
	if rec == nil {
		return Page{}, Engine{}, fmt.Errorf("%s has never been captured (no %s): its output is no engine's yet", rel, record.FileName)
	}
	lab := engineOf(rec.Docker, rec.Host.StorageDriver, rec.Host.CgroupVersion)
	mp := Page{Path: rel, Engine: rec.Docker.Engine, Blocks: []Block{}}
	for i, b := range p.Blocks {
		if b.Kind != blocks.Console || b.Opts.Alone {
			continue
		}
		mb := Block{Block: i, Hash: b.Hash(), Title: b.Opts.Title}
		if len(b.Commands) > 0 {
			mb.Command, _, _ = strings.Cut(b.Commands[0].Text, "\n")
			mb.Command = b.Commands[0].Prompt + " " + mb.Command
		}
		r, ok := results[key(rel, i)]
		if !ok {
			mb.Status, mb.Message = NotRun, "the page did not run on the other engine (see the run's report)"
			mp.Blocks = append(mp.Blocks, mb)
			continue
		}
		mb.Lab, mb.Other, mb.Message = r.Want, r.Got, r.Message
		switch r.Status {
		case report.OK:
			mb.Status, mb.Message = Same, ""
		case report.Drift:
			mb.Status, mb.Message = Different, ""
		case report.Fail:
			mb.Status = Failed
		case report.Timeout:
			mb.Status = TimedOut
		default:
			mb.Status = NotRun
		}
		mp.Blocks = append(mp.Blocks, mb)
	}
	return mp, lab, nil
}

func key(page string, block int) string { return fmt.Sprintf("%s#%d", page, block) }

func engineOf(v record.Versions, driver, cgroup string) Engine {
	return Engine{Engine: v.Engine, API: v.API, Client: v.Client, Buildx: v.Buildx, Compose: v.Compose, StorageDriver: driver, Cgroup: cgroup}
}
