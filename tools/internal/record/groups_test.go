package record

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// The runner's reading of a transcript, as the site renders it: leading
// output, a command continued over two lines (and a line ending in an
// escaped backslash, which does not continue), a "$" alone, a root
// shell, and where each group's output starts in the block's text.
func TestGroupsOf(t *testing.T) {
	p := parse(t, "```console {keys=\"ctrl-c enter\"}\n"+
		"Welcome\n"+
		"$ docker run \\\n    debian echo 'a\\\\'\n"+
		"a\\\n"+
		"$ echo a\\\\\n"+
		"a\\\n"+
		"$\n"+
		"# exit\n"+
		"exit\n"+
		"```\n")
	b := p.Blocks[0]
	want := []Group{
		{Out: []string{"Welcome"}},
		{Prompt: "$", Cmd: "docker run \\\n    debian echo 'a\\\\'", At: 3, Out: []string{"a\\"}},
		{Prompt: "$", Cmd: "echo a\\\\", At: 5, Out: []string{"a\\"}},
		{Prompt: "$"},
		{Prompt: "#", Cmd: "exit", At: 8, Out: []string{"exit"}},
	}
	if got := GroupsOf(b); !reflect.DeepEqual(got, want) {
		t.Fatalf("GroupsOf:\n%#v\nwant\n%#v", got, want)
	}
	rec := BlocksOf(p, nil)[0]
	if !reflect.DeepEqual(rec.Keys, []Key{{"ctrl-c", "Ctrl+C"}, {"enter", "Enter"}}) {
		t.Fatalf("keys %+v", rec.Keys)
	}
	skipped := BlocksOf(parse(t, "```console {skip=\"shown only\"}\n$ rm -rf /\n```\n"), nil)[0]
	if skipped.Kind != "skipped" || !reflect.DeepEqual(skipped.Groups, []Group{{Prompt: "$", Cmd: "rm -rf /"}}) {
		t.Fatalf("a skipped console block is recorded with its commands: %+v", skipped)
	}
	if other := BlocksOf(parse(t, "```sh {skip=\"shown only\"}\nrm -rf /\n```\n"), nil)[0]; other.Groups != nil {
		t.Fatalf("a block that is no transcript has no groups: %+v", other)
	}
}

// A record written by an older labrun is stale, not broken: Load gives
// it without blocks or inputs key, so the page runs again.
func TestOlderRecordsAreStale(t *testing.T) {
	for name, blocksJSON := range map[string]string{
		"blocks by hash":  `{"0f": {"hash": "0f", "kind": "console", "term": "main"}}`,
		"keys as strings": `[{"hash": "0f", "kind": "console", "term": "main", "keys": ["ctrl-c"]}]`,
	} {
		dir := t.TempDir()
		page := filepath.Join(dir, "index.md")
		data := `{"page": "index.md", "inputs": "abc", "docker": {"engine": "20.10.24"}, "blocks": ` + blocksJSON + `}`
		if err := os.WriteFile(PathFor(page), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := Load(page)
		if err != nil || r == nil || r.Blocks != nil || r.Inputs != "" || r.Docker.Engine != "20.10.24" {
			t.Errorf("%s: Load = %+v, %v; want the record without blocks and inputs", name, r, err)
		}
	}
	dir := t.TempDir()
	os.WriteFile(PathFor(filepath.Join(dir, "index.md")), []byte("{not json"), 0o644)
	if _, err := Load(filepath.Join(dir, "index.md")); err == nil {
		t.Error("a record that is not JSON loaded")
	}
}
