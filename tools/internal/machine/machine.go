//go:build linux

// Package machine starts another machine on this one: a Docker daemon, of
// whichever engine its dockerd binary is, as PID 1 of network, UTS, PID
// and mount namespaces of its own, with its own data root and exec root.
// What a page does on "the host" (curl localhost:PORT, iptables -S,
// hostname, ps, /var/run/docker.sock) sees that machine, not this one,
// when the runner runs inside it (Machine.Command).
//
// Its network is a veth pair to this machine on a /30 of its own, NATed,
// through which it reaches only the hosts and TCP ports Options.Egress
// names (and this machine's DNS resolvers): its own docker0 and iptables
// rules live in its namespace. On this machine it adds only FORWARD and
// POSTROUTING rules that match its veth or its address, each tagged with
// an iptables comment naming the machine, so that a later Start removes
// what a machine whose process died (SIGKILL) left: its namespace, its
// veth, its rules.
//
// It needs root, ip (iproute2), nsenter and unshare (util-linux) and
// iptables, and IP forwarding on (a Docker daemon on this machine turns it
// on).
package machine

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/labdocs/dockerlab/tools/internal/daemonlock"
)

// Options say which engine the machine runs and what it may reach.
type Options struct {
	// Dockerd is the daemon's binary. Its folder goes first on the PATH
	// of the machine's processes when it is not on it already, so that an
	// engine unpacked in a folder of its own runs with its own containerd,
	// runc, docker-proxy and docker-init (and CLI, if there is one). "":
	// dockerd from PATH.
	Dockerd string
	// Hostname is the machine's host name.
	Hostname string
	// Args are more dockerd flags; Env more variables for dockerd.
	Args, Env []string
	Egress    Egress
	// Logf, if set, is told what the machine may reach.
	Logf func(format string, args ...any)
}

// Egress is what the machine's processes and containers may reach on the
// network beyond this machine: TCP Ports of Hosts (names are resolved at
// Start), and this machine's DNS resolvers. Nothing else.
type Egress struct {
	Hosts []string
	Ports []int
}

// Machine is a running daemon in namespaces of its own.
type Machine struct {
	Host string // unix:// address of its socket, reachable from this machine
	PID  int    // dockerd, PID 1 of the machine, as this machine numbers it
	Dir  string // its folder: data root, exec root, socket, log
	Log  string // dockerd's log
	// Env is the environment of programs run inside: this process's,
	// with PATH starting at the engine's folder.
	Env []string

	name string
	undo []func() error // in reverse order of setup
	done chan struct{}  // closed when dockerd's process ends
}

// The machines' names, as ip netns lists them: labm-PID-N, PID being the
// process that started them.
const netnsPrefix = "labm-"

var seq atomic.Int64

// Start starts a machine. Stop undoes everything Start did, also when
// Start fails halfway (Start undoes it then itself).
func Start(ctx context.Context, o Options) (m *Machine, err error) {
	if err := Check(); err != nil {
		return nil, err
	}
	dockerd := o.Dockerd
	if dockerd == "" {
		dockerd = "dockerd"
	}
	if dockerd, err = exec.LookPath(dockerd); err != nil {
		return nil, fmt.Errorf("the engine's daemon: %w", err)
	}
	if dockerd, err = filepath.Abs(dockerd); err != nil {
		return nil, err
	}
	m = &Machine{name: fmt.Sprintf("%s%d-%d", netnsPrefix, os.Getpid(), seq.Add(1)), done: make(chan struct{})}
	defer func() {
		if err != nil {
			m.Stop()
			m = nil
		}
	}()
	if m.Dir, err = os.MkdirTemp("/var/tmp", "labdocs-machine-"); err != nil {
		return m, err
	}
	m.Host = socketHost(m.Dir)
	m.push(func() error {
		unmountUnder(m.Dir)
		// The lab tools' lock of this one-off daemon address.
		os.Remove(daemonlock.Path(m.Host))
		return os.RemoveAll(m.Dir)
	})
	// Whose folder this is, for a later sweep.
	if err := os.WriteFile(filepath.Join(m.Dir, "machine"), []byte(m.name+"\n"), 0o644); err != nil {
		return m, err
	}
	m.Log = filepath.Join(m.Dir, "dockerd.log")
	m.Env = withPath(os.Environ(), filepath.Dir(dockerd))

	if err := m.network(o); err != nil {
		return m, err
	}
	if err := m.startDockerd(ctx, dockerd, o); err != nil {
		return m, err
	}
	return m, nil
}

// socketHost is the address of the socket of the machine whose folder is
// dir.
func socketHost(dir string) string { return "unix://" + filepath.Join(dir, "docker.sock") }

// Check says what this machine lacks to start another.
func Check() error {
	if os.Geteuid() != 0 {
		return errors.New("another machine needs root (namespaces, veth, iptables)")
	}
	for _, tool := range []string{"ip", "nsenter", "unshare", "iptables"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s is not installed: run make bootstrap", tool)
		}
	}
	if b, _ := os.ReadFile("/proc/sys/net/ipv4/ip_forward"); strings.TrimSpace(string(b)) != "1" {
		return errors.New("IP forwarding is off on this machine (a Docker daemon here turns it on): another machine's containers would have no way out")
	}
	return nil
}

// Stop ends the daemon (and with it every process of the machine: it is
// their PID 1), then removes the machine's rules, network and folder.
func (m *Machine) Stop() error {
	var errs []error
	for i := len(m.undo) - 1; i >= 0; i-- {
		if err := m.undo[i](); err != nil {
			errs = append(errs, err)
		}
	}
	m.undo = nil
	return errors.Join(errs...)
}

func (m *Machine) push(f func() error) { m.undo = append(m.undo, f) }

// Command is program run inside the machine (its PID, mount, UTS and
// network namespaces), in dir, with Env.
func (m *Machine) Command(ctx context.Context, dir string, program ...string) *exec.Cmd {
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	args := append([]string{"-t", strconv.Itoa(m.PID), "-p", "-m", "-u", "-n", "--wd=" + dir, "--"}, program...)
	cmd := exec.CommandContext(ctx, "nsenter", args...)
	// In the machine's mount namespace getcwd(2) cannot name the folder
	// (its root is this machine's), so programs learn it from PWD.
	cmd.Env = append(slices.Clone(m.Env), "PWD="+dir)
	return cmd
}

// Inside runs a program inside the machine and returns what it printed.
func (m *Machine) Inside(ctx context.Context, program ...string) (string, error) {
	out, err := m.Command(ctx, "/", program...).CombinedOutput()
	return string(out), err
}

// Docker runs the docker CLI on this machine against the machine's
// daemon.
func (m *Machine) Docker(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "docker", append([]string{"-H", m.Host}, args...)...)
	cmd.Env = m.Env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// Tail is the last n lines of the daemon's log.
func (m *Machine) Tail(n int) string {
	b, _ := os.ReadFile(m.Log)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// startDockerd starts dockerd as PID 1 of new UTS, PID and mount
// namespaces inside the machine's network namespace, with a private /run
// (so that its /var/run/docker.sock is its daemon), and waits until it
// answers.
func (m *Machine) startDockerd(ctx context.Context, dockerd string, o Options) error {
	log, err := os.Create(m.Log)
	if err != nil {
		return err
	}
	defer log.Close()
	// nsenter --net and not ip netns exec, which remounts /sys and so
	// hides the cgroup mounts dockerd needs. unshare forks: the child is
	// PID 1 of the new PID namespace, and becomes dockerd.
	script := `echo "$0" >/proc/sys/kernel/hostname && mount -t tmpfs -o mode=755 labdocs-machine-run /run && exec "$@"`
	daemonArgs := []string{"--data-root", filepath.Join(m.Dir, "data"), "--exec-root", filepath.Join(m.Dir, "x"), "--pidfile", filepath.Join(m.Dir, "docker.pid"),
		"-H", "unix:///var/run/docker.sock", "-H", m.Host}
	if containerd, err := lookPathIn(m.Env, "containerd"); err == nil {
		// containerd runs beside dockerd, not as its child, as installed
		// engines run it: a child inherits dockerd's umask of 0 (engine
		// 29), and so would every docker exec, writing world-writable
		// files that no reader's machine writes.
		sock := "/run/containerd/containerd.sock"
		script = `echo "$0" >/proc/sys/kernel/hostname && mount -t tmpfs -o mode=755 labdocs-machine-run /run && mkdir -p /run/containerd && ` +
			`(umask 022; exec "$1" --root "$2" --state /run/containerd/state --address "$3" </dev/null &) && ` +
			`for i in $(seq 1 300); do [ -S "$3" ] && break; sleep 0.1; done && shift 3 && exec "$@"`
		daemonArgs = append([]string{containerd, filepath.Join(m.Dir, "containerd"), sock, dockerd, "--containerd", sock}, daemonArgs...)
	} else {
		daemonArgs = append([]string{dockerd}, daemonArgs...)
	}
	args := []string{"--net=/run/netns/" + m.name, "--",
		"unshare", "--uts", "--pid", "--fork", "--kill-child", "--mount-proc", "--propagation", "private",
		"sh", "-c", script, o.Hostname}
	args = append(args, daemonArgs...)
	args = append(args, o.Args...)
	cmd := exec.Command("nsenter", args...)
	cmd.Env = append(slices.Clone(m.Env), o.Env...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() { cmd.Wait(); close(m.done) }()
	m.push(func() error {
		if m.PID > 0 {
			syscall.Kill(m.PID, syscall.SIGINT)
		} else {
			cmd.Process.Signal(os.Interrupt)
		}
		select {
		case <-m.done:
			return nil
		case <-time.After(60 * time.Second):
			if m.PID > 0 {
				syscall.Kill(m.PID, syscall.SIGKILL)
			}
			cmd.Process.Kill()
			<-m.done
			return errors.New("the machine's dockerd did not stop within 60s: killed")
		}
	})
	sock := filepath.Join(m.Dir, "docker.sock")
	hc := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", sock)
		}}}
	deadline := time.Now().Add(90 * time.Second)
	for {
		if m.PID == 0 {
			m.PID = childOf(cmd.Process.Pid)
		}
		if m.PID > 0 && ping(ctx, hc) {
			break
		}
		select {
		case <-m.done:
			return fmt.Errorf("the machine's dockerd exited:\n%s", m.Tail(40))
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the machine's dockerd did not answer within 90s:\n%s", m.Tail(40))
		}
		time.Sleep(300 * time.Millisecond)
	}
	if b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", m.PID)); strings.TrimSpace(string(b)) != "dockerd" {
		return fmt.Errorf("process %d, which should be the machine's dockerd, is %q", m.PID, b)
	}
	return nil
}

// ping asks the daemon's /_ping, which answers whatever API version the
// caller speaks.
func ping(ctx context.Context, hc *http.Client) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://machine/_ping", nil)
	if err != nil {
		return false
	}
	resp, err := hc.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// withPath is env with dir first on PATH, unless PATH has it already.
func withPath(env []string, dir string) []string {
	out := slices.Clone(env)
	for i, kv := range out {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			if slices.Contains(filepath.SplitList(v), dir) {
				return out
			}
			out[i] = "PATH=" + dir + string(filepath.ListSeparator) + v
			return out
		}
	}
	return append(out, "PATH="+dir)
}

// childOf is a child process of pid, or 0.
func childOf(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
	if err == nil {
		if f := strings.Fields(string(b)); len(f) > 0 {
			n, _ := strconv.Atoi(f[0])
			return n
		}
		return 0
	}
	// Kernels without the children file: look through every process.
	dirs, _ := os.ReadDir("/proc")
	ppid := regexp.MustCompile(`(?m)^PPid:\s+` + strconv.Itoa(pid) + `$`)
	for _, d := range dirs {
		n, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		st, _ := os.ReadFile(filepath.Join("/proc", d.Name(), "status"))
		if ppid.Match(st) {
			return n
		}
	}
	return 0
}

// unmountUnder detaches what a dockerd that did not stop cleanly left
// mounted under dir, so that removing dir cannot reach into it.
func unmountUnder(dir string) {
	b, _ := os.ReadFile("/proc/self/mountinfo")
	var mounts []string
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) > 4 && strings.HasPrefix(f[4], dir+"/") {
			mounts = append(mounts, f[4])
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(mounts)))
	for _, m := range mounts {
		syscall.Unmount(m, syscall.MNT_DETACH)
	}
}

// resolvers are this machine's DNS resolvers that another machine can
// reach (IPv4, not loopback).
func resolvers() []string {
	var out []string
	b, err := os.ReadFile("/etc/resolv.conf")
	if err != nil {
		return nil
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) >= 2 && f[0] == "nameserver" {
			if ip := net.ParseIP(f[1]); ip != nil && ip.To4() != nil && !ip.IsLoopback() {
				out = append(out, f[1])
			}
		}
	}
	return out
}

// lookPathIn finds a program on the PATH of env (the machine's processes'
// environment, the engine's own folder first).
func lookPathIn(env []string, name string) (string, error) {
	for _, kv := range slices.Backward(env) {
		if path, ok := strings.CutPrefix(kv, "PATH="); ok {
			for _, dir := range filepath.SplitList(path) {
				p := filepath.Join(dir, name)
				if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
					return p, nil
				}
			}
			break
		}
	}
	return "", exec.ErrNotFound
}
