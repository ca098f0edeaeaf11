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
	cli, info, err := dockerenv.Client(ctx)
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
	engine := "ok    engine"
	if status, _ := engineCheck(info.EngineVersion); status != ok {
		engine = "warn  engine"
	}
	for _, want := range []string{"ok    docker CLI", "ok    daemon", engine, "API 1."} {
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

// An engine older than 28, or one whose version cannot be read, is a
// warning with the way to a current engine; 28 and newer are ok.
func TestEngineCheck(t *testing.T) {
	for _, c := range []struct {
		version, status string
	}{
		{"20.10.24+dfsg1", warn},
		{"27.5.1", warn},
		{"28.0.0", ok},
		{"28.2.2", ok},
		{"29.9.0", ok},
		{"v29.0.0-rc.1", ok},
		{"dev", warn},
		{"", warn},
	} {
		status, hint := engineCheck(c.version)
		if status != c.status {
			t.Errorf("engine %q: status %q, want %q", c.version, status, c.status)
		}
		if status == ok && hint != "" {
			t.Errorf("engine %q: ok with a hint %q", c.version, hint)
		}
		if status != ok {
			for _, want := range []string{"28 or newer", "make bootstrap", "LAB_ENGINE=installed"} {
				if !strings.Contains(hint, want) {
					t.Errorf("engine %q: hint %q lacks %q", c.version, hint, want)
				}
			}
		}
	}
}

// The engine line of the report carries the warning and its fix.
func TestEngineWarningPrinted(t *testing.T) {
	var r report
	status, hint := engineCheck("20.10.24+dfsg1")
	r.add(status, "engine", "20.10.24+dfsg1, API 1.41", hint)
	var out bytes.Buffer
	r.print(&out)
	if !strings.HasPrefix(out.String(), "warn  engine  20.10.24+dfsg1") || !strings.Contains(out.String(), "fix: the lab needs engine 28 or newer: `make bootstrap`") {
		t.Errorf("report:\n%s", out.String())
	}
	if r.failed() {
		t.Error("an old engine fails the report; it should only warn")
	}
}

func TestUsage(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"extra"}, &out, &errb); code != 2 {
		t.Errorf("exit %d for a stray argument", code)
	}
}
