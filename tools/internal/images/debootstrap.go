package images

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
)

// aptDir is where the host's apt sources are read; a variable for tests.
var aptDir = "/etc/apt"

// bootstrap makes a base image's root file system: debootstrap on the
// host, the recipe's rootfs/ overlay, apt sources taken from the host, the
// recipe's finalize.sh run chrooted, then the tree packed as
// rootfs.tar.xz. It returns the archive's path and a cleanup function; the
// recipe's Dockerfile ADDs the archive to an empty image, as Debian's
// official images are made.
func (p *provisioner) bootstrap(ctx context.Context, r *Recipe) (string, func(), error) {
	d := r.Debootstrap
	if os.Geteuid() != 0 {
		return "", nil, errors.New("debootstrap needs root: run labimages as root")
	}
	if _, err := exec.LookPath("debootstrap"); err != nil {
		return "", nil, errors.New("debootstrap is not installed: apt-get install debootstrap")
	}
	if _, err := exec.LookPath("xz"); err != nil {
		return "", nil, errors.New("xz is not installed: apt-get install xz-utils")
	}
	src, err := HostSources(d.Suite)
	if err != nil {
		return "", nil, err
	}
	parent := "/var/tmp"
	if _, err := os.Stat(parent); err != nil {
		parent = os.TempDir()
	}
	work, err := os.MkdirTemp(parent, "labimages-"+r.Name+"-")
	if err != nil {
		return "", nil, err
	}
	root := filepath.Join(work, "rootfs")
	cleanup := func() {
		unmountUnder(work)
		os.RemoveAll(work)
	}
	ok := false
	defer func() {
		if !ok {
			cleanup()
		}
	}()

	variant := d.Variant
	if variant == "" {
		variant = "minbase"
	}
	args := []string{"--variant=" + variant}
	if len(src.Components) > 0 {
		args = append(args, "--components="+strings.Join(src.Components, ","))
	}
	args = append(args, d.Suite, root, src.Mirror)
	if err := runQuiet(ctx, nil, src.Mirror, "debootstrap", args...); err != nil {
		return "", nil, err
	}
	if err := copyOverlay(filepath.Join(r.overlayDir, "rootfs"), root); err != nil {
		return "", nil, fmt.Errorf("rootfs overlay: %w", err)
	}
	// The image gets the host's archive configuration (deb822), nothing else.
	os.Remove(filepath.Join(root, "etc/apt/sources.list"))
	sources := src.Deb822
	if _, err := os.Stat(filepath.Join(root, "usr/share/keyrings/debian-archive-keyring.gpg")); err == nil {
		sources = strings.ReplaceAll(sources, "Components:", "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\nComponents:")
	}
	if err := os.WriteFile(filepath.Join(root, "etc/apt/sources.list.d/debian.sources"), []byte(sources), 0o644); err != nil {
		return "", nil, err
	}
	if fin, err := os.ReadFile(filepath.Join(r.overlayDir, "finalize.sh")); err == nil {
		if err := runQuiet(ctx, fin, src.Mirror, "chroot", root, "/bin/sh", "-s"); err != nil {
			return "", nil, fmt.Errorf("finalize.sh: %w", err)
		}
	}
	unmountUnder(root)

	archive := filepath.Join(work, RootfsArchive)
	// Names sorted, numeric owners, nothing from other file systems; xz at
	// a low level, since the daemon unpacks it at once.
	pack := fmt.Sprintf("tar --numeric-owner --sort=name --one-file-system --xattrs "+
		"--exclude=./dev/* --exclude=./proc/* --exclude=./sys/* --exclude=./run/* "+
		"-C %q -cf - . | xz -T0 -1 > %q", root, archive)
	if err := runQuiet(ctx, nil, src.Mirror, "bash", "-o", "pipefail", "-ec", pack); err != nil {
		return "", nil, fmt.Errorf("packing the rootfs: %w", err)
	}
	ok = true
	return archive, cleanup, nil
}

// runQuiet runs a command, keeping its output unless it fails; the mirror
// is masked in what it shows, so that no host name reaches captured logs.
func runQuiet(ctx context.Context, stdin []byte, mirror string, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), "LC_ALL=C", "DEBIAN_FRONTEND=noninteractive",
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	if err := cmd.Run(); err != nil {
		out := tail(buf.String(), 30)
		if mirror != "" {
			out = strings.ReplaceAll(out, mirror, "<mirror>")
		}
		return fmt.Errorf("%s failed: %w\n%s", name, err, out)
	}
	return nil
}

// Sources is the host's apt configuration for one Debian suite.
type Sources struct {
	Mirror     string   // archive URI that carries the suite itself
	Components []string // e.g. main
	Deb822     string   // sources file for the image: suite, -updates, -security
}

// HostSources reads the host's apt sources (one-line and deb822) and keeps
// the entries for suite, suite-updates and suite-security. The mirror is
// never hard-coded: the image uses whatever this machine uses. When the
// host lists no entry for suite (a bookworm host building trixie), the
// entries of the host's own release (VERSION_CODENAME in os-release) are
// used with suite in its place: a Debian archive serves every release
// (on Debian hosts only).
// LABIMAGES_MIRROR overrides the mirror when the host has no such entry.
func HostSources(suite string) (Sources, error) {
	type entry struct {
		uri        string
		suites     []string
		components []string
	}
	var all []entry // every http(s) deb entry of the host
	add := func(types, uris, suites, comps []string) {
		isDeb := false
		for _, t := range types {
			isDeb = isDeb || t == "deb"
		}
		if !isDeb {
			return
		}
		for _, u := range uris {
			if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
				continue
			}
			all = append(all, entry{strings.TrimSuffix(u, "/"), suites, comps})
		}
	}
	files, _ := filepath.Glob(filepath.Join(aptDir, "sources.list.d", "*.list"))
	files = append([]string{filepath.Join(aptDir, "sources.list")}, files...)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if i := strings.IndexByte(line, '#'); i >= 0 {
				line = strings.TrimSpace(line[:i])
			}
			w := strings.Fields(line)
			if len(w) > 1 && strings.HasPrefix(w[1], "[") {
				// drop the [ option=value ... ] block
				j := 1
				for j < len(w) && !strings.HasSuffix(w[j], "]") {
					j++
				}
				w = append(w[:1], w[min(j+1, len(w)):]...)
			}
			if len(w) >= 4 {
				add(w[:1], w[1:2], w[2:3], w[3:])
			}
		}
	}
	debs, _ := filepath.Glob(filepath.Join(aptDir, "sources.list.d", "*.sources"))
	for _, f := range debs {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, st := range strings.Split(string(b), "\n\n") {
			fields := map[string][]string{}
			for _, l := range strings.Split(st, "\n") {
				if strings.HasPrefix(strings.TrimSpace(l), "#") {
					continue
				}
				k, v, ok := strings.Cut(l, ":")
				if ok {
					fields[strings.ToLower(strings.TrimSpace(k))] = strings.Fields(v)
				}
			}
			if e := fields["enabled"]; len(e) > 0 && e[0] == "no" {
				continue
			}
			add(fields["types"], fields["uris"], fields["suites"], fields["components"])
		}
	}
	// pick keeps the entries for release from (suite, -updates, -security),
	// named for suite.
	pick := func(from string) []entry {
		var out []entry
		for _, e := range all {
			var keep []string
			for _, s := range e.suites {
				for _, sfx := range []string{"", "-updates", "-security", "/updates"} {
					if s == from+sfx {
						keep = append(keep, suite+sfx)
					}
				}
			}
			if len(keep) > 0 {
				out = append(out, entry{e.uri, keep, e.components})
			}
		}
		return out
	}
	hasBase := func(es []entry) bool {
		for _, e := range es {
			if slices.Contains(e.suites, suite) {
				return true
			}
		}
		return false
	}
	entries := pick(suite)
	if !hasBase(entries) {
		if own := hostCodename(); own != "" && own != suite {
			if es := pick(own); hasBase(es) {
				entries = es
			}
		}
	}
	if m := os.Getenv("LABIMAGES_MIRROR"); m != "" {
		entries = append([]entry{{strings.TrimSuffix(m, "/"), []string{suite, suite + "-updates"}, []string{"main"}}}, entries...)
	}
	var s Sources
	var b strings.Builder
	done := map[string]bool{}
	for _, e := range entries {
		var suites []string
		for _, x := range e.suites {
			if !done[x] {
				done[x] = true
				suites = append(suites, x)
				if x == suite && s.Mirror == "" {
					s.Mirror, s.Components = e.uri, e.components
				}
			}
		}
		if len(suites) == 0 {
			continue
		}
		comps := e.components
		if len(comps) == 0 {
			comps = []string{"main"}
		}
		fmt.Fprintf(&b, "Types: deb\nURIs: %s\nSuites: %s\nComponents: %s\n\n", e.uri, strings.Join(suites, " "), strings.Join(comps, " "))
	}
	if s.Mirror == "" {
		return s, fmt.Errorf("no apt source for Debian %s in %s/sources.list(.d): add one, or set LABIMAGES_MIRROR to a Debian archive URL", suite, aptDir)
	}
	s.Deb822 = strings.TrimSuffix(b.String(), "\n")
	return s, nil
}

// osRelease is read for the host's own Debian release; a variable for tests.
var osRelease = "/etc/os-release"

// hostCodename is VERSION_CODENAME from os-release on a Debian host, or
// "": the entries of another distribution (Ubuntu's archive on a CI
// runner) serve no Debian suite.
func hostCodename() string {
	b, err := os.ReadFile(osRelease)
	if err != nil {
		return ""
	}
	var id, codename string
	for _, l := range strings.Split(string(b), "\n") {
		k, v, _ := strings.Cut(strings.TrimSpace(l), "=")
		v = strings.Trim(v, `"'`)
		switch k {
		case "ID":
			id = v
		case "VERSION_CODENAME":
			codename = v
		}
	}
	if id != "debian" {
		return ""
	}
	return codename
}

// ArchiveHosts are the hosts of the Debian archive that the catalog's
// debian image is bootstrapped from and whose sources it gets (the host's
// apt sources for its suite, see HostSources): what a machine that builds
// the lab images must reach.
func (c *Catalog) ArchiveHosts() ([]string, error) {
	suite := "trixie"
	if r := c.Recipe("debian"); r != nil && r.Debootstrap != nil {
		suite = r.Debootstrap.Suite
	}
	src, err := HostSources(suite)
	if err != nil {
		return nil, err
	}
	var hosts []string
	for _, l := range strings.Split(src.Deb822, "\n") {
		uris, ok := strings.CutPrefix(l, "URIs:")
		if !ok {
			continue
		}
		for _, uri := range strings.Fields(uris) {
			u, err := url.Parse(uri)
			if err != nil || u.Hostname() == "" {
				return nil, fmt.Errorf("apt source %q: no host", uri)
			}
			if !slices.Contains(hosts, u.Hostname()) {
				hosts = append(hosts, u.Hostname())
			}
		}
	}
	return hosts, nil
}

// copyOverlay copies a recipe's rootfs/ over the bootstrapped tree, owned
// by root, keeping modes (the exec bit of policy-rc.d matters).
func copyOverlay(src, dst string) error {
	if _, err := os.Stat(src); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
		case info.Mode()&fs.ModeSymlink != 0:
			l, err := os.Readlink(p)
			if err != nil {
				return err
			}
			os.Remove(target)
			if err := os.Symlink(l, target); err != nil {
				return err
			}
			return os.Lchown(target, 0, 0)
		default:
			in, err := os.Open(p)
			if err != nil {
				return err
			}
			defer in.Close()
			os.Remove(target)
			out, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, info.Mode().Perm())
			if err != nil {
				return err
			}
			if _, err := io.Copy(out, in); err != nil {
				out.Close()
				return err
			}
			if err := out.Close(); err != nil {
				return err
			}
			// umask may have masked bits off at create
			if err := os.Chmod(target, info.Mode().Perm()); err != nil {
				return err
			}
		}
		return os.Chown(target, 0, 0)
	})
}

// unmountUnder detaches mounts that a failed debootstrap may leave (proc,
// sys) so that removing the work tree cannot reach into them.
func unmountUnder(dir string) {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return
	}
	var mounts []string
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) > 4 && (f[4] == dir || strings.HasPrefix(f[4], dir+"/")) {
			mounts = append(mounts, f[4])
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(mounts)))
	for _, m := range mounts {
		syscall.Unmount(m, syscall.MNT_DETACH)
	}
}
