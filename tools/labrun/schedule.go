package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/labdocs/dockerlab/tools/internal/blocks"
)

// Pages run in parallel only when they cannot collide. A page's claims
// are the names it gives Docker objects (per daemon) and the host ports it
// publishes (per machine: two daemons on one host share its ports). Two
// pages with a common claim never run at once; the runner infers the
// claims from the commands and the page's bundle files.
type claims struct {
	names []string // per daemon: "container:web", "network:lab", "project:6-compose"
	ports []string // per machine: host ports, and the page's work folder
}

var (
	claimName   = regexp.MustCompile(`--name[=\s]+([A-Za-z0-9][A-Za-z0-9_.-]*)`)
	claimNet    = regexp.MustCompile(`docker\s+network\s+create\s+(?:-\S+\s+)*([A-Za-z0-9][A-Za-z0-9_.-]*)`)
	claimVol    = regexp.MustCompile(`(?:docker\s+volume\s+create\s+|(?:-v|--volume)[=\s]+)([A-Za-z0-9][A-Za-z0-9_.-]*)`)
	claimTag    = regexp.MustCompile(`(?:-t|--tag)[=\s]+([^\s:]+)|docker\s+(?:commit\s+\S+|tag\s+\S+)\s+([^\s:]+)`)
	claimPort   = regexp.MustCompile(`(?:-p|--publish)[=\s]+(?:[0-9.]+:)?([0-9]+):[0-9]+`)
	filePort    = regexp.MustCompile(`["'\s-]([0-9]{2,5}):[0-9]{2,5}["'\s]`)
	composeName = regexp.MustCompile(`(?m)^name:\s*["']?([A-Za-z0-9_.-]+)`)
	localPorts  = regexp.MustCompile(`(?:localhost|127\.0\.0\.1):([0-9]{2,5})`)
)

func pageClaims(p *blocks.Page) claims {
	var c claims
	add := func(list *[]string, v string) {
		for _, x := range *list {
			if x == v {
				return
			}
		}
		*list = append(*list, v)
	}
	add(&c.names, "project:"+workDir(p))
	// The bundle's own files: a Compose file names its project and
	// publishes ports.
	entries, _ := os.ReadDir(filepath.Dir(p.Path))
	for _, e := range entries {
		if e.IsDir() || strings.HasSuffix(e.Name(), ".md") || e.Name() == "labrun.json" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(filepath.Dir(p.Path), e.Name()))
		if err != nil {
			continue
		}
		for _, m := range composeName.FindAllStringSubmatch(string(data), -1) {
			add(&c.names, "project:"+m[1])
		}
		for _, m := range filePort.FindAllStringSubmatch(string(data), -1) {
			add(&c.ports, m[1])
		}
	}
	add(&c.ports, "workdir:"+workDir(p)) // one work folder on this machine
	for _, b := range p.Blocks {
		text := strings.ReplaceAll(b.Text, "\\\n", " ")
		if b.Kind == blocks.File {
			for _, m := range filePort.FindAllStringSubmatch(text, -1) {
				add(&c.ports, m[1])
			}
			continue
		}
		if b.Kind != blocks.Console {
			continue
		}
		for _, m := range claimName.FindAllStringSubmatch(text, -1) {
			add(&c.names, "container:"+m[1])
		}
		for _, m := range claimNet.FindAllStringSubmatch(text, -1) {
			add(&c.names, "network:"+m[1])
		}
		for _, m := range claimVol.FindAllStringSubmatch(text, -1) {
			add(&c.names, "volume:"+m[1])
		}
		for _, m := range claimTag.FindAllStringSubmatch(text, -1) {
			add(&c.names, "image:"+m[1]+m[2])
		}
		for _, re := range []*regexp.Regexp{claimPort, localPorts} {
			for _, m := range re.FindAllStringSubmatch(text, -1) {
				add(&c.ports, m[1])
			}
		}
	}
	return c
}

func workDir(p *blocks.Page) string {
	parts := strings.Split(strings.ReplaceAll(p.Path, "\\", "/"), "/")
	if len(parts) >= 2 {
		return parts[len(parts)-2]
	}
	return p.Path
}

// scheduler hands pages to daemon slots so that no two running pages share
// a claim. Pages start in document order as far as claims allow.
type scheduler struct {
	mu      sync.Mutex
	cond    *sync.Cond
	pending []int             // page indexes not started yet
	claims  []claims          // by page index
	names   []map[string]bool // per daemon: names in use
	ports   map[string]bool   // machine-wide
}

func newScheduler(pages []*blocks.Page, daemons int) *scheduler {
	s := &scheduler{ports: map[string]bool{}}
	s.cond = sync.NewCond(&s.mu)
	for i, p := range pages {
		s.pending = append(s.pending, i)
		s.claims = append(s.claims, pageClaims(p))
	}
	for range daemons {
		s.names = append(s.names, map[string]bool{})
	}
	return s
}

// next blocks until a page can run on daemon d, and claims it; -1 when
// no page is left or ctx ended.
func (s *scheduler) next(ctx context.Context, d int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		if ctx.Err() != nil || len(s.pending) == 0 {
			return -1
		}
		for k, i := range s.pending {
			if s.free(d, s.claims[i]) {
				s.pending = append(s.pending[:k:k], s.pending[k+1:]...)
				s.take(d, s.claims[i], true)
				return i
			}
		}
		s.cond.Wait()
	}
}

func (s *scheduler) done(d, i int) {
	s.mu.Lock()
	s.take(d, s.claims[i], false)
	s.mu.Unlock()
	s.cond.Broadcast()
}

// wake lets waiting workers see a cancelled context.
func (s *scheduler) wake() { s.cond.Broadcast() }

func (s *scheduler) free(d int, c claims) bool {
	for _, n := range c.names {
		if s.names[d][n] {
			return false
		}
	}
	for _, p := range c.ports {
		if s.ports[p] {
			return false
		}
	}
	return true
}

func (s *scheduler) take(d int, c claims, on bool) {
	for _, n := range c.names {
		s.names[d][n] = on
	}
	for _, p := range c.ports {
		s.ports[p] = on
	}
}
