package images

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/build"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"
	"github.com/labdocs/dockerlab/tools/internal/ledger"
)

// tinyCatalog is a catalog of one small recipe, "tiny", built FROM
// scratch in two stages (as busybox is), under a name of the test's own:
// not prefixed, so that Present takes it for a lab image. Its content is
// the test's own too, so its ID is new. The tag and the image go at
// cleanup.
func tinyCatalog(t *testing.T, cli *client.Client) (cat *Catalog, tag string) {
	t.Helper()
	sfx := randSuffix()
	tag = "labtest-tiny-" + sfx + ":latest"
	dir := filepath.Join(t.TempDir(), "images")
	r := filepath.Join(dir, "tiny")
	must(t, os.MkdirAll(r, 0o755))
	must(t, os.WriteFile(filepath.Join(r, "recipe.json"), []byte(`{"tags": ["`+tag+`"]}`), 0o644))
	must(t, os.WriteFile(filepath.Join(r, "Dockerfile"), []byte("FROM scratch AS stage\nCOPY hello /hello\nFROM scratch\nCOPY --from=stage /hello /hello\nCMD [\"/hello\"]\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(r, "hello"), []byte(sfx+"\n"), 0o644))
	cat, err := LoadCatalog(repoRoot(t), dir)
	must(t, err)
	t.Cleanup(func() {
		cli.ImageRemove(context.Background(), tag, image.RemoveOptions{PruneChildren: true})
	})
	return cat, tag
}

func danglingIDs(t *testing.T, cli *client.Client) map[string]bool {
	t.Helper()
	p := &provisioner{cli: cli}
	d, err := p.dangling(context.Background())
	must(t, err)
	return d
}

// No lab image carries a label or a history line of ours: the real ones,
// and one built here; and the stage images a build leaves are gone.
func TestLabImagesCarryNoLabels(t *testing.T) {
	ensureReal(t)
	cli := dockerClient(t)
	ctx := context.Background()
	cat, tiny := tinyCatalog(t, cli)
	before := danglingIDs(t, cli)
	res, err := Provision(ctx, cli, cat, Options{Locked: true, Policy: PolicyBuild, Ledger: testLedger(t)})
	must(t, err)
	if res.Count(Built) != 1 {
		t.Fatalf("tiny: %+v", res)
	}
	for d := range danglingIDs(t, cli) {
		if !before[d] {
			t.Errorf("the build left the dangling image %s", short(d))
		}
	}
	for _, tag := range append(realCatalog(t).AllTags(""), tiny) {
		ii, err := cli.ImageInspect(ctx, tag)
		must(t, err)
		if ii.Config != nil {
			for k, v := range ii.Config.Labels {
				if strings.Contains(k, "labdocs") || strings.Contains(v, "labimages") {
					t.Errorf("%s carries the label %s=%s", tag, k, v)
				}
			}
		}
		hist, err := cli.ImageHistory(ctx, tag)
		must(t, err)
		for _, h := range hist {
			for _, s := range []string{h.CreatedBy, h.Comment} {
				if strings.Contains(s, "org.labdocs") || strings.Contains(s, "labimages") {
					t.Errorf("%s's history shows %q", tag, s)
				}
			}
		}
	}
}

// An image the ledger does not know, under a lab image's name (a user's,
// or what a fresh daemon got elsewhere), is never taken for a lab image:
// it is foreign, not present, and a build replaces it without removing
// it. An image built FROM a lab image, and a lab image under a name of a
// page's, are not lab images either.
func TestImageNotInLedgerIsNotALabImage(t *testing.T) {
	cli := dockerClient(t)
	ctx := context.Background()
	cat, tag := tinyCatalog(t, cli)
	led := ledger.At(filepath.Join(t.TempDir(), "ledger.json"))

	// The user's image under the lab name.
	build1 := func(tag, dockerfile string) string {
		t.Helper()
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(tarOne(pw, "Dockerfile", []byte(dockerfile))) }()
		resp, err := cli.ImageBuild(ctx, pr, build.ImageBuildOptions{Tags: []string{tag}, Remove: true, ForceRemove: true, Version: build.BuilderV1})
		must(t, err)
		defer resp.Body.Close()
		_, err = readStream(resp.Body, nil)
		must(t, err)
		return imageID(t, cli, tag)
	}
	users := build1(tag, "FROM scratch\nLABEL mine="+randSuffix()+"\nCMD [\"/x\"]\n")
	t.Cleanup(func() { cli.ImageRemove(context.Background(), users, image.RemoveOptions{PruneChildren: true}) })

	st, err := List(ctx, cli, cat, led, "")
	must(t, err)
	if st[0].State != StateForeign || st[0].OK() {
		t.Errorf("the user's image under %s: %+v", tag, st[0])
	}
	if lab, err := Present(ctx, cli, led); err != nil || len(lab) != 0 {
		t.Errorf("present: %+v, %v", lab, err)
	}
	res, err := Provision(ctx, cli, cat, Options{Locked: true, Policy: PolicyBuild, Ledger: led})
	must(t, err)
	if res.Count(Built) != 1 || res[0].ID == users {
		t.Fatalf("the user's image was kept as the lab image: %+v", res)
	}
	if _, err := cli.ImageInspect(ctx, users); err != nil {
		t.Errorf("the user's image was removed: %v", err)
	}
	known, err := led.Load()
	must(t, err)
	if _, ok := known[users]; ok {
		t.Error("the ledger names the user's image")
	}

	// Now a lab image: FROM it, and under another name.
	child := "labtest-child-" + randSuffix() + ":latest"
	build1(child, "FROM "+tag+"\nLABEL child=yes\n")
	t.Cleanup(func() { cli.ImageRemove(context.Background(), child, image.RemoveOptions{PruneChildren: true}) })
	other := "labtest-other-" + randSuffix() + ":latest"
	must(t, cli.ImageTag(ctx, tag, other))
	t.Cleanup(func() { cli.ImageRemove(context.Background(), other, image.RemoveOptions{}) })
	lab, err := Present(ctx, cli, led)
	must(t, err)
	if len(lab) != 1 || lab[0].Name != tag || lab[0].ID != res[0].ID || lab[0].Recipe != "tiny" || lab[0].Hash != cat.Hash("tiny") {
		t.Errorf("present: %+v, want only %s (%s)", lab, tag, short(res[0].ID))
	}
}

// Export writes the images and their ledger entries; on a daemon that
// lost them and a host with an empty ledger, import brings both back and
// nothing needs a build.
func TestExportImportRoundTrip(t *testing.T) {
	cli := dockerClient(t)
	ctx := context.Background()
	cat, tag := tinyCatalog(t, cli)
	led := ledger.At(filepath.Join(t.TempDir(), "ledger.json"))
	dir := filepath.Join(t.TempDir(), "export")
	if err := Export(ctx, cli, cat, led, "", dir); err == nil {
		t.Error("an export of a missing image succeeded")
	}
	res, err := Provision(ctx, cli, cat, Options{Locked: true, Policy: PolicyBuild, Ledger: led})
	must(t, err)
	id := res[0].ID
	must(t, Export(ctx, cli, cat, led, "", dir))
	exported, err := ledger.Read(filepath.Join(dir, ExportLedger))
	must(t, err)
	if want, _ := led.Load(); !reflect.DeepEqual(exported, want) {
		t.Errorf("exported entries %+v, want %+v", exported, want)
	}

	_, err = cli.ImageRemove(ctx, tag, image.RemoveOptions{PruneChildren: true})
	must(t, err)
	if _, err := cli.ImageInspect(ctx, id); err == nil {
		t.Fatal("the image is still there")
	}
	fresh := ledger.At(filepath.Join(t.TempDir(), "ledger.json"))
	n, err := Import(ctx, cli, fresh, dir)
	must(t, err)
	if n != 1 || imageID(t, cli, tag) != id {
		t.Fatalf("import: %d entries, %s names %s, want %s", n, tag, short(imageID(t, cli, tag)), short(id))
	}
	got, err := fresh.Load()
	must(t, err)
	if !reflect.DeepEqual(got, exported) {
		t.Errorf("imported ledger %+v, want %+v", got, exported)
	}
	res, err = Provision(ctx, cli, cat, Options{Locked: true, Policy: PolicyBuild, Ledger: fresh})
	must(t, err)
	if res.Count(UpToDate) != 1 {
		t.Errorf("after import: %+v", res)
	}

	// A ledger that names an image the tarball does not hold is refused.
	exported["sha256:"+strings.Repeat("0", 64)] = exported[id]
	must(t, ledger.Write(filepath.Join(dir, ExportLedger), exported))
	if _, err := Import(ctx, cli, ledger.At(filepath.Join(t.TempDir(), "l.json")), dir); err == nil || !strings.Contains(err.Error(), "000000000000") {
		t.Errorf("import of a ledger naming an absent image: %v", err)
	}
}

// The set's name: the suite most images are built on, a hash that
// follows each recipe's hash (or a pulled image's origin) and not the
// images' names or order.
func TestSetName(t *testing.T) {
	im := func(name, recipe, hash, origin, suite string) LabImage {
		return LabImage{Name: name, Entry: ledger.Entry{Recipe: recipe, Hash: hash, Origin: origin, Suite: suite}}
	}
	a := []LabImage{
		im("debian:trixie", "debian", "h1", "built", "trixie"),
		im("debian:latest", "debian", "h1", "built", "trixie"),
		im("debian:bookworm", "debian-bookworm", "h2", "built", "bookworm"),
		im("nginx:latest", "nginx", "h3", "built", "trixie"),
		im("registry:3", "registry", "", "pulled r@sha256:1", ""),
	}
	name := SetName(a)
	if !strings.HasPrefix(name, "trixie images ") || len(name) != len("trixie images ")+8 {
		t.Fatalf("name %q", name)
	}
	rev := append([]LabImage(nil), a...)
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	if SetName(rev) != name || SetName(a[1:]) != name {
		t.Error("the order or a second name of an image changed the name")
	}
	b := append([]LabImage(nil), a...)
	b[3].Hash = "h4"
	c := append([]LabImage(nil), a...)
	c[4].Origin = "pulled r@sha256:2"
	if SetName(b) == name || SetName(c) == name {
		t.Error("another recipe hash, or another pulled image, kept the name")
	}
	if n := SetName(a[4:]); !strings.HasPrefix(n, "images ") || len(n) != len("images ")+8 {
		t.Errorf("no suite: %q", n)
	}
	if SetName(nil) != "" {
		t.Error("no image, a name")
	}
}
