package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The runner killed with SIGKILL cannot clean up; the next run must, from
// the journal the dead run left, and touch nothing else.

var (
	pkgDir, _ = os.Getwd() // go test starts in the package's folder
	binOnce   sync.Once
	binPath   string
	binErr    error
)

// labrunBin builds the command once per test process.
func labrunBin(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "labrun-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "labrun")
		build := exec.Command("go", "build", "-o", binPath, ".")
		build.Dir = pkgDir
		if out, err := build.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("%v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// killMidPage captures page p in a separate process and kills it with
// SIGKILL once ready reports true (polled), then a moment later.
func killMidPage(t *testing.T, p string, ready func() bool) string {
	t.Helper()
	return killMidPageIn(t, p, t.TempDir(), ready)
}

func killMidPageIn(t *testing.T, p, work string, ready func() bool) string {
	t.Helper()
	cmd := exec.Command(labrunBin(t), "verify", p, "-work", work)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	for !ready() {
		if ctx.Err() != nil {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("the page never reached the point to kill it at\n%s", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	return out.String()
}

func TestKilledRunIsCleanedUpByTheNext(t *testing.T) {
	if os.Getenv("LAB_E2E") == "" {
		t.Skip("the kill matrix is part of make e2e (LAB_E2E=1); the fast suite kills once, in TestCleanCommand")
	}
	needDebian(t)
	s := suffix()
	// Each page waits at its kill point while the hold file exists: the
	// killed run is stopped there, the next run goes straight through.
	hold := filepath.Join(t.TempDir(), "hold")
	wait := "while [ -e " + hold + " ]; do sleep 0.1; done"
	tests := []struct {
		name  string
		files map[string]string
		body  string
		ready func(work string) func() bool // work: the page's work folder
		left  [][2]string                   // kind, name that the dead run left
	}{
		{
			name: "nested shell",
			body: "```console {term=\"a\"}\n$ docker network create crash-n-" + s + " >/dev/null\n" +
				"$ docker run -it -v " + filepath.Dir(hold) + ":/hold --name crash-sh-" + s + " --network crash-n-" + s + " debian bash\n" +
				"# touch /tmp/x; while [ -e /hold/hold ]; do sleep 0.1; done\n```\n",
			ready: func(string) func() bool {
				return func() bool { return exec.Command("docker", "exec", "crash-sh-"+s, "test", "-e", "/tmp/x").Run() == nil }
			},
			left: [][2]string{{"container", "crash-sh-" + s}, {"network", "crash-n-" + s}},
		},
		{
			name:  "image build",
			files: map[string]string{"Dockerfile": "FROM debian\nRUN echo " + s + " > /f\n"},
			body:  "```console\n$ docker build -q -t crash-img-" + s + " . >/dev/null; " + wait + "\n```\n",
			ready: func(string) func() bool { return func() bool { return exists("image", "crash-img-"+s) } },
			left:  [][2]string{{"image", "crash-img-" + s}},
		},
		{
			name:  "compose up",
			files: map[string]string{"compose.yaml": "name: crash-" + s + "\nservices:\n  app:\n    image: debian\n    command: sleep 600\n    volumes: [data:/data]\nvolumes:\n  data:\n"},
			body:  "```console\n$ docker compose up -d 2>/dev/null; " + wait + "\n```\n",
			ready: func(string) func() bool {
				return func() bool { return exists("container", "crash-"+s+"-app-1") }
			},
			left: [][2]string{{"container", "crash-" + s + "-app-1"}, {"volume", "crash-" + s + "_data"}, {"network", "crash-" + s + "_default"}},
		},
		{
			name: "registry push",
			body: "```console {port=5055}\n$ docker run -d -p 127.0.0.1:5055:5000 --name crash-reg-" + s + " registry >/dev/null\n```\n\n" +
				"```console\n$ docker tag debian localhost:5055/crash-" + s + "\n$ touch pushing; docker push -q localhost:5055/crash-" + s + " >/dev/null; " + wait + "\n```\n",
			ready: func(work string) func() bool {
				return func() bool { _, err := os.Stat(filepath.Join(work, "crash", "pushing")); return err == nil }
			},
			left: [][2]string{{"container", "crash-reg-" + s}, {"image", "localhost:5055/crash-" + s}},
		},
		{
			name: "a command that hangs",
			body: "```console\n$ docker run --name crash-hang-" + s + " -v " + filepath.Dir(hold) + ":/hold debian sh -c 'while [ -e /hold/hold ]; do sleep 0.1; done'\n```\n",
			ready: func(string) func() bool {
				return func() bool {
					out, _ := exec.Command("docker", "inspect", "-f", "{{.State.Running}}", "crash-hang-"+s).Output()
					return strings.TrimSpace(string(out)) == "true"
				}
			},
			left: [][2]string{{"container", "crash-hang-" + s}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("LABRUN_STATE", t.TempDir())
			unchanged := userObjects(t)
			p := page(t, "crash", tc.body)
			for name, data := range tc.files {
				if err := os.WriteFile(filepath.Join(filepath.Dir(p), name), []byte(data), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.WriteFile(hold, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			work := t.TempDir()
			out := killMidPageIn(t, p, work, tc.ready(work))
			os.Remove(hold)
			for _, o := range tc.left {
				if !exists(o[0], o[1]) {
					t.Fatalf("the killed run left no %s %s: the test did not kill it mid-page\n%s", o[0], o[1], out)
				}
			}
			// The next run removes the leftovers first, then runs clean.
			code, report := labrun(t, "capture", p)
			if code != 0 {
				t.Fatalf("the run after the kill: %d\n%s", code, report)
			}
			if !strings.Contains(report, "left by a run that died") {
				t.Errorf("the run did not say it removed leftovers:\n%s", report)
			}
			if code, report := labrun(t, "verify", p); code != 0 {
				t.Fatalf("verify after: %d\n%s", code, report)
			}
			for _, o := range tc.left {
				if exists(o[0], o[1]) {
					t.Errorf("%s %s still there after the next run", o[0], o[1])
				}
			}
			files, _ := filepath.Glob(filepath.Join(os.Getenv("LABRUN_STATE"), "journal", "*", "*"))
			if len(files) != 0 {
				t.Errorf("journals left: %v", files)
			}
			unchanged()
		})
	}
}

// A dead run's journal names a container; the user then makes one of the
// same name. Cleanup leaves it alone, and the page refuses to run.
func TestUsersObjectOfALeftoverNameIsKept(t *testing.T) {
	needDebian(t)
	t.Setenv("LABRUN_STATE", t.TempDir())
	name := "crash-user-" + suffix()
	p := page(t, "crashuser", "```console\n$ docker run -d --name "+name+" debian sleep 600\n$ sleep 600\n```\n")
	killMidPage(t, p, func() bool { return exists("container", name) })
	docker(t, "rm", "-f", name)
	// The user's own container of that name, made a while after the run
	// died (the journal's last sign of life is set back a minute).
	files, _ := filepath.Glob(filepath.Join(os.Getenv("LABRUN_STATE"), "journal", "*", "run-*.jsonl"))
	if len(files) != 1 {
		t.Fatalf("journals: %v", files)
	}
	old := time.Now().Add(-time.Minute)
	os.Chtimes(files[0], old, old)
	id := docker(t, "run", "-d", "--name", name, "debian", "sleep", "600")
	t.Cleanup(func() { exec.Command("docker", "rm", "-f", name).Run() })
	code, out := labrun(t, "verify", p)
	if code != 2 || !strings.Contains(out, "not the page's") {
		t.Fatalf("want exit 2 for the user's container: %d\n%s", code, out)
	}
	if got := docker(t, "inspect", "-f", "{{.Id}}", name); got != id {
		t.Fatalf("the user's container was replaced: %s", got)
	}
	if code, out := labrun(t, "clean"); code != 0 || !strings.Contains(out, "no leftovers") {
		t.Fatalf("clean: %d\n%s", code, out)
	}
	if got := docker(t, "inspect", "-f", "{{.Id}}", name); got != id {
		t.Fatalf("clean removed the user's container: %s", got)
	}
}

// labrun clean alone removes a dead run's objects.
func TestCleanCommand(t *testing.T) {
	needDebian(t)
	t.Setenv("LABRUN_STATE", t.TempDir())
	name := "crash-clean-" + suffix()
	p := page(t, "crashclean", "```console\n$ docker volume create "+name+"\n$ sleep 600\n```\n")
	killMidPage(t, p, func() bool { return exists("volume", name) })
	code, out := labrun(t, "clean")
	if code != 0 || !strings.Contains(out, "removed 1 Docker object") {
		t.Fatalf("clean: %d\n%s", code, out)
	}
	if exists("volume", name) {
		t.Fatal("clean left the volume")
	}
}
