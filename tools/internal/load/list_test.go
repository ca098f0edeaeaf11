package load

import (
	"strings"
	"testing"

	"github.com/labdocs/dockerlab/tools/internal/blocks"
)

// List names each block of a page that runs at its file:line, as the
// runner would take it, and leaves out a page with nothing to run.
func TestList(t *testing.T) {
	parse := func(path, src string) *blocks.Page {
		t.Helper()
		p, err := blocks.Parse(path, []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	runs := parse("content/a/index.md", "# A\n\n"+
		"```console {term=\"web\"}\n$ echo hi\\\n  there\nhi there\n```\n\n"+
		"```text {file=\"app/x.txt\"}\nx\n```\n\n"+
		"```console {skip=\"needs a registry\"}\n$ docker pull x\n```\n")
	prose := parse("content/b/index.md", "# B\n\nProse, no block.\n")
	var b strings.Builder
	List(&b, []*blocks.Page{runs, prose})
	want := `content/a/index.md
  content/a/index.md:3: console term=web $ echo hi\
  content/a/index.md:9: file app/x.txt
  content/a/index.md:13: skipped: needs a registry
3 blocks, 1 skipped
`
	if b.String() != want {
		t.Errorf("List wrote\n%s\nwant\n%s", b.String(), want)
	}
}
