//go:build linux

package machine

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/labdocs/dockerlab/tools/internal/daemonlock"
)

// The machines' links to this one: a /30 each, from this range. The
// /24 of 10.253.77 is left out: older copies of the long suite use it.
var linkRange = netip.MustParsePrefix("10.253.80.0/20")

// lockPath is the lock every process starting or sweeping machines
// holds while it chooses an address and builds or removes a link.
var lockPath = filepath.Join(os.TempDir(), "labdocs-machines.lock")

// network makes the machine's network namespace and its veth link to
// this machine on a free /30, and lets it reach what o.Egress names.
func (m *Machine) network(o Options) error {
	f, err := os.OpenFile(lockPath, os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		return err
	}
	defer f.Close() // unlocks
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("lock %s: %w", lockPath, err)
	}
	sweep()
	hostAddr, nsAddr, err := freeLink()
	if err != nil {
		return err
	}
	ns := m.name
	vh, vn := veths(ns)
	if err := run("ip", "netns", "add", ns); err != nil {
		return err
	}
	m.push(func() error { return run("ip", "netns", "del", ns) })
	if err := run("ip", "link", "add", vh, "type", "veth", "peer", "name", vn, "netns", ns); err != nil {
		return err
	}
	m.push(func() error {
		// Gone already if the namespace went first.
		if _, err := net.InterfaceByName(vh); err != nil {
			return nil
		}
		return run("ip", "link", "del", vh)
	})
	for _, args := range [][]string{
		{"addr", "add", hostAddr + "/30", "dev", vh},
		{"link", "set", vh, "up"},
		{"-n", ns, "link", "set", "lo", "up"},
		{"-n", ns, "addr", "add", nsAddr + "/30", "dev", vn},
		{"-n", ns, "link", "set", vn, "up"},
		{"-n", ns, "route", "add", "default", "via", hostAddr},
	} {
		if err := run("ip", args...); err != nil {
			return err
		}
	}
	return m.egress(vh, nsAddr, o)
}

// egress lets the machine (the far side of veth vh) reach TCP ports of
// the egress hosts and this machine's DNS resolvers, and nothing else:
// FORWARD rules for the veth and a MASQUERADE for its address. The
// default daemon's FORWARD policy is DROP; the last rule drops the rest
// even where it is not.
func (m *Machine) egress(vh, nsAddr string, o Options) error {
	var dests []string
	for _, h := range o.Egress.Hosts {
		ips, err := net.LookupIP(h)
		if err != nil {
			return fmt.Errorf("resolving %s, which the machine may reach: %w", h, err)
		}
		n := 0
		for _, ip := range ips {
			if ip.To4() != nil {
				n++
				if !slices.Contains(dests, ip.String()) {
					dests = append(dests, ip.String())
				}
			}
		}
		if n == 0 {
			return fmt.Errorf("%s, which the machine may reach, has no IPv4 address", h)
		}
	}
	dns := resolvers()
	var ports []string
	for _, p := range o.Egress.Ports {
		ports = append(ports, strconv.Itoa(p))
	}
	rules := [][]string{{"-t", "filter", "FORWARD", "-o", vh, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT"}}
	if len(ports) > 0 {
		for _, ip := range dests {
			rules = append(rules, []string{"-t", "filter", "FORWARD", "-i", vh, "-d", ip, "-p", "tcp", "-m", "multiport", "--dports", strings.Join(ports, ","), "-j", "ACCEPT"})
		}
	}
	for _, ip := range dns {
		for _, proto := range []string{"udp", "tcp"} {
			rules = append(rules, []string{"-t", "filter", "FORWARD", "-i", vh, "-d", ip, "-p", proto, "--dport", "53", "-j", "ACCEPT"})
		}
	}
	rules = append(rules, []string{"-t", "filter", "FORWARD", "-i", vh, "-j", "DROP"})
	rules = append(rules, []string{"-t", "nat", "POSTROUTING", "-s", nsAddr + "/32", "!", "-o", vh, "-j", "MASQUERADE"})
	pos := map[string]int{}
	for _, r := range rules {
		table, chain, spec := r[:2], r[2], r[3:]
		spec = append(slices.Clone(spec[:len(spec)-2]), "-m", "comment", "--comment", comment(m.name), spec[len(spec)-2], spec[len(spec)-1])
		pos[chain]++
		// Inserted in order at the top, ahead of the default daemon's
		// rules; they match only this veth or address, so those are
		// untouched.
		ins := append(append(slices.Clone(table), "-I", chain, strconv.Itoa(pos[chain])), spec...)
		if err := run("iptables", ins...); err != nil {
			return err
		}
		del := append(append(slices.Clone(table), "-D", chain), spec...)
		m.push(func() error { return run("iptables", del...) })
	}
	if o.Logf != nil {
		o.Logf("the machine %s may reach %v (tcp %s) and the resolvers %v (53)", m.name, dests, strings.Join(ports, ", "), dns)
	}
	return nil
}

// comment tags the iptables rules of a machine.
func comment(name string) string { return "labdocs-machine:" + name }

// veths are the names of a machine's veth pair: this machine's end and
// the machine's (at most 15 characters: lm, PID, -, N, h).
func veths(name string) (host, inside string) {
	id := strings.TrimPrefix(name, netnsPrefix)
	return "lm" + id + "h", "lm" + id + "n"
}

// freeLink is a /30 of linkRange that no interface of this machine has
// an address in: this machine's address on it and the machine's.
func freeLink() (host, inside string, err error) {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return "", "", err
	}
	var used []netip.Prefix
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok {
			if p, err := netip.ParsePrefix(n.String()); err == nil {
				used = append(used, p.Masked())
			}
		}
	}
	for a := linkRange.Addr(); linkRange.Contains(a); {
		p := netip.PrefixFrom(a, 30)
		free := true
		for _, u := range used {
			if u.Overlaps(p) {
				free = false
				break
			}
		}
		h := a.Next()
		i := h.Next()
		if free {
			return h.String(), i.String(), nil
		}
		a = i.Next().Next()
	}
	return "", "", fmt.Errorf("no free /30 left in %s for another machine's link", linkRange)
}

// sweep removes what machines whose starting process is dead left: the
// processes in their network namespace, the namespace, their veth, their
// iptables rules and their folder. A process killed with SIGKILL could not
// stop its machine. The caller holds the lock.
func sweep() {
	dead := func(name string) bool {
		rest, ok := strings.CutPrefix(name, netnsPrefix)
		if !ok {
			return false
		}
		pidText, _, _ := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if err != nil || pid == os.Getpid() {
			return false
		}
		return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
	}
	out, _ := exec.Command("ip", "netns", "list").Output()
	for _, l := range strings.Split(string(out), "\n") {
		f := strings.Fields(l)
		if len(f) == 0 || !dead(f[0]) {
			continue
		}
		name := f[0]
		pids, _ := exec.Command("ip", "netns", "pids", name).Output()
		for _, p := range strings.Fields(string(pids)) {
			if n, err := strconv.Atoi(p); err == nil {
				syscall.Kill(n, syscall.SIGKILL)
			}
		}
		vh, _ := veths(name)
		exec.Command("ip", "link", "del", vh).Run()
		exec.Command("ip", "netns", "del", name).Run()
	}
	for _, t := range []struct{ table, chain string }{{"filter", "FORWARD"}, {"nat", "POSTROUTING"}} {
		out, _ := exec.Command("iptables", "-t", t.table, "-S", t.chain).Output()
		for _, l := range strings.Split(string(out), "\n") {
			i := strings.Index(l, comment(""))
			if i < 0 {
				continue
			}
			name := l[i+len(comment("")):]
			name = name[:strings.IndexAny(name+" ", `" `)]
			if !dead(name) {
				continue
			}
			args := []string{"-t", t.table}
			for _, w := range strings.Fields(l) {
				args = append(args, strings.Trim(w, `"`))
			}
			if len(args) > 2 && args[2] == "-A" {
				args[2] = "-D"
				exec.Command("iptables", args...).Run()
			}
		}
	}
	dirs, _ := filepath.Glob("/var/tmp/labdocs-machine-*")
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(d, "machine"))
		if err != nil || !dead(strings.TrimSpace(string(b))) {
			continue
		}
		unmountUnder(d)
		os.RemoveAll(d)
		os.Remove(daemonlock.Path(socketHost(d)))
	}
}

func run(name string, args ...string) error {
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		return fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return nil
}
