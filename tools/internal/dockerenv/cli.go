package dockerenv

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"time"
)

// Tool is a command-line tool the lab needs: the docker CLI or one of its
// plugins. Version is empty when the tool is missing, and Err says why.
type Tool struct {
	Name    string // "docker", "buildx", "compose"
	Path    string // docker CLI path (plugins are found by the CLI itself)
	Version string // e.g. 28.2.2, v0.29.1
	Raw     string // first line the tool printed
	Err     error
}

var versionRE = regexp.MustCompile(`v?\d+\.\d+(\.\d+)?([-+~][0-9A-Za-z.+~-]*)?`)

// CLI reports the docker CLI on PATH. `docker --version` is used because it
// answers without a daemon.
func CLI(ctx context.Context) Tool {
	t := Tool{Name: "docker"}
	path, err := exec.LookPath("docker")
	if err != nil {
		t.Err = errors.New("docker CLI not found on PATH: install Debian's docker CLI package or run `make bootstrap`")
		return t
	}
	t.Path = path
	t.Raw, t.Err = run(ctx, path, "--version")
	if t.Err == nil {
		// "Docker version 28.2.2, build e6534b4"
		t.Version = strings.TrimPrefix(versionRE.FindString(t.Raw), "v")
	}
	return t
}

// Plugins reports the buildx and compose CLI plugins, found the way the CLI
// finds them (so ~/.docker/cli-plugins and the system plugin dirs count).
func Plugins(ctx context.Context) []Tool {
	return []Tool{Plugin(ctx, "buildx"), Plugin(ctx, "compose")}
}

// Plugin runs `docker NAME version` and extracts the version.
func Plugin(ctx context.Context, name string) Tool {
	t := Tool{Name: name}
	path, err := exec.LookPath("docker")
	if err != nil {
		t.Err = errors.New("docker CLI not found on PATH")
		return t
	}
	t.Path = path
	out, err := run(ctx, path, name, "version")
	if err != nil {
		if strings.Contains(out, "unknown command") || strings.Contains(out, "is not a docker command") {
			t.Err = fmt.Errorf("docker %s plugin not installed", name)
		} else {
			t.Err = fmt.Errorf("docker %s version: %v: %s", name, err, out)
		}
		return t
	}
	t.Raw = out
	// buildx: "github.com/docker/buildx v0.29.1 a1b2c3"; compose: "Docker Compose version v2.40.0"
	for _, f := range strings.Fields(out) {
		if versionRE.MatchString(f) && (strings.HasPrefix(f, "v") || f[0] >= '0' && f[0] <= '9') {
			t.Version = versionRE.FindString(f)
			break
		}
	}
	if t.Version == "" {
		t.Version = out
	}
	return t
}

func run(ctx context.Context, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	s := strings.TrimSpace(string(out))
	if i := strings.IndexByte(s, '\n'); i >= 0 && err == nil {
		s = s[:i]
	}
	return s, err
}
