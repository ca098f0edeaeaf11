package load

import (
	"io"
	"slices"
	"testing"

	"github.com/labdocs/dockerlab/tools/internal/schedule"
	"github.com/labdocs/dockerlab/tools/internal/shard"
)

// The course itself over n = 1..5 machines: every page is in exactly one
// shard, and no two shards share a host port or a work folder. (Docker
// names may be in two shards: package shard says why that cannot clash.)
// No daemon is needed: the split reads the pages and their records.
func TestShardsOfTheCourse(t *testing.T) {
	t.Chdir("../../..")
	all, err := Pages(nil, Options{}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, p := range all {
		want = append(want, p.Path)
	}
	// Claims the course shares today, so that the test is not vacuous.
	// (3-network no longer shares port 5000 with 2-commit-push: it only
	// names an image localhost:5000/netcat and never talks to a registry.)
	shared := map[string][]string{}
	for _, p := range all {
		if p.Recorded() {
			for _, c := range schedule.Of(p).Ports {
				if !slices.Contains(shared[c], p.Path) {
					shared[c] = append(shared[c], p.Path)
				}
			}
		}
	}
	for _, c := range []string{"port:3000"} {
		if len(shared[c]) < 2 {
			t.Errorf("the course no longer shares %s between pages (%v): pick another example", c, shared[c])
		}
	}
	for n := 1; n <= 5; n++ {
		var got []string
		claimShard := map[string]int{}
		for i := 1; i <= n; i++ {
			pages, err := Pages(nil, Options{Shard: &shard.Spec{I: i, N: n}}, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range pages {
				got = append(got, p.Path)
				if !p.Recorded() {
					continue
				}
				for _, c := range schedule.Of(p).Ports {
					if s, ok := claimShard[c]; ok && s != i {
						t.Errorf("n=%d: %s is claimed in shard %d and by %s in shard %d", n, c, s, p.Path, i)
					}
					claimShard[c] = i
				}
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("n=%d: the shards hold\n%v\nwant every page once:\n%v", n, got, want)
		}
	}
}
