// Package course finds the site's courses: the sections meant to be read
// in order. A section says so with `ordered: true` in its _index.md front
// matter, the same flag that gives its pages previous/next links on the
// site, so what the site presents as a path is what is verified as one.
// A course's pages are its page bundles (folder/index.md right below the
// section) in reading order: by weight, pages without one last, then by
// title and path, as Hugo orders a section's pages.
package course

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/labdocs/dockerlab/tools/internal/blocks"
)

// A Course is one section read in order.
type Course struct {
	Section string   // the section's folder, e.g. content/lab
	Pages   []string // its pages' index.md paths, in reading order
}

// Find lists the courses below root (content/), in path order.
func Find(root string) ([]Course, error) {
	var out []Course
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() != "_index.md" {
			return err
		}
		c, ok, err := At(filepath.Dir(path))
		if ok {
			out = append(out, c)
		}
		return err
	})
	return out, err
}

// At returns the course of section (a folder holding _index.md), if the
// section is read in order.
func At(section string) (Course, bool, error) {
	fm, err := frontMatter(filepath.Join(section, "_index.md"))
	if err != nil || fm["ordered"] != true {
		if os.IsNotExist(err) {
			err = nil
		}
		return Course{}, false, err
	}
	c, err := pages(section)
	return c, err == nil, err
}

type entry struct {
	path   string
	weight int
	title  string
}

func pages(section string) (Course, error) {
	dirs, err := os.ReadDir(section)
	if err != nil {
		return Course{}, err
	}
	var es []entry
	for _, d := range dirs {
		path := filepath.Join(section, d.Name(), "index.md")
		if !d.IsDir() {
			continue
		}
		if _, err := os.Stat(path); err != nil {
			continue // a sub-section or a folder of files, not a page
		}
		fm, err := frontMatter(path)
		if err != nil {
			return Course{}, err
		}
		e := entry{path: path}
		if w, ok := number(fm["weight"]); ok {
			e.weight = w
		}
		e.title, _ = fm["title"].(string)
		es = append(es, e)
	}
	slices.SortFunc(es, func(a, b entry) int {
		// Hugo puts pages without a weight (0) after the weighted ones.
		if (a.weight == 0) != (b.weight == 0) {
			if a.weight == 0 {
				return 1
			}
			return -1
		}
		return cmp.Or(cmp.Compare(a.weight, b.weight), cmp.Compare(a.title, b.title), cmp.Compare(a.path, b.path))
	})
	c := Course{Section: section}
	for _, e := range es {
		c.Pages = append(c.Pages, e.path)
	}
	return c, nil
}

func frontMatter(path string) (map[string]any, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	fm, err := blocks.FrontMatter(src)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return fm, nil
}

// number reads a front matter number, whichever type its decoder chose.
func number(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int64:
		return int(n), true
	case uint64:
		return int(n), true
	case float64:
		return int(n), true
	}
	return 0, false
}
