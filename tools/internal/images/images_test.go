package images

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/build"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"
	"github.com/docker/go-connections/nat"
)

func TestCatalogOrderAndHashes(t *testing.T) {
	cat := realCatalog(t)
	names := cat.Names()
	want := []string{"busybox", "debian", "debian-bookworm", "nginx", "node", "redis", "registry"}
	sorted := slices.Clone(names)
	slices.Sort(sorted)
	if !reflect.DeepEqual(sorted, want) {
		t.Fatalf("recipes = %v, want %v", sorted, want)
	}
	pos := map[string]int{}
	for i, n := range names {
		pos[n] = i
	}
	for base, ns := range map[string][]string{"debian": {"nginx", "redis", "busybox"}, "debian-bookworm": {"node"}, "busybox": {"registry"}} {
		for _, n := range ns {
			if pos[base] > pos[n] {
				t.Errorf("%s must come before %s in %v", base, n, names)
			}
		}
	}
	for _, n := range names {
		if len(cat.Hash(n)) != 64 {
			t.Errorf("hash of %s = %q", n, cat.Hash(n))
		}
	}
	if tags := cat.AllTags(""); len(tags) != 14 || tags[0] != "debian:trixie" {
		t.Errorf("AllTags = %v", tags)
	}
	got, err := cat.Closure([]string{"nginx"})
	if err != nil || !reflect.DeepEqual(got, []string{"debian", "nginx"}) {
		t.Errorf("Closure(nginx) = %v, %v", got, err)
	}
	if _, err := cat.Closure([]string{"nope"}); err == nil {
		t.Error("Closure of an unknown recipe should fail")
	}
}

// A change in a base recipe changes the hash of what is built FROM it, and
// nothing else.
func TestHashFollowsBase(t *testing.T) {
	dir, load := copyRecipes(t)
	before := load()
	must(t, os.WriteFile(filepath.Join(dir, "debian", "finalize.sh"), []byte("#!/bin/sh\n: changed\n"), 0o755))
	after := load()
	for _, n := range before.Names() {
		changed := before.Hash(n) != after.Hash(n)
		// registry is built FROM busybox, which is built FROM debian;
		// node is built FROM debian-bookworm, which is made like
		// debian, with its finalize.sh.
		if !changed {
			t.Errorf("%s: hash unchanged after debian/finalize.sh changed", n)
		}
	}
	// Same content elsewhere, same hash: names and paths are not hashed.
	if realCatalog(t).Hash("nginx") != before.Hash("nginx") {
		t.Error("a copied recipe should hash like the original")
	}
	// The parity table describes the official image: editing it rebuilds
	// nothing. Any other new file does.
	must(t, os.WriteFile(filepath.Join(dir, "nginx", ParityFile), []byte(`{"changed": true}`), 0o644))
	if load().Hash("nginx") != after.Hash("nginx") {
		t.Errorf("editing nginx/%s changed the recipe hash", ParityFile)
	}
	must(t, os.WriteFile(filepath.Join(dir, "nginx", "extra.json"), []byte(`{}`), 0o644))
	if load().Hash("nginx") == after.Hash("nginx") {
		t.Error("a new file in the recipe folder left the hash as it was")
	}
}

// A recipe made like another uses, and hashes, the other's rootfs/ and
// finalize.sh, and nothing of its own in their place.
func TestDebootstrapLike(t *testing.T) {
	dir, load := copyRecipes(t)
	before := load()
	if got, want := before.Recipe("debian-bookworm").overlayDir, before.Recipe("debian").Dir; got != want {
		t.Errorf("debian-bookworm takes its rootfs/ and finalize.sh from %s, want %s", got, want)
	}
	must(t, os.WriteFile(filepath.Join(dir, "debian", "rootfs", "etc", "dpkg", "dpkg.cfg.d", "docker"), []byte("# changed\n"), 0o644))
	after := load()
	for _, n := range []string{"debian", "debian-bookworm", "node"} {
		if before.Hash(n) == after.Hash(n) {
			t.Errorf("%s: hash unchanged after debian/rootfs changed", n)
		}
	}
	if before.Hash("debian-bookworm") == before.Hash("debian") {
		t.Error("debian-bookworm hashes like debian: its own recipe.json (the suite) is not in its hash")
	}
	for name, tc := range map[string]struct {
		like string
		own  string // a file of its own in the way
		want string
	}{
		"unknown":       {like: "nope", want: `debootstrap.like "nope" is not a debootstrap recipe`},
		"not bootstrap": {like: "nginx", want: `debootstrap.like "nginx" is not a debootstrap recipe`},
		"own finalize":  {like: "debian", own: "finalize.sh", want: "has a finalize.sh of its own and debootstrap.like"},
		// A new recipe like debian-bookworm, which is itself like debian.
		"chained": {like: "debian-bookworm", want: `debootstrap.like "debian-bookworm" is itself like "debian": name that one`},
	} {
		t.Run(name, func(t *testing.T) {
			dir, _ := copyRecipes(t)
			bw := filepath.Join(dir, "debian-bookworm")
			if name == "chained" {
				bw = filepath.Join(dir, "debian-sid")
				must(t, os.MkdirAll(bw, 0o755))
				must(t, os.WriteFile(filepath.Join(bw, "Dockerfile"), []byte("FROM scratch\n"), 0o644))
			}
			must(t, os.WriteFile(filepath.Join(bw, "recipe.json"), []byte(`{"tags": ["debian:x"], "debootstrap": {"suite": "x", "like": "`+tc.like+`"}}`), 0o644))
			if tc.own != "" {
				must(t, os.WriteFile(filepath.Join(bw, tc.own), []byte("#!/bin/sh\n"), 0o755))
			}
			_, err := LoadCatalog(repoRoot(t), dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), filepath.Join(bw, "recipe.json")) {
				t.Errorf("LoadCatalog = %v, want an error naming %s and %q", err, filepath.Join(bw, "recipe.json"), tc.want)
			}
		})
	}
}

func TestHostSources(t *testing.T) {
	old, oldOS := aptDir, osRelease
	aptDir = t.TempDir()
	osRelease = filepath.Join(t.TempDir(), "os-release")
	t.Cleanup(func() { aptDir, osRelease = old, oldOS })
	must(t, os.MkdirAll(filepath.Join(aptDir, "sources.list.d"), 0o755))
	must(t, os.WriteFile(filepath.Join(aptDir, "sources.list"), []byte(
		"# comment\ndeb [arch=amd64] http://mirror.invalid/debian bookworm main contrib\ndeb-src http://mirror.invalid/debian bookworm main\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(aptDir, "sources.list.d", "debian.sources"), []byte(
		"Types: deb\nURIs: http://mirror.invalid/debian\nSuites: bookworm bookworm-updates\nComponents: main\n\n"+
			"Types: deb\nURIs: http://security.invalid/debian-security\nSuites: bookworm-security\nComponents: main\n\n"+
			"Types: deb\nURIs: http://other.invalid/x\nSuites: trixie\nComponents: main\n"), 0o644))
	s, err := HostSources("bookworm")
	if err != nil {
		t.Fatal(err)
	}
	if s.Mirror != "http://mirror.invalid/debian" || !reflect.DeepEqual(s.Components, []string{"main", "contrib"}) {
		t.Errorf("mirror %q components %v", s.Mirror, s.Components)
	}
	for _, want := range []string{"Suites: bookworm\n", "Suites: bookworm-updates\n", "URIs: http://security.invalid/debian-security\nSuites: bookworm-security"} {
		if !strings.Contains(s.Deb822, want) {
			t.Errorf("sources lack %q:\n%s", want, s.Deb822)
		}
	}
	if strings.Contains(s.Deb822, "trixie") {
		t.Errorf("other suites leak in:\n%s", s.Deb822)
	}
	if _, err := HostSources("sid"); err == nil {
		t.Error("want an error for a suite the host has no source for (and no os-release)")
	}

	// A bookworm host building trixie: the host's Debian entries, with
	// trixie in place of bookworm.
	must(t, os.WriteFile(osRelease, []byte("PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n"), 0o644))
	must(t, os.Remove(filepath.Join(aptDir, "sources.list")))
	must(t, os.WriteFile(filepath.Join(aptDir, "sources.list.d", "debian.sources"), []byte(
		"Types: deb\nURIs: http://mirror.invalid/debian\nSuites: bookworm bookworm-updates\nComponents: main\n\n"+
			"Types: deb\nURIs: http://security.invalid/debian-security\nSuites: bookworm-security\nComponents: main\n\n"+
			"Types: deb\nURIs: http://other.invalid/x\nSuites: nodistro\nComponents: main\n"), 0o644))
	s, err = HostSources("trixie")
	if err != nil {
		t.Fatal(err)
	}
	want := "Types: deb\nURIs: http://mirror.invalid/debian\nSuites: trixie trixie-updates\nComponents: main\n\n" +
		"Types: deb\nURIs: http://security.invalid/debian-security\nSuites: trixie-security\nComponents: main\n"
	if s.Mirror != "http://mirror.invalid/debian" || s.Deb822 != want {
		t.Errorf("trixie on a bookworm host: mirror %q, sources:\n%s\nwant:\n%s", s.Mirror, s.Deb822, want)
	}
	// An Ubuntu host's entries serve no Debian suite: no fallback there.
	must(t, os.WriteFile(osRelease, []byte("ID=ubuntu\nID_LIKE=debian\nVERSION_CODENAME=bookworm\n"), 0o644))
	if s, err := HostSources("trixie"); err == nil {
		t.Errorf("a non-Debian host's sources were used for trixie:\n%s", s.Deb822)
	}
	must(t, os.WriteFile(osRelease, []byte("ID=debian\nVERSION_CODENAME=bookworm\n"), 0o644))
	// The host's own suite is still read as it is.
	if s, err := HostSources("bookworm"); err != nil || !strings.Contains(s.Deb822, "Suites: bookworm bookworm-updates\n") {
		t.Errorf("bookworm: %v\n%s", err, s.Deb822)
	}
	// What a machine that builds the images must reach: each archive
	// host once, not the other suite's.
	hosts, err := (&Catalog{}).ArchiveHosts()
	if err != nil || !reflect.DeepEqual(hosts, []string{"mirror.invalid", "security.invalid"}) {
		t.Errorf("ArchiveHosts: %v, %v; want mirror.invalid and security.invalid", hosts, err)
	}
}

// The real lab images: all present and current after provisioning, and a
// second run builds nothing.
func TestProvisionRealImages(t *testing.T) {
	ensureReal(t)
	cli := dockerClient(t)
	cat := realCatalog(t)
	for _, r := range realResults {
		t.Logf("first run: %s %s %s", r.Name, r.Action, r.Duration.Round(time.Second))
	}
	st, err := List(context.Background(), cli, cat, nil, "")
	must(t, err)
	for _, s := range st {
		if !s.OK() || s.State != StateCurrent {
			t.Errorf("%s: state %s, missing tags %v", s.Name, s.State, s.MissingTags)
		}
		if want := "built from tools/images/" + s.Name + " " + s.RecipeHash[:12]; s.Origin != want {
			t.Errorf("%s: origin %q, want %q", s.Name, s.Origin, want)
		}
	}
	start := time.Now()
	res, err := Provision(context.Background(), cli, cat, Options{Locked: true, Policy: PolicyBuild})
	must(t, err)
	if n := res.Count(Built); n != 0 || res.Count(UpToDate) != len(cat.Names()) {
		t.Errorf("second run built %d (%v), want 0", n, res.Names(Built))
	}
	t.Logf("second run took %s", time.Since(start))
}

// The images behave like the official ones in the ways the lab relies on.
func TestRealImagesWork(t *testing.T) {
	ensureReal(t)
	cli := dockerClient(t)
	ctx := context.Background()

	t.Run("versions", func(t *testing.T) {
		for _, c := range []struct {
			img  string
			cmd  []string
			want string
		}{
			{"debian:trixie", []string{"cat", "/etc/debian_version"}, "13."},
			{"debian:bookworm", []string{"cat", "/etc/debian_version"}, "12."},
			{"nginx:1.26", []string{"nginx", "-v"}, "nginx/1.26"},
			{"node:24", []string{"--version"}, "v24.22.3"}, // entrypoint runs node
			{"node:24", []string{"sh", "-c", "npm --version; npx --version; corepack --version; yarn --version"}, "11.19.1\n11.19.1\n0.36.0\n1.22.22"},
			{"node:24", []string{"id", "node"}, "uid=1000(node) gid=1000(node)"},
			{"node:24", []string{"sh", "-c", "echo $HOME; ls -d /home/node"}, "/root\n/home/node"},
			{"redis:8", []string{"redis-server", "--version"}, "v=8."},
			{"redis:8", []string{"redis-cli", "--version"}, "redis-cli 8."},
			{"busybox:1.37", []string{"sh", "-c", "readlink /bin/ls; echo ok"}, "/bin/busybox\nok"},
			{"registry:3", []string{"--version"}, "v3.1.2"},
		} {
			code, out := runIn(t, cli, c.img, "", c.cmd...)
			if code != 0 || !strings.Contains(out, c.want) {
				t.Errorf("%s %v: exit %d, output %q, want %q", c.img, c.cmd, code, out, c.want)
			}
		}
	})

	t.Run("config", func(t *testing.T) {
		for img, check := range map[string]func(*container.Config) string{
			"nginx:1.26": func(c *container.Config) string {
				if !reflect.DeepEqual([]string(c.Cmd), []string{"nginx", "-g", "daemon off;"}) || c.StopSignal != "SIGQUIT" {
					return fmt.Sprintf("cmd %v stopsignal %q", c.Cmd, c.StopSignal)
				}
				if _, ok := c.ExposedPorts["80/tcp"]; !ok {
					return "80 not exposed"
				}
				return ""
			},
			"redis:8": func(c *container.Config) string {
				// The official redis 8 declares no volume.
				if c.WorkingDir != "/data" || len(c.Volumes) != 0 {
					return fmt.Sprintf("workdir %q volumes %v", c.WorkingDir, c.Volumes)
				}
				if _, ok := c.ExposedPorts["6379/tcp"]; !ok {
					return "6379 not exposed"
				}
				return ""
			},
			"registry:3": func(c *container.Config) string {
				if !reflect.DeepEqual([]string(c.Entrypoint), []string{"/entrypoint.sh"}) ||
					!reflect.DeepEqual([]string(c.Cmd), []string{"/etc/distribution/config.yml"}) {
					return fmt.Sprintf("entrypoint %v cmd %v", c.Entrypoint, c.Cmd)
				}
				if _, ok := c.Volumes["/var/lib/registry"]; !ok {
					return "no /var/lib/registry volume"
				}
				return ""
			},
			"debian:trixie": func(c *container.Config) string {
				if !reflect.DeepEqual([]string(c.Cmd), []string{"bash"}) {
					return fmt.Sprintf("cmd %v", c.Cmd)
				}
				return ""
			},
		} {
			_, raw, err := cli.ImageInspectWithRaw(ctx, img)
			must(t, err)
			var v struct{ Config container.Config }
			must(t, json.Unmarshal(raw, &v))
			if msg := check(&v.Config); msg != "" {
				t.Errorf("%s: %s", img, msg)
			}
		}
	})

	t.Run("busybox is small", func(t *testing.T) {
		bb, _ := cli.ImageInspect(ctx, "busybox:1.37")
		deb, _ := cli.ImageInspect(ctx, "debian:trixie")
		if bb.Size*10 > deb.Size {
			t.Errorf("busybox %d bytes vs debian %d: want it far smaller", bb.Size, deb.Size)
		}
	})

	// nginx and redis answer other containers on a user network, as the
	// Compose step needs.
	t.Run("network services", func(t *testing.T) {
		netName := "labtest-net-" + randSuffix()
		n, err := cli.NetworkCreate(ctx, netName, network.CreateOptions{})
		must(t, err)
		t.Cleanup(func() { cli.NetworkRemove(context.Background(), n.ID) })
		web := "labtest-web-" + randSuffix()
		db := "labtest-db-" + randSuffix()
		startDetached(t, cli, web, &container.Config{Image: "nginx:1.26"}, &container.HostConfig{NetworkMode: container.NetworkMode(netName)})
		startDetached(t, cli, db, &container.Config{Image: "redis:8"}, &container.HostConfig{NetworkMode: container.NetworkMode(netName)})
		var out string
		err = retry(20*time.Second, func() error {
			var code int
			code, out = runIn(t, cli, "busybox:1.37", netName, "wget", "-qO-", "http://"+web+"/")
			if code != 0 || !strings.Contains(out, "Welcome to nginx!") {
				return fmt.Errorf("exit %d: %s", code, out)
			}
			return nil
		})
		if err != nil {
			t.Errorf("nginx from another container: %v", err)
		}
		err = retry(20*time.Second, func() error {
			code, out := runIn(t, cli, "redis:8", netName, "redis-cli", "-h", db, "ping")
			if code != 0 || strings.TrimSpace(out) != "PONG" {
				return fmt.Errorf("exit %d: %s", code, out)
			}
			return nil
		})
		if err != nil {
			t.Errorf("redis-cli ping from another container: %v", err)
		}
		if l := logs(t, cli, web); !strings.Contains(l, `"GET / HTTP/1.1" 200`) {
			t.Errorf("nginx access log not on stdout: %q", l)
		}
	})
}

// Changing one recipe rebuilds that image and those built FROM it, and
// nothing else; done on a copy of the recipes under a prefix so that the
// real images stay as they are.
func TestRecipeChangeRebuildsDependents(t *testing.T) {
	ensureReal(t)
	cli := dockerClient(t)
	ctx := context.Background()
	real := realCatalog(t)
	realBefore := realIDs(t, cli, real)

	prefix := "labtest-" + randSuffix() + "-"
	dir, load := copyRecipes(t)
	addWebRecipe(t, dir)
	cat := load()
	t.Cleanup(func() { removePrefixed(t, cli, cat, prefix) })
	seedPrefixed(t, cli, real, prefix, real.Names()...)

	led := testLedger(t)
	opts := Options{Locked: true, Policy: PolicyBuild, Prefix: prefix, Progress: logWriter{t}, Ledger: led}
	res, err := Provision(ctx, cli, cat, opts)
	must(t, err)
	if got := res.Names(Built); !reflect.DeepEqual(got, []string{"web"}) {
		t.Fatalf("first run built %v, want only the new web", got)
	}
	webBefore := imageID(t, cli, prefix+"web:latest")
	redisBefore := imageID(t, cli, prefix+"redis:8")

	must(t, os.WriteFile(filepath.Join(dir, "nginx", "index.html"), []byte("<h1>changed</h1>\n"), 0o644))
	cat = load()
	res, err = Provision(ctx, cli, cat, opts)
	must(t, err)
	if got := res.Names(Built); !reflect.DeepEqual(got, []string{"nginx", "web"}) {
		t.Errorf("after changing nginx built %v, want [nginx web]", got)
	}
	if imageID(t, cli, prefix+"web:latest") == webBefore {
		t.Error("web was not rebuilt")
	}
	if imageID(t, cli, prefix+"redis:8") != redisBefore {
		t.Error("redis, a sibling of nginx, changed")
	}
	known, err := led.Load()
	must(t, err)
	for _, tag := range []string{prefix + "nginx:latest", prefix + "nginx:1.26"} {
		if h := known[imageID(t, cli, tag)].Hash; h != cat.Hash("nginx") {
			t.Errorf("the ledger gives %s hash %s, want %s", tag, short(h), short(cat.Hash("nginx")))
		}
	}
	code, out := runIn(t, cli, prefix+"web", "", "cat", "/usr/share/nginx/html/index.html", "/usr/share/nginx/html/hello.html")
	if code != 0 || !strings.Contains(out, "changed") || !strings.Contains(out, "hello") {
		t.Errorf("web should have the changed nginx base: %q", out)
	}

	res, err = Provision(ctx, cli, cat, opts)
	must(t, err)
	if n := res.Count(Built); n != 0 {
		t.Errorf("third run built %v", res.Names(Built))
	}
	if after := realIDs(t, cli, real); !reflect.DeepEqual(after, realBefore) {
		t.Errorf("real lab images changed:\nbefore %v\nafter  %v", realBefore, after)
	}
}

// Provisioning leaves alone whatever is not a lab image: a user's
// container, network, volume and images, including a dangling image
// built FROM a lab image.
func TestProvisionLeavesOthersAlone(t *testing.T) {
	ensureReal(t)
	cli := dockerClient(t)
	ctx := context.Background()
	sfx := randSuffix()

	vol, err := cli.VolumeCreate(ctx, volume.CreateOptions{Name: "sentinel-vol-" + sfx})
	must(t, err)
	t.Cleanup(func() { cli.VolumeRemove(context.Background(), vol.Name, true) })
	netName := "sentinel-net-" + sfx
	net, err := cli.NetworkCreate(ctx, netName, network.CreateOptions{})
	must(t, err)
	t.Cleanup(func() { cli.NetworkRemove(context.Background(), net.ID) })

	// Two builds under one tag: the first becomes a dangling image built
	// FROM busybox, as the stage images labimages removes are.
	imgTag := "sentinel-img-" + sfx + ":latest"
	buildSentinel := func(n string) string {
		df := []byte("FROM busybox:latest\nRUN echo " + n + " > /sentinel\n")
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(tarOne(pw, "Dockerfile", df)) }()
		resp, err := cli.ImageBuild(ctx, pr, build.ImageBuildOptions{Tags: []string{imgTag}, Remove: true, ForceRemove: true, Version: build.BuilderV1})
		must(t, err)
		defer resp.Body.Close()
		_, err = readStream(resp.Body, nil)
		must(t, err)
		return imageID(t, cli, imgTag)
	}
	dangling := buildSentinel("one " + sfx)
	tagged := buildSentinel("two " + sfx)
	t.Cleanup(func() {
		cli.ImageRemove(context.Background(), imgTag, image.RemoveOptions{PruneChildren: true})
		cli.ImageRemove(context.Background(), dangling, image.RemoveOptions{PruneChildren: true})
	})
	if dangling == tagged {
		t.Fatal("sentinel builds gave one image")
	}
	cid := startDetached(t, cli, "sentinel-ctr-"+sfx, &container.Config{Image: imgTag, Cmd: []string{"sleep", "3600"}},
		&container.HostConfig{NetworkMode: container.NetworkMode(netName),
			Mounts: []mount.Mount{{Type: mount.TypeVolume, Source: vol.Name, Target: "/data"}}})

	snapshot := func() string {
		c, err := cli.ContainerInspect(ctx, cid)
		must(t, err)
		n, err := cli.NetworkInspect(ctx, net.ID, network.InspectOptions{})
		must(t, err)
		v, err := cli.VolumeInspect(ctx, vol.Name)
		must(t, err)
		d, err := cli.ImageInspect(ctx, dangling)
		must(t, err)
		return fmt.Sprintf("ctr %s %s %v %s | net %s %v | vol %s %s | img %s | dangling %s %v",
			c.ID, c.State.Status, c.State.Running, c.State.StartedAt, n.ID, len(n.Containers),
			v.Name, v.Mountpoint, imageID(t, cli, imgTag), d.ID, d.RepoTags)
	}
	before := snapshot()

	// A run that builds (and so prunes) on a prefixed copy, and one over
	// the real images.
	prefix := "labtest-" + sfx + "-"
	dir, load := copyRecipes(t)
	must(t, os.WriteFile(filepath.Join(dir, "busybox", "extra"), []byte(sfx), 0o644))
	cat := load()
	t.Cleanup(func() { removePrefixed(t, cli, cat, prefix) })
	seedPrefixed(t, cli, realCatalog(t), prefix, "debian")
	led := testLedger(t)
	for i := 0; i < 2; i++ {
		res, err := Provision(ctx, cli, cat, Options{Locked: true, Policy: PolicyBuild, Prefix: prefix, Only: []string{"busybox"}, Ledger: led})
		must(t, err)
		t.Logf("prefixed run %d built %v", i, res.Names(Built))
		must(t, os.WriteFile(filepath.Join(dir, "busybox", "extra"), []byte(sfx+"2"), 0o644))
		cat = load()
	}
	_, err = Provision(ctx, cli, realCatalog(t), Options{Locked: true, Policy: PolicyBuild})
	must(t, err)

	if after := snapshot(); after != before {
		t.Errorf("user objects changed:\nbefore %s\nafter  %s", before, after)
	}
}

// Pulling from a mirror registry (a registry:3 on loopback): images come
// in with the lab tags and a "pulled" origin; auto falls back to building
// what the mirror lacks.
func TestPullFromMirror(t *testing.T) {
	ensureReal(t)
	cli := dockerClient(t)
	ctx := context.Background()
	sfx := randSuffix()

	cid := startDetached(t, cli, "labtest-registry-"+sfx, &container.Config{Image: "registry:3", ExposedPorts: nat.PortSet{"5000/tcp": {}}},
		&container.HostConfig{PortBindings: nat.PortMap{"5000/tcp": {{HostIP: "127.0.0.1", HostPort: "0"}}}})
	var mirror string
	must(t, retry(10*time.Second, func() error {
		c, err := cli.ContainerInspect(ctx, cid)
		if err != nil {
			return err
		}
		b := c.NetworkSettings.Ports["5000/tcp"]
		if len(b) == 0 {
			return fmt.Errorf("no port yet")
		}
		mirror = "127.0.0.1:" + b[0].HostPort
		return nil
	}))
	// Put a busybox in the mirror: one of the mirror's own, which no
	// ledger knows, as a registry's image is.
	src := mirror + "/busybox:1.37" // labimages pulls a recipe's primary tag
	df := []byte("FROM busybox:1.37\nRUN echo " + sfx + " > /mirror\n")
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(tarOne(pw, "Dockerfile", df)) }()
	resp, err := cli.ImageBuild(ctx, pr, build.ImageBuildOptions{Tags: []string{src}, Remove: true, ForceRemove: true, Version: build.BuilderV1})
	must(t, err)
	_, err = readStream(resp.Body, nil)
	resp.Body.Close()
	must(t, err)
	must(t, retry(20*time.Second, func() error {
		rc, err := cli.ImagePush(ctx, src, image.PushOptions{RegistryAuth: "e30="})
		if err != nil {
			return err
		}
		defer rc.Close()
		_, err = readStream(rc, nil)
		return err
	}))
	_, err = cli.ImageRemove(ctx, src, image.RemoveOptions{})
	must(t, err)

	prefix := "labtest-" + sfx + "-"
	cat := realCatalog(t)
	t.Cleanup(func() { removePrefixed(t, cli, cat, prefix) })
	led := testLedger(t)
	opts := Options{Locked: true, Policy: PolicyPull, Registry: mirror, Prefix: prefix, Only: []string{"busybox"}, Progress: logWriter{t}, Ledger: led}
	res, err := Provision(ctx, cli, cat, opts)
	must(t, err)
	if got := res.Names(Pulled); !reflect.DeepEqual(got, []string{"busybox"}) {
		t.Fatalf("pulled %v", got)
	}
	known, err := led.Load()
	must(t, err)
	if o := known[imageID(t, cli, prefix+"busybox:latest")].Origin; !strings.HasPrefix(o, "pulled "+mirror+"/busybox@sha256:") {
		t.Errorf("origin %q", o)
	}
	if _, err := cli.ImageInspect(ctx, src); err == nil {
		t.Errorf("the mirror's name %s was left behind", src)
	}
	res, err = Provision(ctx, cli, cat, opts)
	must(t, err)
	if res.Count(UpToDate) != 1 {
		t.Errorf("second pull run: %+v", res)
	}
	st, err := List(ctx, cli, cat, led, prefix)
	must(t, err)
	for _, s := range st {
		if s.Name == "busybox" && s.State != StatePulled {
			t.Errorf("busybox state %s", s.State)
		}
	}

	// auto: nginx is not in the mirror, so it is built (on the seeded
	// debian, from cache).
	seedPrefixed(t, cli, cat, prefix, "debian")
	res, err = Provision(ctx, cli, cat, Options{Locked: true, Policy: PolicyAuto, Registry: mirror, Prefix: prefix, Only: []string{"nginx"}, PullTimeout: 20 * time.Second, Ledger: led})
	must(t, err)
	if got := res.Names(Built); !reflect.DeepEqual(got, []string{"nginx"}) || !strings.HasPrefix(res[len(res)-1].Note, "pull failed") {
		t.Errorf("auto: %+v", res)
	}
}

func TestPolicyGuards(t *testing.T) {
	cli := dockerClient(t)
	cat := realCatalog(t)
	ctx := context.Background()
	// A prefixed pull from the default registry would land on real names.
	for _, reg := range []string{"", "default"} {
		if _, err := Provision(ctx, cli, cat, Options{Locked: true, Policy: PolicyPull, Registry: reg, Prefix: "labtest-x-", Ledger: testLedger(t)}); err == nil {
			t.Errorf("prefixed pull from %q allowed", reg)
		}
	}
	if _, err := ParsePolicy("sometimes"); err == nil {
		t.Error("ParsePolicy accepted nonsense")
	}
	if !sameRef("nginx:latest", "library/nginx:latest") || !sameRef("nginx", "nginx:latest") || sameRef("127.0.0.1:5000/nginx", "nginx") {
		t.Error("sameRef")
	}
}

// A failing build names the image, the daemon's error and the output that
// led to it.
func TestBuildErrorIsClear(t *testing.T) {
	ensureReal(t)
	cli := dockerClient(t)
	prefix := "labtest-" + randSuffix() + "-"
	dir, load := copyRecipes(t)
	bad := filepath.Join(dir, "broken")
	must(t, os.MkdirAll(bad, 0o755))
	must(t, os.WriteFile(filepath.Join(bad, "recipe.json"), []byte(`{"tags": ["broken:latest"], "from": {"BASE": "debian"}}`), 0o644))
	must(t, os.WriteFile(filepath.Join(bad, "Dockerfile"), []byte("ARG BASE\nFROM ${BASE}\nRUN echo about to fail && false\n"), 0o644))
	cat := load()
	t.Cleanup(func() { removePrefixed(t, cli, cat, prefix) })
	seedPrefixed(t, cli, realCatalog(t), prefix, "debian")
	_, err := Provision(context.Background(), cli, cat, Options{Locked: true, Policy: PolicyBuild, Prefix: prefix, Only: []string{"broken"}, Ledger: testLedger(t)})
	if err == nil {
		t.Fatal("a failing build succeeded")
	}
	for _, want := range []string{"broken: docker build of broken failed", "returned a non-zero code: 1", "about to fail", ": RUN echo about to fail"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

// An image that lost one of its tags gets it back without a build.
func TestRestoresMissingTag(t *testing.T) {
	ensureReal(t)
	cli := dockerClient(t)
	ctx := context.Background()
	prefix := "labtest-" + randSuffix() + "-"
	cat := realCatalog(t)
	t.Cleanup(func() { removePrefixed(t, cli, cat, prefix) })
	must(t, cli.ImageTag(ctx, "debian:trixie", prefix+"debian:trixie"))
	res, err := Provision(ctx, cli, cat, Options{Locked: true, Policy: PolicyBuild, Prefix: prefix, Only: []string{"debian"}, Ledger: testLedger(t)})
	must(t, err)
	if len(res) != 1 || res[0].Action != UpToDate || res[0].Note != "tagged "+prefix+"debian:latest "+prefix+"debian:13" {
		t.Fatalf("%+v", res)
	}
	if imageID(t, cli, prefix+"debian:latest") != imageID(t, cli, "debian:trixie") {
		t.Error("tag points elsewhere")
	}
}
