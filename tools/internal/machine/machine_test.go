//go:build linux

package machine

import (
	"bufio"
	"context"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// need skips where another machine cannot start, except under CI (make
// check), where that is a failure.
func need(t *testing.T) {
	t.Helper()
	err := Check()
	if err == nil {
		_, err = exec.LookPath("dockerd")
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
}

// A machine is another machine: its own host name, its own daemon at its
// own /var/run/docker.sock, dockerd as PID 1 of its processes, and no way
// out but what Egress names. Stop leaves nothing of it.
func TestMachine(t *testing.T) {
	need(t)
	ctx := context.Background()
	m, err := Start(ctx, Options{Hostname: "labm-test-host", Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	defer func() {
		if !stopped {
			m.Stop()
		}
	}()
	if out, err := m.Docker(ctx, "info", "--format", "{{.Name}} {{.DockerRootDir}}"); err != nil || strings.TrimSpace(out) != "labm-test-host "+m.Dir+"/data" {
		t.Errorf("docker info from here: %q, %v", out, err)
	}
	if out, err := m.Inside(ctx, "docker", "-H", "unix:///var/run/docker.sock", "info", "--format", "{{.Name}}"); err != nil || strings.TrimSpace(out) != "labm-test-host" {
		t.Errorf("inside, /var/run/docker.sock answers as %q (%v)", out, err)
	}
	if out, err := m.Inside(ctx, "hostname"); err != nil || strings.TrimSpace(out) != "labm-test-host" {
		t.Errorf("inside, hostname says %q (%v)", out, err)
	}
	if out, err := m.Inside(ctx, "cat", "/proc/1/comm"); err != nil || strings.TrimSpace(out) != "dockerd" {
		t.Errorf("inside, PID 1 is %q (%v)", out, err)
	}
	// Its own packet filter: the daemon's rules there, none of this
	// machine's.
	here, _ := exec.Command("iptables", "-S", "FORWARD").Output()
	there, err := m.Inside(ctx, "iptables", "-S", "FORWARD")
	if err != nil || string(here) == there || strings.Contains(there, "labdocs-machine") {
		t.Errorf("inside, iptables -S FORWARD is this machine's, or fails (%v):\n%s", err, there)
	}
	// No egress named: a TCP connection to this machine's side of the
	// link works (it is this machine), to anywhere else it does not.
	hostAddr := linkAddr(t, m)
	ln, err := net.Listen("tcp", hostAddr+":0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	if out, err := m.Inside(ctx, "bash", "-c", "exec 3<>/dev/tcp/"+hostAddr+"/"+port); err != nil {
		t.Errorf("inside, this machine's side of the link (%s:%s) is out of reach: %v %s", hostAddr, port, err, out)
	}
	if out, err := m.Inside(ctx, "timeout", "3", "bash", "-c", "exec 3<>/dev/tcp/192.0.2.1/80"); err == nil {
		t.Errorf("inside, a host Egress does not name was reached: %s", out)
	}

	name, dir := m.name, m.Dir
	vh, _ := veths(name)
	if err := m.Stop(); err != nil {
		t.Fatal(err)
	}
	stopped = true
	gone(t, name, dir, vh)
}

// linkAddr is this machine's address on the machine's link.
func linkAddr(t *testing.T, m *Machine) string {
	t.Helper()
	vh, _ := veths(m.name)
	ifc, err := net.InterfaceByName(vh)
	if err != nil {
		t.Fatal(err)
	}
	addrs, _ := ifc.Addrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil {
			return n.IP.String()
		}
	}
	t.Fatalf("%s has no IPv4 address", vh)
	return ""
}

// gone fails unless nothing of the machine is left: namespace, veth,
// iptables rules, folder.
func gone(t *testing.T, name, dir, vh string) {
	t.Helper()
	if out, _ := exec.Command("ip", "netns", "list").Output(); strings.Contains(string(out), name) {
		t.Errorf("namespace %s is left:\n%s", name, out)
	}
	if _, err := net.InterfaceByName(vh); err == nil {
		t.Errorf("veth %s is left", vh)
	}
	for _, tc := range [][]string{{"-S", "FORWARD"}, {"-t", "nat", "-S", "POSTROUTING"}} {
		if out, _ := exec.Command("iptables", tc...).Output(); strings.Contains(string(out), comment(name)) {
			t.Errorf("iptables rules of %s are left:\n%s", name, out)
		}
	}
	if _, err := os.Stat(dir); err == nil {
		t.Errorf("folder %s is left", dir)
	}
}

// A machine whose process was killed with SIGKILL (it could not Stop) is
// removed by the next Start: its daemon, namespace, veth, rules, folder.
func TestDeadMachineIsSwept(t *testing.T) {
	need(t)
	if os.Getenv("LABDOCS_MACHINE_CHILD") == "1" {
		t.Skip("the child's own run")
	}
	cmd := exec.Command(os.Args[0], "-test.run", "^TestStartAndWait$", "-test.v")
	cmd.Env = append(os.Environ(), "LABDOCS_MACHINE_CHILD=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var name, dir string
	var pid int
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 4 && f[0] == "machine" {
			name, dir = f[1], f[2]
			pid, _ = strconv.Atoi(f[3])
			break
		}
	}
	if name == "" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatal("the child started no machine")
	}
	cmd.Process.Kill()
	cmd.Wait()
	if syscall.Kill(pid, 0) != nil {
		t.Fatalf("the dead child's dockerd (%d) is not running: nothing to sweep", pid)
	}
	m, err := Start(context.Background(), Options{Hostname: "labm-sweeper"})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Stop()
	vh, _ := veths(name)
	gone(t, name, dir, vh)
	deadline := time.Now().Add(10 * time.Second)
	for syscall.Kill(pid, 0) == nil && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if syscall.Kill(pid, 0) == nil {
		t.Errorf("the dead child's dockerd (%d) still runs", pid)
	}
}

// TestStartAndWait is the child of TestDeadMachineIsSwept: it starts a
// machine, says which, and waits to be killed.
func TestStartAndWait(t *testing.T) {
	if os.Getenv("LABDOCS_MACHINE_CHILD") != "1" {
		t.Skip("run by TestDeadMachineIsSwept")
	}
	m, err := Start(context.Background(), Options{Hostname: "labm-child"})
	if err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("machine " + m.name + " " + m.Dir + " " + strconv.Itoa(m.PID) + "\n")
	time.Sleep(2 * time.Minute)
	m.Stop()
}
