package run

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/labdocs/dockerlab/tools/internal/blocks"
	"github.com/labdocs/dockerlab/tools/internal/inventory"
	"github.com/labdocs/dockerlab/tools/internal/record"
)

// A Name is a Docker object or a host resource that a page creates or
// takes, read from its commands and its bundle's files. The runner checks
// them against the user's objects before a page runs, and the scheduler
// keeps pages with a common name from running at once.
type Name struct {
	Kind  string // container, network, volume, image, project, port
	Value string
	Line  int // the command that names it; 0 for the bundle's files
}

var (
	nameFlagRE    = regexp.MustCompile(`--name[=\s]+([A-Za-z0-9][A-Za-z0-9_.-]*)`)
	nameNetRE     = regexp.MustCompile(`docker\s+network\s+create\s+(?:-\S+\s+)*([A-Za-z0-9][A-Za-z0-9_.-]*)`)
	nameVolRE     = regexp.MustCompile(`(?:docker\s+volume\s+create\s+|(?:-v|--volume)[=\s]+)([A-Za-z0-9][A-Za-z0-9_.-]*)`)
	nameTagRE     = regexp.MustCompile(`(?:-t|--tag)[=\s]+([^\s:]+)|docker\s+(?:commit\s+\S+|tag\s+\S+)\s+([^\s:]+)`)
	namePortRE    = regexp.MustCompile(`(?:-p|--publish)[=\s]+(?:[0-9.]+:)?([0-9]+):[0-9]+|(?:localhost|127\.0\.0\.1):([0-9]{2,5})`)
	filePortRE    = regexp.MustCompile(`["'\s-]([0-9]{2,5}):[0-9]{2,5}["'\s]`)
	composeNameRE = regexp.MustCompile(`(?m)^name:\s*["']?([A-Za-z0-9_.-]+)`)
	// The Engine API straight (curl --unix-socket): POST /containers/create?name=x
	nameAPIRE = regexp.MustCompile(`/containers/create\?(?:[^\s'"]*&)?name=([A-Za-z0-9][A-Za-z0-9_.-]*)`)
)

// Names lists what page p creates or takes. Its work folder's name is
// always a project name: it is Compose's default.
func Names(p *blocks.Page) []Name {
	var out []Name
	seen := map[Name]bool{}
	add := func(kind, value string, line int) {
		n := Name{kind, value, line}
		if value != "" && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	add("project", WorkName(p), 0)
	composeLine := 0
	var files []string
	for _, b := range p.Blocks {
		switch b.Kind {
		case blocks.File:
			files = append(files, b.Text)
		case blocks.Console:
			for _, c := range b.Commands {
				cmd := strings.ReplaceAll(c.Text, "\\\n", " ")
				if composeLine == 0 && strings.Contains(cmd, "docker compose") {
					composeLine = c.Line
				}
				for _, m := range nameFlagRE.FindAllStringSubmatch(cmd, -1) {
					add("container", m[1], c.Line)
				}
				for _, m := range nameAPIRE.FindAllStringSubmatch(cmd, -1) {
					add("container", m[1], c.Line)
				}
				for _, m := range nameNetRE.FindAllStringSubmatch(cmd, -1) {
					add("network", m[1], c.Line)
				}
				for _, m := range nameVolRE.FindAllStringSubmatch(cmd, -1) {
					add("volume", m[1], c.Line)
				}
				for _, m := range nameTagRE.FindAllStringSubmatch(cmd, -1) {
					add("image", m[1]+m[2], c.Line)
				}
				for _, m := range namePortRE.FindAllStringSubmatch(cmd, -1) {
					add("port", m[1]+m[2], c.Line)
				}
			}
		}
	}
	// The bundle's files and the page's file blocks: a Compose file names
	// its project and publishes ports.
	bundle := filepath.Dir(p.Path)
	entries, _ := os.ReadDir(bundle)
	for _, e := range entries {
		if e.IsDir() || strings.HasSuffix(e.Name(), ".md") || e.Name() == record.FileName {
			continue
		}
		if data, err := os.ReadFile(filepath.Join(bundle, e.Name())); err == nil {
			files = append(files, string(data))
		}
	}
	for _, f := range files {
		for _, m := range composeNameRE.FindAllStringSubmatch(f, -1) {
			add("project", m[1], composeLine)
		}
		for _, m := range filePortRE.FindAllStringSubmatch(f, -1) {
			add("port", m[1], 0)
		}
	}
	return out
}

// checkNames stops a page whose names (Names(p)) clash with objects it did
// not make.
func checkNames(p *blocks.Page, names []Name, s inventory.Snapshot) error {
	has := func(m map[string]string, name string) bool {
		for _, v := range m {
			if v == name {
				return true
			}
		}
		return false
	}
	var errs []error
	clash := func(line int, kind, name, fix string) {
		errs = append(errs, fmt.Errorf("%s:%d: the page creates %s %q, but one of that name exists already and is not the page's: %s (nothing was run) %w",
			p.Path, line, kind, name, fix, ErrConflict))
	}
	usesCompose := false
	for _, n := range names {
		usesCompose = usesCompose || (n.Kind == "project" && n.Line > 0)
	}
	for _, n := range names {
		switch n.Kind {
		case "container":
			if has(s.Containers, n.Value) {
				clash(n.Line, "container", n.Value, "remove or rename it (docker rm -f "+n.Value+")")
			}
		case "network":
			if has(s.Networks, n.Value) {
				clash(n.Line, "network", n.Value, "remove it (docker network rm "+n.Value+")")
			}
		case "volume":
			if has(s.Volumes, n.Value) {
				clash(n.Line, "volume", n.Value, "remove it (docker volume rm "+n.Value+")")
			}
		case "project":
			if !usesCompose {
				continue
			}
			line := n.Line
			if line == 0 {
				for _, m := range names {
					if m.Kind == "project" && m.Line > 0 {
						line = m.Line
					}
				}
			}
			for kind, m := range map[string]map[string]string{"container": s.Containers, "network": s.Networks, "volume": s.Volumes} {
				for _, v := range m {
					if strings.HasPrefix(v, n.Value+"-") || strings.HasPrefix(v, n.Value+"_") {
						clash(line, kind, v, "it belongs to a Compose project named "+n.Value+"; remove it (docker compose -p "+n.Value+" down -v)")
					}
				}
			}
		}
	}
	return errors.Join(errs...)
}
