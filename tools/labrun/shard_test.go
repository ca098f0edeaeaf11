package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// site writes pages into a fresh folder and makes it the current one.
func site(t *testing.T, pages map[string]string) {
	t.Helper()
	t.Chdir(t.TempDir())
	for name, body := range pages {
		path := filepath.Join("content", name, "index.md")
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// listShards runs labrun list -shard i/n for each i: the exit codes and
// outputs.
func listShards(t *testing.T, n int) ([]int, []string) {
	t.Helper()
	var codes []int
	var outs []string
	for i := 1; i <= n; i++ {
		var out bytes.Buffer
		codes = append(codes, run(context.Background(), []string{"list", "-shard", fmt.Sprintf("%d/%d", i, n)}, &out, &out))
		outs = append(outs, out.String())
	}
	return codes, outs
}

// Through the command: pages that publish one host port share a shard,
// though they sort next to each other (a split by position put them
// apart), and the shards are balanced.
func TestShardFlagKeepsAPortTogether(t *testing.T) {
	site(t, map[string]string{
		"a": "```console\n$ docker run -d -p 7000:80 nginx\n```\n",
		"b": "```console\n$ curl -s localhost:7000\n```\n",
		"c": "```console\n$ echo c\n```\n",
		"d": "```console\n$ echo d\n```\n",
	})
	codes, outs := listShards(t, 2)
	where := map[string]int{}
	for i, out := range outs {
		if codes[i] != exitOK {
			t.Fatalf("shard %d/2: exit %d\n%s", i+1, codes[i], out)
		}
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "content/") {
				where[l] = i + 1
			}
		}
	}
	if len(where) != 4 {
		t.Fatalf("pages listed: %v\n%s", where, outs)
	}
	if where["content/a/index.md"] != where["content/b/index.md"] {
		t.Errorf("a and b both use port 7000 but sit in shards %v", where)
	}
	if where["content/c/index.md"] != where["content/d/index.md"] || where["content/c/index.md"] == where["content/a/index.md"] {
		t.Errorf("two pages a shard: want a and b in one, c and d in the other: %v", where)
	}
}

// A page that does not parse is reported by exactly one shard, not by
// every machine of the matrix; a bad spec is a usage error.
func TestShardFlagReportsABadPageOnce(t *testing.T) {
	site(t, map[string]string{
		"a":   "```console\n$ echo a\n```\n",
		"bad": "```python\nprint(1)\n```\n",
		"c":   "```console\n$ echo c\n```\n",
	})
	for n := 1; n <= 3; n++ {
		codes, outs := listShards(t, n)
		reported := 0
		for i, out := range outs {
			if strings.Contains(out, "content/bad/index.md:1:") {
				reported++
				if codes[i] != exitDrift {
					t.Errorf("n=%d: shard %d reports the bad page with exit %d", n, i+1, codes[i])
				}
			} else if codes[i] != exitOK {
				t.Errorf("n=%d: shard %d: exit %d\n%s", n, i+1, codes[i], out)
			}
		}
		if reported != 1 {
			t.Errorf("n=%d: the bad page is reported by %d shards:\n%s", n, reported, strings.Join(outs, "\n---\n"))
		}
	}
	for _, spec := range []string{"0/2", "3/2", "1/0", "x"} {
		var out bytes.Buffer
		if code := run(context.Background(), []string{"list", "-shard", spec}, &out, &out); code != exitEnv {
			t.Errorf("-shard %s: exit %d\n%s", spec, code, out.String())
		}
	}
}
