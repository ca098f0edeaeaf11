package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// secondDaemon starts a dockerd of its own (data root, socket, no bridge,
// no iptables, so it leaves the first daemon's networking alone) with the
// lab's debian image loaded, and returns its address.
func secondDaemon(t *testing.T) (host string, stop func()) {
	host, stop, _ = restartableDaemon(t)
	return host, stop
}

// restartableDaemon is secondDaemon with a restart: stop, then start again
// on the same data root, as a daemon restart does.
func restartableDaemon(t *testing.T) (host string, stop, restart func()) {
	t.Helper()
	needDebian(t)
	if _, err := exec.LookPath("dockerd"); err != nil {
		t.Fatal("dockerd is not installed: run make bootstrap")
	}
	dir, err := os.MkdirTemp("/var/tmp", "labrun-d2-")
	if err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "d.sock")
	host = "unix://" + sock
	// Its own bridge, on an address range of its own, so that containers
	// get networking without touching docker0.
	br := fmt.Sprintf("labd2-%d", os.Getpid()%10000)
	for _, args := range [][]string{{"link", "add", br, "type", "bridge"}, {"addr", "add", "172.31.254.1/24", "dev", br}, {"link", "set", br, "up"}} {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %v: %v\n%s", args, err, out)
		}
	}
	t.Cleanup(func() { exec.Command("ip", "link", "del", br).Run() })
	var cmd *exec.Cmd
	start := func() {
		log, _ := os.OpenFile(filepath.Join(dir, "dockerd.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		cmd = exec.Command("dockerd", "--data-root", filepath.Join(dir, "data"), "--exec-root", filepath.Join(dir, "x"),
			"-H", host, "--pidfile", filepath.Join(dir, "d.pid"), "--bridge="+br, "--iptables=false", "--ip6tables=false")
		cmd.Stdout, cmd.Stderr = log, log
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		for exec.CommandContext(ctx, "docker", "-H", host, "version").Run() != nil {
			if ctx.Err() != nil {
				data, _ := os.ReadFile(filepath.Join(dir, "dockerd.log"))
				t.Fatalf("second dockerd did not answer:\n%s", data)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			cmd.Process.Signal(os.Interrupt)
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				cmd.Process.Kill()
				<-done
			}
		}
	}
	restart = func() {
		stop()
		stopped = false
		start()
	}
	start()
	t.Cleanup(func() {
		// Containers first: a daemon stopped with containers running can
		// leave their shims and mounts behind.
		if !stopped {
			exec.Command("sh", "-c", "docker -H "+host+" ps -aq | xargs -r docker -H "+host+" rm -f").Run()
		}
		stop()
		os.RemoveAll(dir)
	})
	load := exec.Command("bash", "-c", "docker save debian | docker -H "+host+" load -q")
	if out, err := load.CombinedOutput(); err != nil {
		t.Fatalf("loading debian into the second daemon: %v\n%s", err, out)
	}
	return host, stop, restart
}

func TestPoolRunsEachPageOnOneDaemon(t *testing.T) {
	host2, _ := secondDaemon(t)
	dir := t.TempDir()
	t.Chdir(dir)
	marks := t.TempDir()
	var paths []string
	for i := range 4 {
		p := filepath.Join("content", fmt.Sprintf("pool-%d", i), "index.md")
		os.MkdirAll(filepath.Dir(p), 0o755)
		body := fmt.Sprintf("```console\n$ docker run --rm debian echo page %d\n$ docker info --format '{{.DockerRootDir}}' >> %s/%d; sleep 1\n```\n", i, marks, i)
		os.WriteFile(p, []byte(body), 0o644)
		paths = append(paths, p)
	}
	args := append([]string{"capture", "-docker-host", "unix:///var/run/docker.sock", "-docker-host", host2, "-work", t.TempDir()}, paths...)
	var out strings.Builder
	if code := run(context.Background(), args, &out, &out); code != 0 {
		t.Fatalf("%d\n%s", code, out.String())
	}
	used := map[string]bool{}
	for i := range 4 {
		data, err := os.ReadFile(filepath.Join(marks, fmt.Sprint(i)))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Fields(string(data))
		if len(lines) != 1 {
			t.Fatalf("page %d ran on %d daemons: %q", i, len(lines), lines)
		}
		used[lines[0]] = true
		if got := read(t, paths[i]); !strings.Contains(got, fmt.Sprintf("\npage %d\n", i)) {
			t.Fatalf("page %d:\n%s", i, got)
		}
	}
	if len(used) != 2 {
		t.Fatalf("4 pages of 1s on 2 daemons used %d daemon(s)", len(used))
	}
}

func TestDaemonGoneMidRunIsAnEnvironmentError(t *testing.T) {
	host2, stop := secondDaemon(t)
	p := page(t, "gone", "```console {timeout=\"2m\"}\n$ touch started; sleep 3\n$ docker run --rm debian true\n```\n")
	work := t.TempDir()
	go func() {
		for {
			if _, err := os.Stat(filepath.Join(work, "gone", "started")); err == nil {
				stop()
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	var out strings.Builder
	code := run(context.Background(), []string{"verify", p, "-docker-host", host2, "-work", work}, &out, &out)
	if code != 2 || !strings.Contains(out.String(), "index.md:1: the Docker daemon went away") {
		t.Fatalf("%d\n%s", code, out.String())
	}
}

// A daemon that restarts while a page runs (and answers again at once) is
// an environment error naming the block, not drift; the next run starts
// clean and leaves nothing.
func TestDaemonRestartMidPage(t *testing.T) {
	t.Setenv("LABRUN_STATE", t.TempDir())
	host2, _, restart := restartableDaemon(t)
	body := "```console\n$ docker run -d --stop-timeout 1 --name restarted debian sleep 600 >/dev/null\n```\n\n" +
		"```console {timeout=\"2m\"}\n$ touch started; sleep 12; echo slept\nslept\n```\n\n" +
		"```console\n$ docker inspect -f '{{.State.Running}}' restarted\ntrue\n```\n"
	p := page(t, "restart", body)
	work := t.TempDir()
	go func() {
		for {
			if _, err := os.Stat(filepath.Join(work, "restart", "started")); err == nil {
				restart()
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	var out strings.Builder
	code := run(context.Background(), []string{"verify", p, "-docker-host", host2, "-work", work}, &out, &out)
	if code != 2 || !strings.Contains(out.String(), "index.md:5: the Docker daemon went away") {
		t.Fatalf("%d\n%s", code, out.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"verify", p, "-docker-host", host2, "-work", t.TempDir()}, &out, &out); code != 0 {
		t.Fatalf("the run after the restart: %d\n%s", code, out.String())
	}
	if left, _ := exec.Command("docker", "-H", host2, "ps", "-aq").Output(); len(strings.TrimSpace(string(left))) > 0 {
		t.Fatalf("containers left: %s", left)
	}
}
