// Package schedule decides which pages may run at the same time. Pages
// run in parallel only when they cannot collide. A page's claims are the
// names run.Names finds: Docker objects and projects per daemon, host
// ports and the work folder per machine (two daemons on one host share
// its ports and its temporary folder). Two pages with a common claim
// never run at once.
package schedule

import (
	"context"
	"sync"

	"github.com/labdocs/dockerlab/tools/internal/blocks"
	"github.com/labdocs/dockerlab/tools/internal/bundle"
	"github.com/labdocs/dockerlab/tools/internal/run"
)

// Claims are what a page holds while it runs.
type Claims struct {
	Names []string // per daemon: "container:web", "network:lab", "project:6-compose"
	Ports []string // per machine: "port:7000", "workdir:6-compose"
}

// Of returns the claims of page p.
func Of(p *blocks.Page) Claims {
	c := Claims{Ports: []string{"workdir:" + bundle.Of(p.Path).WorkName()}}
	if run.Builds(p) {
		// The build cache a page finds new must be its own to remove.
		c.Names = append(c.Names, "buildcache")
	}
	for _, n := range run.Names(p) {
		if n.Kind == "port" {
			c.Ports = append(c.Ports, "port:"+n.Value)
		} else {
			c.Names = append(c.Names, n.Kind+":"+n.Value)
		}
	}
	return c
}

// A Scheduler hands pages to daemon slots so that no two running pages
// share a claim. Pages start in document order as far as claims allow.
type Scheduler struct {
	mu      sync.Mutex
	cond    *sync.Cond
	pending []int             // page indexes not started yet
	claims  []Claims          // by page index
	names   []map[string]bool // per daemon: names in use
	ports   map[string]bool   // machine-wide
}

// New schedules pages over the given number of daemons.
func New(pages []*blocks.Page, daemons int) *Scheduler {
	s := &Scheduler{ports: map[string]bool{}}
	s.cond = sync.NewCond(&s.mu)
	for i, p := range pages {
		s.pending = append(s.pending, i)
		s.claims = append(s.claims, Of(p))
	}
	for range daemons {
		s.names = append(s.names, map[string]bool{})
	}
	return s
}

// Next blocks until a page can run on daemon d, and claims it; -1 when
// no page is left or ctx ended. Call Wake when ctx ends.
func (s *Scheduler) Next(ctx context.Context, d int) int {
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

// Done releases the claims of page i, which ran on daemon d.
func (s *Scheduler) Done(d, i int) {
	s.mu.Lock()
	s.take(d, s.claims[i], false)
	s.mu.Unlock()
	s.cond.Broadcast()
}

// Wake lets waiting workers see a cancelled context.
func (s *Scheduler) Wake() { s.cond.Broadcast() }

func (s *Scheduler) free(d int, c Claims) bool {
	for _, n := range c.Names {
		if s.names[d][n] {
			return false
		}
	}
	for _, p := range c.Ports {
		if s.ports[p] {
			return false
		}
	}
	return true
}

func (s *Scheduler) take(d int, c Claims, on bool) {
	for _, n := range c.Names {
		s.names[d][n] = on
	}
	for _, p := range c.Ports {
		s.ports[p] = on
	}
}
