package dockerenv

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/versions"
	"github.com/docker/docker/client"
)

// cleanEnv isolates a test from the caller's docker settings.
func cleanEnv(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("DOCKER_CONFIG", dir)
	t.Setenv("DOCKER_HOST", "")
	os.Unsetenv("DOCKER_HOST")
	t.Setenv("DOCKER_CONTEXT", "")
	os.Unsetenv("DOCKER_CONTEXT")
	return dir
}

func writeContext(t *testing.T, dir, name, host string) {
	t.Helper()
	sum := sha256.Sum256([]byte(name))
	meta := filepath.Join(dir, "contexts", "meta", hex.EncodeToString(sum[:]))
	if err := os.MkdirAll(meta, 0o755); err != nil {
		t.Fatal(err)
	}
	body := `{"Name":"` + name + `","Metadata":{},"Endpoints":{"docker":{"Host":"` + host + `","SkipTLSVerify":false}}}`
	if err := os.WriteFile(filepath.Join(meta, "meta.json"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestResolvePrecedence(t *testing.T) {
	dir := cleanEnv(t)
	e, err := Resolve()
	if err != nil || e.Host != client.DefaultDockerHost || e.Source != SourceDefault {
		t.Fatalf("no settings: %+v %v", e, err)
	}

	writeContext(t, dir, "lab", "unix:///run/lab.sock")
	writeContext(t, dir, "other", "tcp://127.0.0.1:2375")
	os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"currentContext":"lab"}`), 0o644)
	e, err = Resolve()
	if err != nil || e.Host != "unix:///run/lab.sock" || e.Source != SourceCurrentCtx || e.Context != "lab" {
		t.Fatalf("current context: %+v %v", e, err)
	}
	if d := e.Describe(); d != `unix:///run/lab.sock (current context "lab")` {
		t.Errorf("Describe = %q", d)
	}

	t.Setenv("DOCKER_CONTEXT", "other")
	e, err = Resolve()
	if err != nil || e.Host != "tcp://127.0.0.1:2375" || e.Source != SourceDockerContext {
		t.Fatalf("DOCKER_CONTEXT: %+v %v", e, err)
	}

	t.Setenv("DOCKER_HOST", "unix:///run/host.sock")
	e, err = Resolve()
	if err != nil || e.Host != "unix:///run/host.sock" || e.Source != SourceDockerHost {
		t.Fatalf("DOCKER_HOST wins: %+v %v", e, err)
	}
	os.Unsetenv("DOCKER_HOST")

	t.Setenv("DOCKER_CONTEXT", "default")
	if e, _ = Resolve(); e.Host != client.DefaultDockerHost {
		t.Errorf("context default: %+v", e)
	}

	t.Setenv("DOCKER_CONTEXT", "gone")
	if _, err = Resolve(); err == nil || !strings.Contains(err.Error(), "docker context ls") {
		t.Errorf("missing context: %v", err)
	}
}

func TestNoDaemonHint(t *testing.T) {
	cleanEnv(t)
	sock := filepath.Join(t.TempDir(), "nothing.sock")
	t.Setenv("DOCKER_HOST", "unix://"+sock)
	_, info, err := Client(context.Background())
	if err == nil {
		t.Fatal("connected to nothing")
	}
	if info.Host != "unix://"+sock || info.Source != SourceDockerHost {
		t.Errorf("info %+v", info)
	}
	for _, want := range []string{"no Docker daemon answers at unix://" + sock, "start dockerd or run `make bootstrap`", "DOCKER_HOST"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

// The real daemon, reached through a context that names its socket.
func TestClientRealDaemon(t *testing.T) {
	host := os.Getenv("DOCKER_HOST")
	if host == "" {
		if e, err := Resolve(); err == nil {
			host = e.Host
		}
	}
	dir := cleanEnv(t)
	writeContext(t, dir, "lab", host)
	os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"currentContext":"lab"}`), 0o644)
	cli, info, err := Client(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	t.Logf("%+v", info)
	if info.EngineVersion == "" || info.APIVersion == "" || info.DockerRootDir == "" {
		t.Errorf("incomplete info %+v", info)
	}
	if info.Source != SourceCurrentCtx || info.Host != host {
		t.Errorf("chose %s", info.Describe())
	}
	// Negotiation: the client speaks no newer API than the daemon.
	if versions.GreaterThan(info.APIVersion, info.ServerAPIVersion) {
		t.Errorf("client API %s above the daemon's %s", info.APIVersion, info.ServerAPIVersion)
	}
}

func TestCLI(t *testing.T) {
	c := CLI(context.Background())
	if c.Err != nil {
		t.Fatalf("docker CLI: %v", c.Err)
	}
	if c.Version == "" || c.Version[0] < '0' || c.Version[0] > '9' {
		t.Errorf("version %q from %q", c.Version, c.Raw)
	}
	for _, p := range Plugins(context.Background()) {
		if p.Err != nil {
			t.Logf("%s: %v", p.Name, p.Err)
			continue
		}
		if !strings.HasPrefix(p.Version, "v") && (p.Version[0] < '0' || p.Version[0] > '9') {
			t.Errorf("%s version %q from %q", p.Name, p.Version, p.Raw)
		}
	}
	if p := Plugin(context.Background(), "nosuchplugin"); p.Err == nil || !strings.Contains(p.Err.Error(), "not installed") {
		t.Errorf("missing plugin: %+v", p)
	}
}
