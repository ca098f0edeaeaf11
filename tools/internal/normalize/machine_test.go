package normalize

import (
	"slices"
	"testing"
)

// machine is what the comparison knows about one side's machine.
type machine struct{ kernel, root, host string }

func (m machine) normalizer() *Normalizer {
	n := New()
	n.Known("kernel", m.kernel)
	n.Known("docker-root", m.root)
	n.Known("hostname", m.host)
	return n
}

// Kernel releases, data roots and host names as real systems print them.
var machines = []machine{
	{"6.18.44-fc-v657", "/var/lib/docker", "vm-capture"},
	{"6.18.44-fc-v1272", "/var/tmp/labrun-d2-123/data", "labd2-host"},
	{"6.8.0-1017-azure", "/var/lib/docker", "fv-az1234-567"},
	{"5.15.0-1057-aws", "/var/lib/docker", "ip-10-0-1-23"},
	{"6.10.14-linuxkit", "/var/lib/docker", "docker-desktop"},
	{"6.1.0-28-amd64", "/srv/docker", "laptop"},
	{"5.14.0-427.13.1.el9_4.x86_64", "/var/lib/docker", "rhel9.example"},
	{"6.6.32-0-virt", "/var/lib/docker", "alpine-ci"},
	{"4.19.0-26-cloud-amd64+", "/var/lib/docker", "buster-box"},
}

// transcript prints the machine facts the way the lab's pages show them.
func (m machine) transcript() []string {
	return []string{
		"$ uname -r",
		m.kernel,
		"$ docker run --rm debian uname -a",
		"Linux 3f4e8c1a9b2d " + m.kernel + " #1 SMP PREEMPT_DYNAMIC x86_64 GNU/Linux",
		"$ docker info --format 'Kernel:          {{.KernelVersion}}'",
		"Kernel:          " + m.kernel,
		"$ docker info --format '{{.Name}} {{.NCPU}}'",
		m.host + " 2",
		` CPUs: 4`,
		` "NCPU": 8,`,
		` "MemTotal": 25217466368,`,
		`        "HostnamePath": "` + m.root + `/containers/` + cid + `/hostname",`,
		`                "LowerDir": "` + m.root + `/overlay2/` + layer + `-init/diff:` + m.root + `/overlay2/` + dgst + `/diff",`,
		"Docker Root Dir: " + m.root,
		" Name: " + m.host,
	}
}

func TestMachineFactsCompareEqual(t *testing.T) {
	for _, a := range machines {
		for _, b := range machines {
			want := a.normalizer().Lines(a.transcript(), nil)
			got := b.normalizer().Lines(b.transcript(), nil)
			if !slices.Equal(want, got) {
				t.Errorf("captured on %s, verified on %s:\nwant %q\ngot  %q", a.kernel, b.kernel, want, got)
			}
		}
	}
	// The facts become placeholders, not something else that happens to
	// be equal.
	got := machines[0].normalizer().Lines([]string{"6.18.44-fc-v657", "Docker Root Dir: /var/lib/docker", "vm-capture up"}, nil)
	if want := []string{"<kernel>", "Docker Root Dir: <docker-root>", "<hostname> up"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// A real change still drifts: the machine facts hide only themselves.
func TestMachineFactsHideNothingElse(t *testing.T) {
	a, b := machines[0], machines[2]
	tests := []struct{ captured, now []string }{
		{[]string{"hello " + a.kernel}, []string{"goodbye " + b.kernel}},
		{[]string{a.kernel, "second line"}, []string{b.kernel}},
		{[]string{a.root + "/volumes/data/_data"}, []string{b.root + "/volumes/other/_data"}},
		// A kernel release inside a longer token is not the fact.
		{[]string{"v" + a.kernel}, []string{"v" + b.kernel}},
		{[]string{"Debian GNU/Linux 12 (bookworm)"}, []string{"Debian GNU/Linux 13 (trixie)"}},
		{[]string{"Total Memory: 2GiB", "CPUs: 2"}, []string{"Total Memory: 2GiB", "Cores: 2"}},
	}
	for _, tc := range tests {
		want := a.normalizer().Lines(tc.captured, nil)
		got := b.normalizer().Lines(tc.now, nil)
		if slices.Equal(want, got) {
			t.Errorf("%q and %q compare equal: %q", tc.captured, tc.now, want)
		}
	}
}

// A value that contains another one is replaced whole.
func TestKnownLongestFirst(t *testing.T) {
	n := New()
	n.Known("hostname", "lab")
	n.Known("docker-root", "/lab/docker")
	got := n.Line("root: /lab/docker/volumes on lab", nil)
	if want := "root: <docker-root>/volumes on <hostname>"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if again := n.Line(got, nil); again != got {
		t.Errorf("not idempotent: %q then %q", got, again)
	}
}

// ps pads its PID column to the digits of pid_max: 32768 on one machine,
// 4194304 on another. Nested indentation still counts.
func TestPIDPaddingIsAMachineFact(t *testing.T) {
	small := []string{"  PID COMMAND", "    1 bash", "  PID  PPID USER     COMMAND", "27181 27160 root     sleep"}
	large := []string{"    PID COMMAND", "      1 bash", "    PID    PPID USER     COMMAND", "  27181   27160 root     sleep"}
	if a, b := New().Lines(small, nil), New().Lines(large, nil); !slices.Equal(a, b) {
		t.Errorf("pid_max padding drifts:\n%q\n%q", a, b)
	}
	nested := []string{"{", `    "a": {`, `        "b": 1`}
	flat := []string{"{", `    "a": {`, `    "b": 1`}
	if a, b := New().Lines(nested, nil), New().Lines(flat, nil); slices.Equal(a, b) {
		t.Errorf("nesting no longer compared: %q", a)
	}
}
