package linkcheck

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func write(t *testing.T, root, rel, body string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCheck(t *testing.T) {
	root := t.TempDir()
	write(t, root, "index.html", `<!doctype html>
<html><head><link rel="stylesheet" href="css/site.css"><link rel="icon" href="css/missing.svg"></head>
<body id="top">
<a href="a/">a</a> <a href="a/#x">x</a> <a href="#top">top</a> <a href="https://example.org/#nothing">ext</a>
<a href="mailto:someone">mail</a>
<a href="b/">missing page</a>
<a href="a/#nope">missing id</a>
<a href="a">a folder</a>
<a href="../../etc/passwd">out</a>
<img src="img/x.png"><script src="js/site.js?v=1"></script>
<a href="a/guide.pdf#page=2">pdf</a>
<a href="a/handout.pdf">handout, printed later</a> <a href="handout.pdf">no print.html beside it</a>
<p id="dup">one</p><p id="dup">two</p>
</body></html>
`)
	write(t, root, "a/index.html", `<h2 id="x">X</h2><a href="../index.html#top">back</a><a href="../#top">back</a><a href="/css/site.css">root-relative</a>`)
	write(t, root, "a/guide.pdf", "%PDF")
	write(t, root, "a/print.html", "<h1>A</h1>")
	write(t, root, "css/site.css", "")
	write(t, root, "js/site.js", "")
	got, err := Check(root)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, p := range got {
		lines = append(lines, p.String())
	}
	want := []string{
		`a/index.html:1: link "/css/site.css" is root-relative: it breaks when the site is served from a sub-path; make it relative`,
		`index.html:2: link "css/missing.svg": no file css/missing.svg in the site`,
		`index.html:6: link "b/": no file b/index.html in the site`,
		`index.html:7: link "a/#nope": a/index.html has no element with id "nope"`,
		`index.html:8: link "a": a is a folder; link to a/ (its index.html)`,
		`index.html:9: link "../../etc/passwd" leaves the site`,
		`index.html:10: link "img/x.png": no file img/x.png in the site`,
		`index.html:12: link "handout.pdf": no file handout.pdf in the site`,
		`index.html:13: id "dup" appears a second time`,
	}
	if !slices.Equal(lines, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", join(lines), join(want))
	}
}

func join(l []string) string {
	s := ""
	for _, x := range l {
		s += "  " + x + "\n"
	}
	return s
}
