//go:build linux

package main

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aymanbagabas/go-udiff"
	"github.com/docker/docker/client"

	"github.com/labdocs/dockerlab/tools/internal/blocks"
	"github.com/labdocs/dockerlab/tools/internal/dockerenv"
	"github.com/labdocs/dockerlab/tools/internal/images"
	"github.com/labdocs/dockerlab/tools/internal/inventory"
	"github.com/labdocs/dockerlab/tools/internal/machine"
)

// The long suite's proof that the course is portable: captured on this
// machine's daemon, it verifies on another machine that built its own lab
// images and has another host name, data root and kernel-visible identity.
//
// The other machine is simulated on this one: a dockerd in network and
// UTS namespaces of its own (its own docker0, iptables rules, loopback and
// host name), with a fresh data root and exec root. The runner for it
// runs in the same namespaces, as it would on a real second machine, so
// that what pages do on "the host" (curl localhost:PORT, iptables -S,
// hostname) sees that machine and not this one. Its containers reach only
// the Debian archive this machine's apt uses, and its resolvers.
//
// LAB_E2E=1 runs it (make e2e); it needs root, dockerd, ip, nsenter,
// iptables, debootstrap, the CLI plugins and the lab images on the default
// daemon (make bootstrap images).
func TestCourseVerifiesOnAnotherMachine(t *testing.T) {
	if os.Getenv("LAB_E2E") != "1" {
		t.Skip("the long suite: set LAB_E2E=1 (make e2e)")
	}
	ph := &phases{}
	t.Cleanup(func() { t.Log(ph) })
	ctx := context.Background()
	if d, ok := t.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, d.Add(-30*time.Second))
		defer cancel()
	}

	end := ph.start("checks")
	root, err := images.FindRepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	cat, err := images.LoadCatalog(root, images.DefaultRecipesDir(root))
	if err != nil {
		t.Fatal(err)
	}
	needE2ETools(t)
	bin := labrunBin(t) // crash_test.go: go build of this package, before any Chdir
	cli1, _, err := dockerenv.Client(ctx)
	if err != nil {
		t.Fatalf("the default daemon: %v", err)
	}
	defer cli1.Close()
	st, err := images.List(ctx, cli1, cat, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st {
		if !s.OK() {
			t.Fatalf("lab image %s on the default daemon is %s (missing tags: %v): run make images", s.Name, s.State, s.MissingTags)
		}
	}
	end()

	// 1. The course, captured here, before the other machine exists (its
	// processes would show in this machine's ps).
	end = ph.start("copy content")
	site := t.TempDir()
	if err := os.CopyFS(filepath.Join(site, "content"), os.DirFS(filepath.Join(root, "content"))); err != nil {
		t.Fatal(err)
	}
	work1, work2 := filepath.Join(t.TempDir(), "work"), filepath.Join(t.TempDir(), "work")
	end()
	end = ph.start("capture -force, default daemon")
	code, out := labrunOn(ctx, t, nil, bin, site, "capture", "-force", "-work", work1)
	end()
	if code != 0 {
		t.Fatalf("capture on the default daemon exited %d:\n%s", code, out)
	}
	t.Logf("capture on the default daemon: %s", summary(out))
	captured := snapshot(t, site, "content")

	// 2. Another machine.
	end = ph.start("second daemon up")
	const hostname = "labd2-host"
	if here, _ := os.Hostname(); here == hostname {
		t.Fatalf("this machine is already called %s", hostname)
	}
	m := anotherMachine(ctx, t, hostname, cat)
	if got := strings.TrimSpace(dockerOn(ctx, t, m, "info", "--format", "{{.Name}}")); got != hostname {
		t.Fatalf("the second daemon's host name is %q, want %q", got, hostname)
	}
	// Inside, the default socket is that machine's daemon, as pages that
	// use it directly expect.
	if got, err := m.Inside(ctx, "docker", "-H", "unix:///var/run/docker.sock", "info", "--format", "{{.Name}}"); err != nil || strings.TrimSpace(got) != hostname {
		t.Fatalf("inside the second machine, /var/run/docker.sock answers as %q (%v), want %s", got, err, hostname)
	}
	cli2, info2, err := dockerenv.ClientAt(ctx, m.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer cli2.Close()
	end()
	t.Logf("second daemon: %s, name %s, data root %s, engine %s", m.Host, info2.Facts.Hostname, info2.Facts.DockerRoot, info2.EngineVersion)

	// 3. Its own lab images, built with the project's provisioner.
	end = ph.start("images: debian (debootstrap)")
	provision(ctx, t, cli2, cat, []string{"debian"})
	end()
	end = ph.start("egress check")
	if out, err := m.Docker(ctx, "run", "--rm", "debian", "apt-get", "update", "-qq"); err != nil {
		t.Fatalf("a container of the second daemon cannot reach the package archive (apt-get update): %v\n%s\ndockerd log: %s", err, out, m.Log)
	}
	end()
	end = ph.start("images: the rest (docker build)")
	provision(ctx, t, cli2, cat, nil)
	end()
	for _, s := range st {
		name := s.Tags[0]
		a, err1 := cli1.ImageInspect(ctx, name)
		b, err2 := cli2.ImageInspect(ctx, name)
		if err1 != nil || err2 != nil {
			t.Fatalf("inspect %s: default daemon: %v; second daemon: %v", name, err1, err2)
		}
		if a.ID == b.ID {
			t.Errorf("%s has the same ID %s on both daemons: the second daemon's image was not built afresh", name, inventory.ShortID(a.ID))
		} else {
			t.Logf("%-16s default %s, second %s", name, inventory.ShortID(a.ID), inventory.ShortID(b.ID))
		}
		if s.Name == "debian" && len(a.RootFS.Layers) > 0 && len(b.RootFS.Layers) > 0 && a.RootFS.Layers[0] == b.RootFS.Layers[0] {
			t.Errorf("debian's base layer is the same on both daemons (%s)", a.RootFS.Layers[0])
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	// 4. There, it verifies.
	keep := func(what string) {
		// The files as they are now, for a look after the test.
		dir := filepath.Join(os.TempDir(), fmt.Sprintf("labrun-e2e-%d-%s", os.Getpid(), what))
		os.RemoveAll(dir)
		if err := os.CopyFS(filepath.Join(dir, "content"), os.DirFS(filepath.Join(site, "content"))); err != nil {
			t.Error(err)
		}
		t.Logf("the pages as they were %s are kept in %s", what, dir)
	}
	end = ph.start("verify, second daemon")
	code, report := labrunOn(ctx, t, m, bin, site, "verify", "-docker-host", m.Host, "-work", work2)
	end()
	if code != 0 {
		t.Errorf("verify on the second daemon exited %d (want 0); its report:\n%s", code, report)
		keep("captured")
	} else {
		t.Logf("verify on the second daemon: %s", summary(report))
	}
	if changed := diffSnapshots(captured, snapshot(t, site, "content")); len(changed) > 0 {
		t.Errorf("verify changed files:\n%s", strings.Join(changed, "\n"))
	}

	// Capturing on a second machine where nothing real changed changes
	// no file.
	end = ph.start("capture, second daemon")
	code, capReport := labrunOn(ctx, t, m, bin, site, "capture", "-docker-host", m.Host, "-work", work2)
	end()
	if code != 0 {
		t.Errorf("capture on the second daemon exited %d:\n%s", code, capReport)
	}
	if changed := diffSnapshots(captured, snapshot(t, site, "content")); len(changed) > 0 {
		t.Errorf("capture on the second daemon, where nothing real changed, changed %d file(s):\n%s\ncapture's report:\n%s",
			len(changed), strings.Join(changed, "\n"), capReport)
		keep("recaptured")
	} else {
		t.Logf("capture on the second daemon changed no file: %s", summary(capReport))
	}
	restore(t, site, "content", captured)

	// 5. Verification is honest: a changed output line, and a deleted
	// one, fail verify on the second daemon, naming file:line.
	for _, c := range []struct {
		name, page, title, line string
		replace                 *string
	}{
		{"replaced line", "content/concepts/networking/index.md", "Reachable by address", "HTTP/1.1 200 OK", ptr("HTTP/1.1 403 Forbidden")},
		{"deleted line", "content/authoring/blocks/index.md", "Two commands, one continued", "second", nil},
	} {
		if !strings.Contains(report, "ok   "+c.page+":") {
			t.Errorf("%s: %s did not pass the verify above, so its drift proves nothing", c.name, c.page)
			continue
		}
		end = ph.start("verify a changed page: " + c.name)
		blockLine, line := mutate(t, filepath.Join(site, c.page), c.title, c.line, c.replace)
		code, rep := labrunOn(ctx, t, m, bin, site, "verify", "-docker-host", m.Host, "-work", work2, c.page)
		end()
		restore(t, site, "content", captured)
		what := fmt.Sprintf("%s (%s:%d, %q)", c.name, c.page, line, c.line)
		switch {
		case code != 1:
			t.Errorf("%s: verify exited %d, want 1:\n%s", what, code, rep)
		case !strings.Contains(rep, fmt.Sprintf("%s:%d: drift", c.page, blockLine)):
			t.Errorf("%s: the report does not name %s:%d (the block) as drift:\n%s", what, c.page, blockLine, rep)
		case !hunkCovers(rep, line, c.replace != nil):
			t.Errorf("%s: no diff hunk of the report covers line %d:\n%s", what, line, rep)
		default:
			t.Logf("%s: verify exits 1 naming %s:%d, its diff covers line %d", c.name, c.page, blockLine, line)
		}
	}
}

// phases times the steps of a long test, for its log.
type phases struct {
	names []string
	took  []time.Duration
}

func (p *phases) start(name string) (end func()) {
	t0 := time.Now()
	return func() {
		p.names = append(p.names, name)
		p.took = append(p.took, time.Since(t0))
	}
}

func (p *phases) String() string {
	var b strings.Builder
	b.WriteString("phases:")
	var total time.Duration
	for i, n := range p.names {
		fmt.Fprintf(&b, "\n  %-40s %s", n, p.took[i].Round(100*time.Millisecond))
		total += p.took[i]
	}
	fmt.Fprintf(&b, "\n  %-40s %s", "total", total.Round(100*time.Millisecond))
	return b.String()
}

func needE2ETools(t *testing.T) {
	t.Helper()
	if err := machine.Check(); err != nil {
		t.Fatal(err)
	}
	for _, tool := range []string{"dockerd", "debootstrap"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed: run make bootstrap", tool)
		}
	}
	ctx := context.Background()
	for _, p := range []string{"buildx", "compose"} {
		if tool := dockerenv.Plugin(ctx, p); tool.Version == "" {
			t.Fatalf("docker %s is missing (%v): run make bootstrap", p, tool.Err)
		}
	}
}

// labDockerd is the binary of the lab's daemon, so that the other machine
// runs the engine the pages were captured with: $LAB_DOCKERD, else the
// dockerd that make bootstrap started (engine 29 from tools/engine lives
// outside PATH), else "" (dockerd from PATH).
func labDockerd() string {
	if d := os.Getenv("LAB_DOCKERD"); d != "" {
		return d
	}
	if pid, err := os.ReadFile("/run/labdocs/dockerd.pid"); err == nil {
		if exe, err := os.Readlink("/proc/" + strings.TrimSpace(string(pid)) + "/exe"); err == nil {
			return exe
		}
	}
	return ""
}

// anotherMachine starts the lab's engine (labDockerd) as another machine
// (package machine) called hostname, which may reach the Debian archive
// this machine's apt uses (HTTP and HTTPS) and its resolvers. It stops in
// t.Cleanup; its log is kept when the test failed.
func anotherMachine(ctx context.Context, t *testing.T, hostname string, cat *images.Catalog) *machine.Machine {
	t.Helper()
	hosts, err := cat.ArchiveHosts()
	if err != nil {
		t.Fatal(err)
	}
	m, err := machine.Start(ctx, machine.Options{Dockerd: labDockerd(), Hostname: hostname, Egress: machine.Egress{Hosts: hosts, Ports: []int{80, 443}}, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := m.Stop(); err != nil {
			t.Errorf("stopping the second machine: %v", err)
		}
	})
	t.Cleanup(func() { // before Stop, which removes the log
		if t.Failed() {
			keep := filepath.Join(os.TempDir(), filepath.Base(m.Dir)+"-dockerd.log")
			if b, err := os.ReadFile(m.Log); err == nil && os.WriteFile(keep, b, 0o644) == nil {
				t.Logf("the second dockerd's log is kept in %s", keep)
			}
		}
	})
	return m
}

func dockerOn(ctx context.Context, t *testing.T, m *machine.Machine, args ...string) string {
	t.Helper()
	out, err := m.Docker(ctx, args...)
	if err != nil {
		t.Fatalf("docker -H %s %s: %v\n%s", m.Host, strings.Join(args, " "), err, out)
	}
	return out
}

// labrunOn runs the labrun binary with args in dir: on this machine when
// m is nil, else inside m, where the pages' shells see that machine's
// processes, /var/run/docker.sock, host name, loopback and packet filter.
// It returns the exit code and what labrun printed (report and
// progress). A binary and not Main in this process: a page runs the
// runner itself ("/proc/$PPID/exe"), which must then be labrun.
func labrunOn(ctx context.Context, t *testing.T, m *machine.Machine, bin, dir string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.CommandContext(ctx, bin, args...)
	if m != nil {
		cmd = m.Command(ctx, dir, append([]string{bin}, args...)...)
		// Its own journal: the runs of that machine are no business of
		// this one's (and its PIDs are of another namespace).
		cmd.Env = append(cmd.Env, "LABRUN_STATE="+filepath.Join(m.Dir, "state"))
	}
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("running labrun %v: %v\n%s", args, err, out.String())
		}
		code = ee.ExitCode()
	}
	return code, out.String()
}

// provision builds the lab images (only, or all) on the daemon with the
// project's provisioner, as make images would there with IMAGES=build.
func provision(ctx context.Context, t *testing.T, cli client.APIClient, cat *images.Catalog, only []string) {
	t.Helper()
	var progress bytes.Buffer
	res, err := images.Provision(ctx, cli, cat, images.Options{Policy: images.PolicyBuild, Only: only, Progress: &progress})
	if err != nil {
		t.Fatalf("building the lab images on the second daemon: %v\n%s", err, progress.String())
	}
	for _, r := range res {
		t.Logf("second daemon: %s %s %s in %s", r.Name, r.Action, inventory.ShortID(r.ID), r.Duration.Round(time.Second))
	}
}

// summary is the report's last line ("N passed, M failed, ...").
func summary(report string) string {
	lines := strings.Split(strings.TrimSpace(report), "\n")
	return lines[len(lines)-1]
}

// snapshot is every file under root/dir, by path relative to root, with
// its bytes.
func snapshot(t *testing.T, root, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		rel, _ := filepath.Rel(root, path)
		files[rel] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// diffSnapshots lists the files added, removed or changed from a to b,
// with their first differing lines.
func diffSnapshots(a, b map[string][]byte) []string {
	var out []string
	for p, was := range a {
		now, ok := b[p]
		switch {
		case !ok:
			out = append(out, p+": removed")
		case !bytes.Equal(was, now):
			out = append(out, p+": changed\n"+lineDiff(p, string(was), string(now), 80))
		}
	}
	for p := range b {
		if _, ok := a[p]; !ok {
			out = append(out, p+": added")
		}
	}
	sort.Strings(out)
	return out
}

// lineDiff is a unified diff of a file's two versions, cut after limit
// lines.
func lineDiff(path, a, b string, limit int) string {
	lines := strings.Split(strings.TrimSuffix(udiff.Unified(path+" (first capture)", path+" (now)", a, b), "\n"), "\n")
	if len(lines) > limit {
		lines = append(lines[:limit], fmt.Sprintf("... (%d more diff lines)", len(lines)-limit))
	}
	return "    " + strings.Join(lines, "\n    ")
}

// restore makes root/dir what the snapshot says: files that differ are
// written back, files it does not have removed.
func restore(t *testing.T, root, dir string, snap map[string][]byte) {
	t.Helper()
	for rel := range snapshot(t, root, dir) {
		if _, ok := snap[rel]; !ok {
			os.Remove(filepath.Join(root, rel))
		}
	}
	for rel, data := range snap {
		p := filepath.Join(root, rel)
		if now, err := os.ReadFile(p); err != nil || !bytes.Equal(now, data) {
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// mutate changes the page's output line want, in the console block titled
// title, to *replace, or deletes it if replace is nil. It returns the
// block's line and the changed line's.
func mutate(t *testing.T, page, title, want string, replace *string) (blockLine, line int) {
	t.Helper()
	src, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	p, err := blocks.Parse(page, src)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(src), "\n")
	for _, b := range p.Blocks {
		if b.Kind != blocks.Console || b.Opts.Title != title {
			continue
		}
		for _, c := range b.Commands {
			first := c.Line + strings.Count(c.Text, "\n") + 1
			for j, o := range c.Output {
				l := first + j
				if o != want || strings.TrimRight(lines[l-1], "\r\n") != want {
					continue
				}
				if replace != nil {
					lines[l-1] = *replace + "\n"
				} else {
					lines[l-1] = ""
				}
				if err := os.WriteFile(page, []byte(strings.Join(lines, "")), 0o644); err != nil {
					t.Fatal(err)
				}
				return b.Line, l
			}
		}
	}
	t.Fatalf("%s: no console block titled %q with the output line %q: the test needs another line to change", page, title, want)
	return 0, 0
}

var hunkRE = regexp.MustCompile(`(?m)^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@`)

// hunkCovers: a diff hunk of the report covers line of the page (its "-"
// side, for a replaced line) or of the run (its "+" side, for a line the
// page lost).
func hunkCovers(report string, line int, pageSide bool) bool {
	for _, m := range hunkRE.FindAllStringSubmatch(report, -1) {
		start, n := m[3], m[4]
		if pageSide {
			start, n = m[1], m[2]
		}
		s, _ := strconv.Atoi(start)
		k := 1
		if n != "" {
			k, _ = strconv.Atoi(n)
		}
		if s <= line && line < s+k {
			return true
		}
	}
	return false
}

func ptr[T any](v T) *T { return &v }
