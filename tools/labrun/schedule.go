package main

import (
	"context"
	"sync"

	"github.com/labdocs/dockerlab/tools/internal/blocks"
	"github.com/labdocs/dockerlab/tools/internal/run"
)

// Pages run in parallel only when they cannot collide. A page's claims
// are the names run.Names finds: Docker objects and projects per daemon,
// host ports and the work folder per machine (two daemons on one host
// share its ports and its temporary folder). Two pages with a common
// claim never run at once.
type claims struct {
	names []string // per daemon: "container:web", "network:lab", "project:6-compose"
	ports []string // per machine: "port:7000", "workdir:6-compose"
}

func pageClaims(p *blocks.Page) claims {
	c := claims{ports: []string{"workdir:" + run.WorkName(p)}}
	if run.Builds(p) {
		// The build cache a page finds new must be its own to remove.
		c.names = append(c.names, "buildcache")
	}
	for _, n := range run.Names(p) {
		if n.Kind == "port" {
			c.ports = append(c.ports, "port:"+n.Value)
		} else {
			c.names = append(c.names, n.Kind+":"+n.Value)
		}
	}
	return c
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
