package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/labdocs/dockerlab/tools/internal/dockerenv"
	"github.com/labdocs/dockerlab/tools/internal/images"
)

func TestNoDaemon(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix://"+filepath.Join(t.TempDir(), "nothing.sock"))
	var out, errb bytes.Buffer
	code := run(context.Background(), nil, &out, &errb)
	t.Logf("\n%s", out.String())
	if code == 0 {
		t.Fatal("exit 0 without a daemon")
	}
	for _, want := range []string{"FAIL  daemon", "(DOCKER_HOST)", "no Docker daemon answers", "fix:", "make bootstrap"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

// With the real daemon and the lab images provisioned, everything the lab
// needs is reported ok; the exit code is 0 unless the CLI plugins are
// missing, which must then be the only failures.
func TestRealDaemon(t *testing.T) {
	ctx := context.Background()
	cli, _, err := dockerenv.Client(ctx)
	if err != nil {
		t.Fatalf("needs a Docker daemon: %v", err)
	}
	defer cli.Close()
	root, err := images.FindRepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	cat, err := images.LoadCatalog(root, images.DefaultRecipesDir(root))
	if err != nil {
		t.Fatal(err)
	}
	pctx, cancel := context.WithTimeout(ctx, 20*time.Minute)
	defer cancel()
	if _, err := images.Provision(pctx, cli, cat, images.Options{Policy: images.PolicyBuild}); err != nil {
		t.Fatalf("provision the lab images: %v", err)
	}

	var out, errb bytes.Buffer
	code := run(ctx, nil, &out, &errb)
	t.Logf("\n%s", out.String())
	text := out.String()
	for _, want := range []string{"ok    docker CLI", "ok    daemon", "ok    engine", "API 1."} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	for _, n := range cat.Names() {
		if !strings.Contains(text, "ok    image "+n+" ") {
			t.Errorf("image %s not reported ok", n)
		}
	}
	pluginsOK := true
	for _, p := range dockerenv.Plugins(ctx) {
		pluginsOK = pluginsOK && p.Err == nil
	}
	var fails []string
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, "FAIL") {
			fails = append(fails, l)
			if !strings.Contains(l, "plugin") {
				t.Errorf("unexpected failure: %s", l)
			}
		}
	}
	if pluginsOK && code != 0 {
		t.Errorf("exit %d with everything present", code)
	}
	if !pluginsOK && (code == 0 || len(fails) == 0) {
		t.Errorf("plugins missing but exit %d, failures %v", code, fails)
	}
}

func TestUsage(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"extra"}, &out, &errb); code != 2 {
		t.Errorf("exit %d for a stray argument", code)
	}
}
