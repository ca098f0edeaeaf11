// Package shard splits the course's pages over the machines of a CI
// matrix: `labrun verify -shard i/n` on machine i runs shard i's pages.
//
// Every job of the matrix computes the same split from the same checkout
// and keeps its own part, so the split must depend on nothing but the
// pages: it is deterministic, and every page lands in exactly one shard.
//
// # What can clash between shards
//
// In CI each shard runs on a machine of its own with a daemon of its own:
// there, nothing one shard does can meet what another does, whatever the
// split. Shards meet only when two of them run on one machine at once:
//
//   - On one daemon (two shard commands against the same socket): the
//     daemon lock (tools/internal/daemonlock) makes the second wait until
//     the first is done, so they run one after the other and their Docker
//     names (containers, networks, volumes, images, Compose projects) and
//     build cache never meet. Splitting by those names would buy nothing.
//   - On two daemons of one machine (-docker-host for each): names are per
//     daemon and do not clash, but the machine's resources do. A host port
//     that two pages publish (-p 5000:5000 in one, a Compose file's
//     "3000:3000" in another) can be bound by one daemon only, and two
//     pages of one bundle name share a work folder under $TMPDIR/labrun-work
//     (and the tracker socket beside it), which each run empties first.
//     Within one labrun, the scheduler keeps such pages apart; two labruns
//     cannot see each other's. So pages that share such a claim are kept
//     in one shard, where the scheduler orders them.
//
// One thing no split can fix: two machines sharing one daemon (the same
// tcp:// address from two CI jobs). The daemon lock is a file on each
// machine, so nothing orders the two runs, and a page's cleanup removes
// every object that appeared on the daemon while it ran, the other run's
// included. Give each machine its own daemon.
//
// Pages never depend on each other: each starts from the lab images alone
// and removes what it made, so no page must run before another, and the
// split may put any two pages without a common claim in different shards.
//
// # Balance
//
// Groups of pages are placed longest first on the shard with the least
// work so far, by how long each page ran at its last capture (its record);
// a page without a record counts as the mean of those that have one.
package shard

import (
	"fmt"
	"slices"
)

// Spec is shard I of N, 1-based: "2/3".
type Spec struct{ I, N int }

// Parse reads "i/n" with 1 <= i <= n.
func Parse(s string) (Spec, error) {
	var sp Spec
	var rest string
	if n, _ := fmt.Sscanf(s, "%d/%d%s", &sp.I, &sp.N, &rest); n != 2 || sp.N < 1 || sp.I < 1 || sp.I > sp.N {
		return Spec{}, fmt.Errorf("%q: want i/n with 1 <= i <= n", s)
	}
	return sp, nil
}

func (s Spec) String() string { return fmt.Sprintf("%d/%d", s.I, s.N) }

// A Page is what the split needs to know of a page.
type Page struct {
	Path string
	// Claims are the machine-wide resources the page takes ("port:5000",
	// "workdir:6-compose"): pages with a common claim share a shard.
	Claims []string
	// Weight is how long the page ran last, in any unit; 0 is unknown.
	// Pages that run nothing weigh nothing: give them Runs false.
	Weight int64
	Runs   bool
}

// Split assigns every page to a shard of n: the result's k-th element is
// page k's shard, 0-based.
func Split(pages []Page, n int) []int {
	if n < 1 {
		panic("shard: n < 1")
	}
	// Groups: pages joined by common claims (union-find).
	parent := make([]int, len(pages))
	for k := range parent {
		parent[k] = k
	}
	var find func(int) int
	find = func(k int) int {
		if parent[k] != k {
			parent[k] = find(parent[k])
		}
		return parent[k]
	}
	owner := map[string]int{}
	for k, p := range pages {
		for _, c := range p.Claims {
			if o, ok := owner[c]; ok {
				a, b := find(o), find(k)
				// The group is named by its first page: a stable root.
				parent[max(a, b)] = min(a, b)
			} else {
				owner[c] = k
			}
		}
	}
	// Weights, unknown ones as the mean of the known.
	var known, sum int64
	for _, p := range pages {
		if p.Runs && p.Weight > 0 {
			known++
			sum += p.Weight
		}
	}
	mean := int64(1)
	if known > 0 {
		mean = max(sum/known, 1)
	}
	type group struct {
		first  int
		weight int64
	}
	groups := map[int]*group{}
	var order []*group
	for k, p := range pages {
		r := find(k)
		g := groups[r]
		if g == nil {
			g = &group{first: r}
			groups[r] = g
			order = append(order, g)
		}
		switch {
		case !p.Runs:
		case p.Weight > 0:
			g.weight += p.Weight
		default:
			g.weight += mean
		}
	}
	// Longest first onto the least loaded shard; ties by first page and
	// by lowest shard, so every machine computes the same split.
	slices.SortStableFunc(order, func(a, b *group) int {
		if a.weight != b.weight {
			if a.weight > b.weight {
				return -1
			}
			return 1
		}
		return a.first - b.first
	})
	load := make([]int64, n)
	shardOf := map[int]int{}
	for _, g := range order {
		s := 0
		for i := range load {
			if load[i] < load[s] {
				s = i
			}
		}
		shardOf[g.first] = s
		load[s] += g.weight
	}
	out := make([]int, len(pages))
	for k := range pages {
		out[k] = shardOf[find(k)]
	}
	return out
}

// Keep returns the indexes of the pages in shard s, in their order.
func Keep(pages []Page, s Spec) []int {
	var out []int
	for k, sh := range Split(pages, s.N) {
		if sh == s.I-1 {
			out = append(out, k)
		}
	}
	return out
}
