package shard

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestParse(t *testing.T) {
	for _, ok := range []string{"1/1", "1/2", "2/2", "5/5", "3/10"} {
		if sp, err := Parse(ok); err != nil || sp.String() != ok {
			t.Errorf("%q: %v %v", ok, sp, err)
		}
	}
	for _, bad := range []string{"", "1", "0/2", "3/2", "1/0", "-1/2", "a/b", "1/2x", "1/2/3"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// course is a made-up course shaped like the real one: pages that share
// host ports, one that shares its bundle's name with another, pages that
// run nothing, pages without a record.
func course() []Page {
	return []Page{
		{Path: "content/_index.md"},
		{Path: "content/a/blocks/index.md", Claims: []string{"workdir:blocks"}, Weight: 7900, Runs: true},
		{Path: "content/a/long/index.md", Claims: []string{"workdir:long", "port:8081"}, Weight: 25000, Runs: true},
		{Path: "content/c/_index.md"},
		{Path: "content/c/net/index.md", Claims: []string{"workdir:net", "port:8080"}, Weight: 9000, Runs: true},
		{Path: "content/lab/2-push/index.md", Claims: []string{"workdir:2-push", "port:5000"}, Weight: 11800, Runs: true},
		{Path: "content/lab/3-network/index.md", Claims: []string{"workdir:3-network", "port:5000"}, Weight: 9700, Runs: true},
		{Path: "content/lab/4-nginx/index.md", Claims: []string{"workdir:4-nginx", "port:7000"}, Weight: 1800, Runs: true},
		{Path: "content/lab/5-dockerfile/index.md", Claims: []string{"workdir:5-dockerfile", "port:3000"}, Weight: 14200, Runs: true},
		{Path: "content/lab/6-compose/index.md", Claims: []string{"workdir:6-compose", "port:3000", "port:8081"}, Weight: 20000, Runs: true},
		{Path: "content/new/index.md", Claims: []string{"workdir:new"}, Runs: true}, // never captured
		{Path: "content/ref/help/index.md", Claims: []string{"workdir:help"}, Weight: 7800, Runs: true},
		{Path: "content/sec/help/index.md", Claims: []string{"workdir:help"}, Weight: 52000, Runs: true}, // same bundle name
		{Path: "content/sec/hardening/index.md", Claims: []string{"workdir:hardening"}, Weight: 52500, Runs: true},
	}
}

// Every page is in exactly one shard, for every n; pages with a common
// claim are in the same shard.
func TestEveryPageOnceAndClaimsTogether(t *testing.T) {
	pages := course()
	for n := 1; n <= 5; n++ {
		seen := make([]int, len(pages))
		shardOf := make([]int, len(pages))
		for i := 1; i <= n; i++ {
			for _, k := range Keep(pages, Spec{i, n}) {
				seen[k]++
				shardOf[k] = i
			}
		}
		for k, c := range seen {
			if c != 1 {
				t.Errorf("n=%d: %s is in %d shards", n, pages[k].Path, c)
			}
		}
		for a := range pages {
			for b := a + 1; b < len(pages); b++ {
				for _, c := range pages[a].Claims {
					if slices.Contains(pages[b].Claims, c) && shardOf[a] != shardOf[b] {
						t.Errorf("n=%d: %s (shard %d) and %s (shard %d) both claim %s", n, pages[a].Path, shardOf[a], pages[b].Path, shardOf[b], c)
					}
				}
			}
		}
	}
}

// Claims chain: 2-push and 3-network share port 5000; 5-dockerfile and
// 6-compose share 3000; 6-compose and long share 8081. So long, 5 and 6
// are one group, 2 and 3 another.
func TestGroups(t *testing.T) {
	pages := course()
	idx := func(path string) int {
		t.Helper()
		k := slices.IndexFunc(pages, func(p Page) bool { return p.Path == path })
		if k < 0 {
			t.Fatalf("no page %s", path)
		}
		return k
	}
	for n := 2; n <= 5; n++ {
		s := Split(pages, n)
		long, five, six := s[idx("content/a/long/index.md")], s[idx("content/lab/5-dockerfile/index.md")], s[idx("content/lab/6-compose/index.md")]
		if long != five || five != six {
			t.Errorf("n=%d: long, 5-dockerfile, 6-compose in shards %d %d %d", n, long, five, six)
		}
		if a, b := s[idx("content/ref/help/index.md")], s[idx("content/sec/help/index.md")]; a != b {
			t.Errorf("n=%d: two bundles named help (one work folder) in shards %d and %d", n, a, b)
		}
	}
}

// The split depends on the pages alone: the same answer every time, and
// every shard gets work when there are at least n groups.
func TestDeterministicAndBalanced(t *testing.T) {
	pages := course()
	want := Split(pages, 3)
	for range 20 {
		if got := Split(course(), 3); !slices.Equal(got, want) {
			t.Fatalf("split changed: %v then %v", want, got)
		}
	}
	for n := 1; n <= 5; n++ {
		load := make([]int64, n)
		for k, s := range Split(pages, n) {
			load[s] += pages[k].Weight
		}
		for s, l := range load {
			if l == 0 {
				t.Errorf("n=%d: shard %d has nothing to run: %v", n, s+1, load)
			}
		}
		// Greedy longest-first: no shard exceeds the fair share by more
		// than the heaviest group (here: long + 5 + 6 = 59.2 s).
		var total int64
		for _, l := range load {
			total += l
		}
		if m := slices.Max(load); m > total/int64(n)+59200 {
			t.Errorf("n=%d: loads %v", n, load)
		}
	}
}

// More shards than groups: the extra shards are empty, and still every
// page is placed once.
func TestMoreShardsThanPages(t *testing.T) {
	pages := []Page{{Path: "a", Runs: true, Weight: 5}, {Path: "b", Runs: true, Weight: 3}}
	got := Split(pages, 5)
	if got[0] == got[1] {
		t.Fatalf("two independent pages on one shard of five: %v", got)
	}
	if len(Keep(pages, Spec{5, 5})) != 0 {
		t.Fatal("shard 5 of 5 has pages")
	}
}

// Random courses: the invariants hold whatever the claims and weights.
func TestRandomCourses(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := range 200 {
		var pages []Page
		for k := range 1 + r.IntN(40) {
			p := Page{Path: fmt.Sprintf("p%02d", k), Runs: r.IntN(5) > 0}
			if p.Runs {
				p.Weight = int64(r.IntN(3) * r.IntN(60000))
				for range r.IntN(3) {
					p.Claims = append(p.Claims, fmt.Sprintf("port:%d", 3000+r.IntN(15)))
				}
			}
			pages = append(pages, p)
		}
		for n := 1; n <= 5; n++ {
			s := Split(pages, n)
			count := 0
			for i := 1; i <= n; i++ {
				count += len(Keep(pages, Spec{i, n}))
			}
			if count != len(pages) {
				t.Fatalf("trial %d n=%d: %d pages kept of %d", trial, n, count, len(pages))
			}
			for a := range pages {
				for b := range pages {
					for _, c := range pages[a].Claims {
						if slices.Contains(pages[b].Claims, c) && s[a] != s[b] {
							t.Fatalf("trial %d n=%d: %s and %s share %s in shards %d and %d", trial, n, pages[a].Path, pages[b].Path, c, s[a], s[b])
						}
					}
				}
			}
		}
	}
}
