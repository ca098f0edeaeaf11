package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/docker/docker/api/types/events"
	"github.com/docker/docker/api/types/filters"

	"github.com/labdocs/dockerlab/tools/internal/dockerenv"
	"github.com/labdocs/dockerlab/tools/internal/images"
	"github.com/labdocs/dockerlab/tools/internal/record"
)

// These tests run pages against the real daemon. They need the lab's
// debian image (make images).

func docker(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("docker", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func exists(kind, name string) bool {
	return exec.Command("docker", kind, "inspect", name).Run() == nil
}

func needDebian(t *testing.T) {
	t.Helper()
	if exec.Command("docker", "image", "inspect", "debian").Run() != nil {
		t.Fatal("the lab image debian is missing: run make images")
	}
}

func suffix() string { return fmt.Sprintf("%06d", rand.IntN(1000000)) }

// userObjects makes a container, network, volume and image the way a user
// would, and returns a check that they are all still there, unchanged.
func userObjects(t *testing.T) func() {
	t.Helper()
	s := suffix()
	c, n, v, i := "user-c-"+s, "user-n-"+s, "user-v-"+s, "user-i-"+s
	cid := docker(t, "run", "-d", "--name", c, "debian", "sleep", "600")
	nid := docker(t, "network", "create", n)
	docker(t, "volume", "create", v)
	docker(t, "tag", "debian", i)
	iid := docker(t, "image", "inspect", "-f", "{{.Id}}", i)
	t.Cleanup(func() {
		exec.Command("docker", "rm", "-f", c).Run()
		exec.Command("docker", "network", "rm", n).Run()
		exec.Command("docker", "volume", "rm", v).Run()
		exec.Command("docker", "rmi", i).Run()
	})
	return func() {
		t.Helper()
		if got := docker(t, "inspect", "-f", "{{.Id}} {{.State.Running}}", c); got != cid+" true" {
			t.Errorf("user container changed: %s", got)
		}
		if got := docker(t, "network", "inspect", "-f", "{{.Id}}", n); got != nid {
			t.Errorf("user network changed: %s", got)
		}
		if !exists("volume", v) {
			t.Error("user volume removed")
		}
		if got := docker(t, "image", "inspect", "-f", "{{.Id}}", i); got != iid {
			t.Errorf("user image changed: %s", got)
		}
	}
}

func TestCleanupRemovesOnlyWhatThePageMade(t *testing.T) {
	needDebian(t)
	unchanged := userObjects(t)
	s := suffix()
	p := page(t, "hygiene", fmt.Sprintf("```console\n"+
		"$ docker network create lab-n-%[1]s >/dev/null\n"+
		"$ docker volume create lab-v-%[1]s >/dev/null\n"+
		"$ docker run -d --name lab-c-%[1]s --network lab-n-%[1]s -v lab-v-%[1]s:/data debian sleep 600 >/dev/null\n"+
		"$ docker commit lab-c-%[1]s lab-i-%[1]s:v1 >/dev/null\n"+
		"$ docker tag debian lab-tag-%[1]s\n"+
		"```\n", s))
	if code, out := labrun(t, "capture", p); code != 0 {
		t.Fatalf("%d\n%s", code, out)
	}
	for kind, name := range map[string]string{"container": "lab-c-" + s, "network": "lab-n-" + s, "volume": "lab-v-" + s, "image": "lab-i-" + s + ":v1"} {
		if exists(kind, name) {
			t.Errorf("%s %s left behind", kind, name)
		}
	}
	if exists("image", "lab-tag-"+s) {
		t.Error("new tag left behind")
	}
	if !exists("image", "debian") {
		t.Fatal("the tagged lab image was removed with its new tag")
	}
	unchanged()
}

func TestNameClashStopsBeforeRunning(t *testing.T) {
	needDebian(t)
	s := suffix()
	name := "taken-" + s
	id := docker(t, "run", "-d", "--name", name, "debian", "sleep", "600")
	t.Cleanup(func() { exec.Command("docker", "rm", "-f", name).Run() })
	p := page(t, "clash", "```console\n$ touch ran\n```\n\n```console\n$ docker run -d --name "+name+" debian true\n```\n")
	work := filepath.Join(t.TempDir(), "work")
	var out strings.Builder
	code := run(context.Background(), []string{"verify", p, "-work", work}, &out, &out)
	if code != 2 || !strings.Contains(out.String(), p+":6: the page creates container \""+name+"\", but one of that name exists already") {
		t.Fatalf("%d\n%s", code, out.String())
	}
	if _, err := os.Stat(filepath.Join(work, "clash", "ran")); err == nil {
		t.Fatal("the page ran despite the clash")
	}
	if got := docker(t, "inspect", "-f", "{{.Id}}", name); got != id {
		t.Fatal("the user's container was touched")
	}
}

func TestMatchingIDsMustKeepMatching(t *testing.T) {
	needDebian(t)
	s := suffix()
	p := page(t, "ids", "```console\n$ docker run -d --name ids-"+s+" debian sleep 600\n$ docker inspect -f '{{.Id}}' ids-"+s+"\n```\n")
	if code, out := labrun(t, "capture", p); code != 0 {
		t.Fatalf("%d\n%s", code, out)
	}
	if code, out := labrun(t, "verify", p); code != 0 {
		t.Fatalf("new IDs on a second run must not drift: %d\n%s", code, out)
	}
	// Make the page claim that inspect printed another container's ID.
	src := read(t, p)
	lines := strings.Split(src, "\n")
	last := lines[4]
	lines[4] = strings.Repeat("f", len(last))
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out := labrun(t, "verify", p)
	if code != 1 || !strings.Contains(out, "-<container-2>") || !strings.Contains(out, "+<container-1>") {
		t.Fatalf("two IDs that should match must drift: %d\n%s", code, out)
	}
}

func TestChangedImageDrifts(t *testing.T) {
	needDebian(t)
	img := "drift-img-" + suffix()
	var ids []string
	build := func(msg string) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM debian\nRUN echo "+msg+" > /msg\n"), 0o644)
		ids = append(ids, docker(t, "build", "-q", "-t", img, dir))
	}
	build("first")
	// Both builds: the first is left untagged by the second.
	t.Cleanup(func() { exec.Command("docker", append([]string{"rmi", "-f"}, ids...)...).Run() })
	p := page(t, "image", "# Image\n\n```console\n$ docker run --rm "+img+" cat /msg\n```\n")
	if code, out := labrun(t, "capture", p); code != 0 || !strings.Contains(read(t, p), "\nfirst\n") {
		t.Fatalf("%d\n%s", code, out)
	}
	build("second")
	code, out := labrun(t, "verify", p)
	if code != 1 || !strings.Contains(out, p+":3: drift") || !strings.Contains(out, "@@ -4,2 +4,2 @@") ||
		!strings.Contains(out, "-first") || !strings.Contains(out, "+second") {
		t.Fatalf("%d\n%s", code, out)
	}
}

// An interrupted run removes what the page made and nothing else.
func TestInterruptCleansUp(t *testing.T) {
	needDebian(t)
	unchanged := userObjects(t)
	bin := labrunBin(t)
	name := "intr-" + suffix()
	p := page(t, "interrupt", "```console {timeout=\"5m\"}\n$ docker run -d --name "+name+" debian sleep 600\n$ sleep 300\n```\n")
	cmd := exec.Command(bin, "capture", p, "-work", filepath.Join(t.TempDir(), "w"))
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for !exists("container", name) {
		if ctx.Err() != nil {
			t.Fatalf("the page never started its container\n%s", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
		t.Fatalf("exit: %v\n%s", err, out.String())
	}
	if exists("container", name) {
		t.Fatal("the page's container survived the interrupt")
	}
	if read(t, p) != "```console {timeout=\"5m\"}\n$ docker run -d --name "+name+" debian sleep 600\n$ sleep 300\n```\n" {
		t.Fatal("an interrupted capture wrote the page")
	}
	unchanged()
}

func TestNoDaemonIsAnEnvironmentError(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix://"+filepath.Join(t.TempDir(), "none.sock"))
	p := page(t, "nodaemon", "```console\n$ true\n```\n")
	code, out := labrun(t, "verify", p)
	if code != 2 || !strings.Contains(out, "none.sock") {
		t.Fatalf("%d\n%s", code, out)
	}
}

// Capture with nothing changed starts no container: counted from the
// daemon's own event log.
func TestUnchangedCaptureStartsNoContainer(t *testing.T) {
	needDebian(t)
	p := page(t, "incremental", "```console\n$ docker run --rm debian echo hi\n```\n")
	if code, out := labrun(t, "capture", p); code != 0 {
		t.Fatalf("%d\n%s", code, out)
	}
	since := time.Now()
	code, out := labrun(t, "capture", p)
	until := time.Now()
	if code != 0 || !strings.Contains(out, "unchanged since capture") {
		t.Fatalf("%d\n%s", code, out)
	}
	cli, _, err := dockerenv.Client(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	msgs, errs := cli.Events(ctx, events.ListOptions{
		Since: fmt.Sprintf("%d.%09d", since.Unix(), since.Nanosecond()), Until: fmt.Sprint(until.Unix() + 1),
		Filters: filters.NewArgs(filters.Arg("type", "container"), filters.Arg("event", "create")),
	})
	n := 0
	for {
		select {
		case <-msgs:
			n++
			continue
		case err := <-errs:
			if err != nil && err != io.EOF {
				t.Fatal(err)
			}
		}
		break
	}
	if n != 0 {
		t.Fatalf("an unchanged capture created %d container(s)", n)
	}
}

// A shell that fails to open must stop the page: the commands meant for
// the container would otherwise run on the host.
func TestShellThatFailsToOpenStopsThePage(t *testing.T) {
	needDebian(t)
	p := page(t, "noshell", "```console {term=\"1\"}\n$ docker run --rm --network no-such-net-"+suffix()+" -ti debian bash\n```\n\n```console {term=\"1\"}\n# touch /tmp/should-not-exist-on-host\n```\n")
	os.Remove("/tmp/should-not-exist-on-host")
	code, out := labrun(t, "verify", p)
	if code != 1 || !strings.Contains(out, "was to open a shell") {
		t.Fatalf("%d\n%s", code, out)
	}
	if _, err := os.Stat("/tmp/should-not-exist-on-host"); err == nil {
		os.Remove("/tmp/should-not-exist-on-host")
		t.Fatal("a command meant for the container ran on the host")
	}
}

// A published port waited for on a detached container: the wait is for
// the server, not Docker's proxy, and the terminal is free afterwards.
func TestPortWaitOnDetachedContainer(t *testing.T) {
	needDebian(t)
	p := page(t, "portwait", "```console {term=\"1\" port=7319}\n$ docker run -d --name pw-"+suffix()+" -p 7319:80 nginx >/dev/null\n```\n\n```console {term=\"1\"}\n$ curl -s -o /dev/null -w '%{http_code}\\n' localhost:7319\n200\n```\n")
	for i := range 3 {
		if code, out := labrun(t, "verify", p); code != 0 {
			t.Fatalf("run %d: %d\n%s", i+1, code, out)
		}
	}
}

// An object made past the tracker (straight through the socket) under a
// name the page does not state is reported, not silently left or wrongly
// removed.
func TestStrayObjectIsReported(t *testing.T) {
	needDebian(t)
	name := "stray-" + suffix()
	t.Cleanup(func() { exec.Command("docker", "rm", "-f", name).Run() })
	p := page(t, "stray", "```console\n$ N="+name+"; curl -s -o /dev/null --unix-socket /var/run/docker.sock -H 'Content-Type: application/json' -d '{\"Image\":\"debian\"}' \"http://localhost/containers/create?name=$N\"\n```\n")
	code, out := labrun(t, "verify", p)
	if code != 0 || !strings.Contains(out, "container "+name+" appeared during the page but not through its docker commands") {
		t.Fatalf("%d\n%s", code, out)
	}
	if !exists("container", name) {
		t.Fatal("a stray object was removed")
	}
}

// One the page names (the concepts page creates a container with curl
// and the Engine API) is the page's: removed after the page, even when
// the page never got to remove it itself.
func TestObjectMadeThroughTheAPIIsRemoved(t *testing.T) {
	needDebian(t)
	unchanged := userObjects(t)
	name := "api-" + suffix()
	t.Cleanup(func() { exec.Command("docker", "rm", "-f", name).Run() })
	p := page(t, "api", "```console\n$ curl -s -o /dev/null --unix-socket /var/run/docker.sock -H 'Content-Type: application/json' -d '{\"Image\":\"debian\"}' 'http://localhost/containers/create?name="+name+"'\n```\n")
	code, out := labrun(t, "verify", p)
	if code != 0 || strings.Contains(out, "appeared during the page") {
		t.Fatalf("%d\n%s", code, out)
	}
	if exists("container", name) {
		t.Fatal("the container the page named and made through the API survived the page")
	}
	unchanged()
}

// A Compose file's own project name counts, not only the folder's.
func TestComposeProjectClash(t *testing.T) {
	needDebian(t)
	proj := "cproj-" + suffix()
	docker(t, "run", "-d", "--name", proj+"-db-1", "debian", "sleep", "600")
	t.Cleanup(func() { exec.Command("docker", "rm", "-f", proj+"-db-1").Run() })
	p := page(t, "composeclash", "```yaml {file=\"compose.yaml\"}\nname: "+proj+"\nservices:\n  db:\n    image: debian\n```\n\n```console\n$ docker compose up -d\n```\n")
	code, out := labrun(t, "verify", p)
	if code != 2 || !strings.Contains(out, p+":9: the page creates container \""+proj+"-db-1\"") {
		t.Fatalf("%d\n%s", code, out)
	}
}

// healthy= waits through the moment docker run has created the container
// but not started it (no health state yet), and says so plainly when the
// container has no healthcheck at all.
func TestHealthyWaitsForTheStart(t *testing.T) {
	needDebian(t)
	name := "hc-" + suffix()
	p := page(t, "healthy", "```console {healthy=\""+name+"\" timeout=\"30s\"}\n"+
		"$ docker create --name "+name+" --health-cmd true --health-interval 1s debian sleep 60 >/dev/null; sleep 1; docker start "+name+"\n```\n")
	if code, out := labrun(t, "capture", p); code != 0 {
		t.Fatalf("%d\n%s", code, out)
	}
	bare := "nohc-" + suffix()
	p = page(t, "nohealth", "```console {healthy=\""+bare+"\"}\n$ docker run -d --name "+bare+" debian sleep 60 >/dev/null\n```\n")
	if code, out := labrun(t, "capture", p); code != 1 || !strings.Contains(out, "container "+bare+" has no healthcheck") {
		t.Fatalf("%d\n%s", code, out)
	}
	if exists("container", name) || exists("container", bare) {
		t.Fatal("the pages' containers survived them")
	}
}

// A capture records the name of the daemon's lab image set and where
// each image the page uses came from, from the host's ledger; a user's
// name for a lab image is not recorded, and no origin names our tools.
func TestCaptureRecordsTheImageSet(t *testing.T) {
	needDebian(t)
	mine := "user-i-" + suffix()
	docker(t, "tag", "debian", mine)
	t.Cleanup(func() { exec.Command("docker", "rmi", mine).Run() })
	p := page(t, "imageset", "---\ntitle: Set\n---\n\n```console\n$ docker run --rm debian true\n$ docker run --rm "+mine+" true\n```\n")
	if code, out := labrun(t, "capture", p); code != 0 {
		t.Fatalf("capture: %d\n%s", code, out)
	}
	rec, err := record.Load(p)
	if err != nil || rec == nil {
		t.Fatalf("record: %v", err)
	}
	cli, _, err := dockerenv.Client(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	lab, err := images.Present(context.Background(), cli, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := images.SetName(lab); want == "" || rec.ImageSet != want {
		t.Errorf("image set %q, want %q", rec.ImageSet, want)
	}
	var names []string
	for _, im := range rec.Images {
		names = append(names, im.Name)
		// Every tag of the repository a page names counts as used, so
		// debian's bookworm recipe is there beside the trixie one.
		if (!strings.HasPrefix(im.Origin, "built from tools/images/debian ") && !strings.HasPrefix(im.Origin, "built from tools/images/debian-bookworm ") && !strings.HasPrefix(im.Origin, "pulled ")) || strings.Contains(im.Origin, "labimages") {
			t.Errorf("%s: origin %q", im.Name, im.Origin)
		}
	}
	if len(names) == 0 || strings.Contains(strings.Join(names, " "), mine) {
		t.Errorf("recorded images %v: want debian's lab names, not %s", names, mine)
	}
}
