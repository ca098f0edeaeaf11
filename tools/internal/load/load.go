// Package load finds the pages a command names and reads them: files,
// folders and globs expanded to Markdown files, widened to the courses
// they belong to if asked, cut to one shard, parsed and linted.
package load

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/labdocs/dockerlab/tools/internal/blocks"
	"github.com/labdocs/dockerlab/tools/internal/course"
	"github.com/labdocs/dockerlab/tools/internal/record"
	"github.com/labdocs/dockerlab/tools/internal/schedule"
	"github.com/labdocs/dockerlab/tools/internal/shard"
)

// Options say which of the named pages to read.
type Options struct {
	// Course: every page of the courses (sections read in order) the
	// named pages belong to, course after course, each in reading order.
	Course bool
	Shard  *shard.Spec // nil: every page
}

// Pages finds and parses the pages args name (all of content/ when
// none), and keeps those of the shard asked for. A kept page that does
// not parse or lint is left out and its errors, naming file:line, are
// returned together. Warnings (a block left open) go to w and do not
// stop anything.
func Pages(args []string, o Options, w io.Writer) ([]*blocks.Page, error) {
	paths, err := expand(args)
	if err != nil {
		return nil, err
	}
	if o.Course {
		if paths, err = coursePages(paths); err != nil {
			return nil, err
		}
	}
	type loaded struct {
		page *blocks.Page
		err  error
	}
	all := make([]loaded, len(paths))
	// Each page is parsed with its own site's goldmark settings, read
	// once per folder: the runner must find the blocks Hugo renders.
	markups := map[string]blocks.Markup{}
	for k, path := range paths {
		src, err := os.ReadFile(path)
		if err != nil {
			all[k].err = err
			continue
		}
		m, ok := markups[filepath.Dir(path)]
		if !ok {
			if m, err = blocks.SiteMarkup(path); err != nil {
				all[k].err = err
				continue
			}
			markups[filepath.Dir(path)] = m
		}
		all[k].page, all[k].err = blocks.ParseWith(m, path, src)
	}
	keep := make([]bool, len(all))
	if o.Shard == nil {
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
		for _, k := range shard.Keep(shardPages(paths, parsed), *o.Shard) {
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
		if p == nil || !p.Recorded() {
			continue
		}
		out[k].Runs = true
		out[k].Claims = schedule.Of(p).Ports
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
