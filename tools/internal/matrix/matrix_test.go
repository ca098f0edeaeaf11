//go:build linux

package matrix

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labdocs/dockerlab/tools/internal/dockerenv"
	"github.com/labdocs/dockerlab/tools/internal/machine"
)

// need skips where the matrix cannot run (another machine, a lab
// daemon), except under CI, where that fails.
func need(t *testing.T) {
	t.Helper()
	err := machine.Check()
	if err == nil {
		_, err = exec.LookPath("dockerd")
	}
	if err == nil {
		var cli interface{ Close() error }
		cli, _, err = dockerenv.Client(context.Background())
		if err == nil {
			cli.Close()
		}
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
}

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// labrun builds the runner once: the matrix runs it inside the other
// machine, and the fixture is captured with it.
func labrun(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "labrun-matrix-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "labrun")
		cmd := exec.Command("go", "build", "-o", binPath, "./tools/labrun")
		cmd.Dir = repoRoot(t)
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("%v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// fixture writes a course of three pages into a fresh root and captures
// each page alone on the lab daemon, as make capture does. The first
// page makes a volume the second uses (which, read alone, makes it itself
// in an alone= block); the third asks the daemon for its labels, echoes,
// prints how many of the labels are the matrix's, and echoes again.
func fixture(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	vol := "labmatrix-" + suffix(t)
	pages := map[string]string{
		"content/steps/_index.md": "---\ntitle: Steps\nordered: true\n---\n",
		"content/steps/a/index.md": "---\ntitle: Make a volume\nweight: 1\n---\n\n" +
			"```console\n$ docker volume create " + vol + "\n```\n",
		"content/steps/b/index.md": "---\ntitle: Use it\nweight: 2\n---\n\n" +
			"```console {alone=true}\n$ docker volume create " + vol + "\n```\n\n" +
			"```console\n$ docker volume ls --filter name=" + vol + " --format '{{.Name}}'\n$ docker volume rm " + vol + "\n```\n",
		"content/steps/c/index.md": "---\ntitle: The daemon\nweight: 3\n---\n\n" +
			"```console {title=\"Its labels\"}\n$ docker info --format '{{json .Labels}}'\n```\n\n" +
			"```console\n$ echo the same everywhere\n```\n\n" +
			"```console {exit=1}\n$ docker info --format '{{json .Labels}}' | grep -c labdocs.matrix\n```\n\n" +
			"```console\n$ echo after\n```\n",
	}
	for rel, body := range pages {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	capture(t, root)
	return root
}

// capture captures the fixture's pages on the lab daemon.
func capture(t *testing.T, root string) {
	t.Helper()
	cmd := exec.Command(labrun(t), "capture", "-work", filepath.Join(t.TempDir(), "work"), "content")
	cmd.Dir = root
	t0 := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("capturing the fixture on the lab daemon: %v\n%s", err, out)
	}
	t.Logf("the fixture captured on the lab daemon in %s", time.Since(t0).Round(time.Second))
}

func suffix(t *testing.T) string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// The other daemon carries a label the lab's has not: the only block
// whose output depends on it differs, the block that counts it fails
// (its page expects grep to find none), the block after that is not run
// there, the rest is the same, state included (the volume the first page
// made, in the second); the block a course reader skips (alone=) is not
// in the matrix. A second run gives the same bytes, and the data is its
// own generator's output.
func TestMatrixOfTwoDaemons(t *testing.T) {
	need(t)
	root := fixture(t)
	ctx := context.Background()
	run := func() []byte {
		t.Helper()
		var progress bytes.Buffer
		m, err := Run(ctx, Options{Root: root, Labrun: labrun(t), NoImages: true, Progress: &progress,
			DockerdArgs: []string{"--label", "labdocs.matrix=second"}})
		t.Log(progress.String())
		if err != nil {
			t.Fatal(err)
		}
		data, err := Generate(m)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	data := run()
	m, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := Generate(m); !bytes.Equal(again, data) {
		t.Errorf("the data is not what the generator makes of it:\n%s", Compare(data, again))
	}
	if len(m.Engines.Lab) != 1 || m.Engines.Lab[0].Engine == "" || m.Engines.Lab[0].Pages != 3 || m.Engines.Other.Engine == "" {
		t.Errorf("engines: %+v", m.Engines)
	}
	want := Counts{Blocks: 6, Same: 3, Different: 2, NotCompared: 1}
	if m.Totals != want || len(m.Courses) != 1 || m.Courses[0].Section != "content/steps" || m.Courses[0].Counts != want {
		t.Fatalf("totals %+v, courses %+v; want %+v in content/steps\n%s", m.Totals, m.Courses, want, data)
	}
	var got []string
	for _, p := range m.Courses[0].Pages {
		for _, b := range p.Blocks {
			got = append(got, fmt.Sprintf("%s#%d %s", p.Path, b.Block, b.Status))
		}
	}
	if w := []string{
		"content/steps/a/index.md#0 same",
		"content/steps/b/index.md#1 same",
		"content/steps/c/index.md#0 different", "content/steps/c/index.md#1 same", "content/steps/c/index.md#2 failed",
		"content/steps/c/index.md#3 not run",
	}; strings.Join(got, "\n") != strings.Join(w, "\n") {
		t.Errorf("blocks:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(w, "\n"))
	}
	labels := m.Courses[0].Pages[2].Blocks[0]
	for _, l := range []string{"-[]", `+["labdocs.matrix=second"]`, " $ docker info --format '{{json .Labels}}'"} {
		if !strings.Contains(labels.Diff, "\n"+l+"\n") {
			t.Errorf("the labels block's diff lacks the line %q:\n%s", l, labels.Diff)
		}
	}
	if after := m.Courses[0].Pages[2].Blocks[3]; !strings.Contains(after.Message, "an earlier block failed") || after.Diff != "" || after.Lab != nil {
		t.Errorf("the block after the failure: %+v", after)
	}

	// What the reader sees: the difference on the engines page, linked to
	// its block.
	t0 := time.Now()
	html := render(t, root, data)
	t.Logf("the site built in %s", time.Since(t0).Round(time.Second))
	text := regexp.MustCompile(`<[^>]+>`).ReplaceAllString(html, "")
	for _, l := range []string{"-[]", `+[&#34;labdocs.matrix=second&#34;]`, "6 blocks", "Its labels"} {
		if !strings.Contains(text, l) {
			t.Errorf("the engines page does not show %q", l)
		}
	}
	if !strings.Contains(html, `steps/c/#block-1"`) {
		t.Errorf("the engines page does not link the labels block (steps/c/#block-1)")
	}
	if !strings.Contains(text, "Not run there: Block 4 (an earlier block failed).") || !strings.Contains(html, `steps/c/#block-4"`) {
		t.Errorf("the engines page does not list the block after the failure as not run there, linked")
	}

	// Nothing changed: a second run, on a new machine, makes the same
	// bytes.
	if again := run(); !bytes.Equal(again, data) {
		t.Errorf("a second run made other data:\n%s", Compare(data, again))
	}

	// A block changed on its page (and captured again) since the engines
	// were compared: the engines page says so.
	if strings.Contains(text, "changed on their pages") {
		t.Errorf("the engines page says blocks changed before any did")
	}
	a := filepath.Join(root, "content/steps/a/index.md")
	src, _ := os.ReadFile(a)
	os.WriteFile(a, bytes.Replace(src, []byte("$ docker volume create "), []byte("$ docker volume create --label changed=1 "), 1), 0o644)
	capture(t, root)
	html = render(t, root, data)
	if !strings.Contains(html, "1 of these blocks changed on their pages since the engines were compared") {
		t.Errorf("the engines page does not say that a block changed since the comparison")
	}
}

// render builds the fixture as a site with the engines page and its data,
// the way the real site is built, and returns the engines page's HTML.
func render(t *testing.T, root string, data []byte) string {
	t.Helper()
	repo := repoRoot(t)
	for _, rel := range []string{"config.toml", "layouts", "static", "content/reference/_index.md", "content/reference/engines/index.md"} {
		copyTree(t, filepath.Join(repo, rel), filepath.Join(root, rel))
	}
	if err := os.WriteFile(filepath.Join(root, DataPath), data, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "tool", "hugo", "--source", root, "--destination", filepath.Join(root, "public"), "--noBuildLock", "--panicOnWarning")
	cmd.Dir = repo
	cmd.Env = append(os.Environ(), "HUGO_CACHEDIR="+filepath.Join(t.TempDir(), "hugo"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("hugo: %v\n%s", err, out)
	}
	b, err := os.ReadFile(filepath.Join(root, "public/reference/engines/index.html"))
	if err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(filepath.Join(root, "public/steps/c/index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(page, []byte(`id="block-1"`)) {
		t.Errorf("the labels block has no anchor block-1 on its page")
	}
	return string(b)
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		target := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
