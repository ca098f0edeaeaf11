package images

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/client"
	"github.com/docker/docker/pkg/stdcopy"
	"github.com/labdocs/dockerlab/tools/internal/daemonlock"
	"github.com/labdocs/dockerlab/tools/internal/dockerenv"
	"github.com/labdocs/dockerlab/tools/internal/ledger"
)

// These tests run against the real daemon. The real lab images are built
// once (if missing or stale) and then reused, recorded in the host's
// ledger (ledger.Default); experiments that change recipes work on a copy
// under a "labtest-…" prefix, with a copy of the ledger (testLedger), so
// that the host's ledger names no image a test made.

var (
	realOnce    sync.Once
	realErr     error
	realResults Results
)

// TestMain holds the daemon lock for the whole run: page runs elsewhere on
// this daemon remove every container that appears while they run, and
// would take the test's containers with them.
func TestMain(m *testing.M) {
	code := func() int {
		cli, info, err := dockerenv.Client(context.Background())
		if err != nil {
			fmt.Fprintln(os.Stderr, "images tests need a Docker daemon:", err)
			return 1
		}
		defer cli.Close()
		l, err := daemonlock.Acquire(context.Background(), info.Host, os.Stderr)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer l.Unlock()
		return m.Run()
	}()
	os.Exit(code)
}

func dockerClient(t *testing.T) *client.Client {
	t.Helper()
	cli, _, err := dockerenv.Client(context.Background())
	if err != nil {
		t.Fatalf("these tests need a Docker daemon: %v", err)
	}
	t.Cleanup(func() { cli.Close() })
	return cli
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := FindRepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func realCatalog(t *testing.T) *Catalog {
	t.Helper()
	root := repoRoot(t)
	cat, err := LoadCatalog(root, DefaultRecipesDir(root))
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// ensureReal provisions the real lab images once per test binary.
func ensureReal(t *testing.T) {
	t.Helper()
	realOnce.Do(func() {
		cli, _, err := dockerenv.Client(context.Background())
		if err != nil {
			realErr = err
			return
		}
		defer cli.Close()
		root, err := FindRepoRoot()
		if err != nil {
			realErr = err
			return
		}
		cat, err := LoadCatalog(root, DefaultRecipesDir(root))
		if err != nil {
			realErr = err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
		defer cancel()
		realResults, realErr = Provision(ctx, cli, cat, Options{Locked: true, Policy: PolicyBuild, Progress: logWriter{t}})
	})
	if realErr != nil {
		t.Fatalf("provisioning the real lab images: %v", realErr)
	}
}

// logWriter sends progress lines to the test log.
type logWriter struct{ t *testing.T }

func (w logWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(b), "\n"))
	return len(b), nil
}

func randSuffix() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// copyRecipes copies the real recipes into a temp dir and loads them.
func copyRecipes(t *testing.T) (string, func() *Catalog) {
	t.Helper()
	root := repoRoot(t)
	dir := filepath.Join(t.TempDir(), "images")
	if err := os.CopyFS(dir, os.DirFS(DefaultRecipesDir(root))); err != nil {
		t.Fatal(err)
	}
	return dir, func() *Catalog {
		cat, err := LoadCatalog(root, dir)
		if err != nil {
			t.Fatal(err)
		}
		return cat
	}
}

// addWebRecipe adds a recipe built FROM nginx, to have a chain
// debian -> nginx -> web.
func addWebRecipe(t *testing.T, dir string) {
	t.Helper()
	web := filepath.Join(dir, "web")
	must(t, os.MkdirAll(web, 0o755))
	must(t, os.WriteFile(filepath.Join(web, "recipe.json"), []byte(`{"tags": ["web:latest"], "from": {"BASE": "nginx"}}`), 0o644))
	must(t, os.WriteFile(filepath.Join(web, "Dockerfile"), []byte("ARG BASE=nginx:1.26\nFROM ${BASE}\nCOPY hello.html /usr/share/nginx/html/\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(web, "hello.html"), []byte("<p>hello</p>\n"), 0o644))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// testLedger is a ledger of the test's own, holding what the host's
// ledger knows (the real images), so that prefixed names given to the
// real images are up to date in it.
func testLedger(t *testing.T) *ledger.Ledger {
	t.Helper()
	host, err := ledger.Default()
	must(t, err)
	e, err := host.Load()
	must(t, err)
	l := ledger.At(filepath.Join(t.TempDir(), "ledger.json"))
	must(t, ledger.Write(l.Path(), e))
	return l
}

// seedPrefixed gives the prefixed names to the real images, so that a
// prefixed catalog with unchanged recipes starts out up to date (hashes
// depend on content, not on names) without rebuilding anything.
func seedPrefixed(t *testing.T, cli *client.Client, real *Catalog, prefix string, names ...string) {
	t.Helper()
	ctx := context.Background()
	for _, n := range names {
		r := real.Recipe(n)
		for _, tag := range r.TagsWith(prefix) {
			must(t, cli.ImageTag(ctx, r.Tags[0], tag))
		}
	}
}

// removePrefixed untags (and, when nothing else names them, deletes) every
// image named with prefix by cat, dependents first.
func removePrefixed(t *testing.T, cli *client.Client, cat *Catalog, prefix string) {
	ctx := context.Background()
	names := cat.Names()
	for i := len(names) - 1; i >= 0; i-- {
		for _, tag := range cat.Recipe(names[i]).TagsWith(prefix) {
			if _, err := cli.ImageRemove(ctx, tag, image.RemoveOptions{PruneChildren: true}); err != nil && !cerrdefs.IsNotFound(err) {
				t.Logf("cleanup %s: %v", tag, err)
			}
		}
	}
}

func imageID(t *testing.T, cli *client.Client, ref string) string {
	t.Helper()
	ii, err := cli.ImageInspect(context.Background(), ref)
	if err != nil {
		t.Fatalf("inspect %s: %v", ref, err)
	}
	return ii.ID
}

// realIDs records the IDs of every real lab tag.
func realIDs(t *testing.T, cli *client.Client, cat *Catalog) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, n := range cat.Names() {
		for _, tag := range cat.Recipe(n).Tags {
			m[tag] = imageID(t, cli, tag)
		}
	}
	return m
}

// runIn runs cmd in a fresh container of img and returns exit code and
// output; the container is removed.
func runIn(t *testing.T, cli *client.Client, img, net string, cmd ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cfg := &container.Config{Image: img, Cmd: cmd}
	hc := &container.HostConfig{}
	if net != "" {
		hc.NetworkMode = container.NetworkMode(net)
	}
	c, err := cli.ContainerCreate(ctx, cfg, hc, &network.NetworkingConfig{}, nil, "labtest-run-"+randSuffix())
	if err != nil {
		t.Fatalf("create %s: %v", img, err)
	}
	defer cli.ContainerRemove(context.Background(), c.ID, container.RemoveOptions{Force: true, RemoveVolumes: true})
	waitC, errC := cli.ContainerWait(ctx, c.ID, container.WaitConditionNextExit)
	if err := cli.ContainerStart(ctx, c.ID, container.StartOptions{}); err != nil {
		t.Fatalf("start %s %v: %v", img, cmd, err)
	}
	var code int
	select {
	case w := <-waitC:
		code = int(w.StatusCode)
	case err := <-errC:
		t.Fatalf("wait %s: %v", img, err)
	}
	return code, logs(t, cli, c.ID)
}

func logs(t *testing.T, cli *client.Client, id string) string {
	t.Helper()
	rc, err := cli.ContainerLogs(context.Background(), id, container.LogsOptions{ShowStdout: true, ShowStderr: true})
	if err != nil {
		t.Fatalf("logs: %v", err)
	}
	defer rc.Close()
	var out bytes.Buffer
	stdcopy.StdCopy(&out, &out, rc)
	return out.String()
}

// startDetached starts a long-running container and removes it at cleanup.
func startDetached(t *testing.T, cli *client.Client, name string, cfg *container.Config, hc *container.HostConfig) string {
	t.Helper()
	ctx := context.Background()
	c, err := cli.ContainerCreate(ctx, cfg, hc, &network.NetworkingConfig{}, nil, name)
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	t.Cleanup(func() {
		cli.ContainerRemove(context.Background(), c.ID, container.RemoveOptions{Force: true, RemoveVolumes: true})
	})
	if err := cli.ContainerStart(ctx, c.ID, container.StartOptions{}); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	return c.ID
}

// retry runs f until it succeeds or d passes.
func retry(d time.Duration, f func() error) error {
	deadline := time.Now().Add(d)
	for {
		err := f()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// tarOne writes a tar stream holding one file.
func tarOne(w io.Writer, name string, data []byte) error {
	tw := tar.NewWriter(w)
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data))}); err != nil {
		return err
	}
	if _, err := tw.Write(data); err != nil {
		return err
	}
	return tw.Close()
}
