package record

import (
	"reflect"
	"testing"

	"github.com/labdocs/dockerlab/tools/internal/blocks"
)

func parse(t *testing.T, src string) *blocks.Page {
	t.Helper()
	p, err := blocks.Parse("page.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestTypedMarks(t *testing.T) {
	for _, c := range []struct {
		name      string
		src       string
		cmd, from int
		want      []Mark
	}{{
		name: "the echo of input after a command",
		src:  "```console {input=\"Hello from netcat\"}\n# nc netcat2 4321\nHello from netcat\n```\n",
		cmd:  0, from: 0,
		want: []Mark{{Line: 1, Col: 0, Text: "Hello from netcat", Kind: "input"}},
	}, {
		name: "a program that echoes it back: the first line is the reader's",
		src:  "```console {input=\"hi\"}\n$ cat\nhi\nhi\n```\n",
		cmd:  0, from: 0,
		want: []Mark{{Line: 1, Col: 0, Text: "hi", Kind: "input"}},
	}, {
		name: "after a prompt printed without a newline, in runes",
		src:  "```console {input=\"yes\"}\n$ ask\nstarting\n» Proceed? yes\nok\n```\n",
		cmd:  0, from: 2,
		want: []Mark{{Line: 2, Col: 11, Text: "yes", Kind: "input"}},
	}, {
		name: "earlier output that happens to contain it is not the echo",
		src:  "```console {input=\"ok\"}\n$ ask\nok so far\nask> ok\n```\n",
		cmd:  0, from: 2,
		want: []Mark{{Line: 2, Col: 5, Text: "ok", Kind: "input"}},
	}, {
		name: "a key's echo in leading output",
		src:  "```console {keys=\"ctrl-c\"}\nlistening\n^C\n```\n",
		cmd:  -1, from: 1,
		want: []Mark{{Line: 1, Col: 0, Text: "^C", Kind: "key"}},
	}, {
		name: "a key without echo marks nothing",
		src:  "```console {keys=\"ctrl-p ctrl-q\"}\n$ docker attach x\n```\n",
		cmd:  0, from: 0,
		want: nil,
	}, {
		name: "input, then a key",
		src:  "```console {input=\"abc\" keys=\"ctrl-c\"}\n$ nc -l 1\nabc\n^C\n```\n",
		cmd:  0, from: 0,
		want: []Mark{{Line: 1, Col: 0, Text: "abc", Kind: "input"}, {Line: 2, Col: 0, Text: "^C", Kind: "key"}},
	}} {
		t.Run(c.name, func(t *testing.T) {
			b := parse(t, c.src).Blocks[0]
			if got := TypedMarks(b, c.cmd, c.from); !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

// Two blocks with the same text keep their own terminal, container and
// run number: the record is by position.
func TestBlocksOfSameText(t *testing.T) {
	p := parse(t, "```console {term=\"2\"}\n# exit\nexit\n```\n\n```text {skip=\"prose\"}\nx\n```\n\n```console {term=\"3\"}\n# exit\nexit\n```\n")
	got := BlocksOf(p, []Ran{{Inside: "netcat"}, {}, {Inside: "netcat2"}})
	if len(got) != 3 || got[0].Hash != got[2].Hash {
		t.Fatalf("want three blocks, the first and last with one hash: %+v", got)
	}
	want := []struct {
		kind, term, inside string
		seq, line          int
	}{{"console", "2", "netcat", 1, 1}, {"skipped", "", "", 0, 6}, {"console", "3", "netcat2", 2, 10}}
	for i, w := range want {
		g := got[i]
		if g.Kind != w.kind || g.Term != w.term || g.Inside != w.inside || g.Seq != w.seq || g.Line != w.line {
			t.Errorf("block %d: got %+v, want %+v", i, g, w)
		}
	}
	rec := &Record{Blocks: got}
	if !rec.Shows(p) {
		t.Error("the record does not show the page it was made from")
	}
	q := parse(t, "```console {term=\"3\"}\n# exit\nexit\n```\n\n```console {term=\"2\"}\n# exit\nexit\n```\n")
	if rec.Shows(q) {
		t.Error("the record shows a page with one block fewer")
	}
}
