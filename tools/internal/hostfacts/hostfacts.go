// Package hostfacts is what a page's output can depend on besides the page
// itself: facts about the machine behind the Docker daemon that differ
// between two machines running the same engine (kernel release, host name,
// host OS, the daemon's data root, CPU count, memory) and the facts that
// change what the engine does (storage driver, cgroup version,
// architecture).
//
// The facts are read once per run from the daemon's /info and play two
// parts. Each capture records them (labrun.json), and the incremental key
// includes the ones that change behaviour, so that a page is re-run on a
// machine where they differ. And the comparison replaces the values that
// merely identify a machine with a placeholder on each side, with that
// side's own facts: the page keeps showing the real value the capture
// machine printed, while verify on any other machine compares by meaning.
package hostfacts

import (
	"fmt"

	"github.com/docker/docker/api/types/system"
)

// Facts of one daemon's machine. The JSON names are the record's.
type Facts struct {
	Kernel        string `json:"kernel"`         // uname -r, as every container sees it
	OS            string `json:"os"`             // the host's OS as the daemon names it
	Arch          string `json:"arch"`           // x86_64, aarch64
	Hostname      string `json:"hostname"`       // the daemon host's name
	DockerRoot    string `json:"docker_root"`    // the daemon's data root
	StorageDriver string `json:"storage_driver"` // overlay2, vfs, overlayfs (containerd)
	CgroupVersion string `json:"cgroup_version"` // 1 or 2
	CPUs          int    `json:"cpus"`
	Memory        int64  `json:"memory"` // bytes
}

// FromInfo takes the facts from a daemon's /info answer.
func FromInfo(i system.Info) Facts {
	return Facts{
		Kernel:        i.KernelVersion,
		OS:            i.OperatingSystem,
		Arch:          i.Architecture,
		Hostname:      i.Name,
		DockerRoot:    i.DockerRootDir,
		StorageDriver: i.Driver,
		CgroupVersion: i.CgroupVersion,
		CPUs:          i.NCPU,
		Memory:        i.MemTotal,
	}
}

// Key is the part of the incremental capture key: the facts whose change
// can change a page's output. A page captured under another key is run
// again. CPU count and memory are left out: they show only as numbers the
// comparison ignores, and a machine with more memory is not a new reality.
func (f Facts) Key() string {
	return fmt.Sprintf("kernel=%s os=%s arch=%s driver=%s cgroup=%s", f.Kernel, f.OS, f.Arch, f.StorageDriver, f.CgroupVersion)
}

// Placeholder kinds for values that identify a machine: normalised text
// shows them as <kernel>, <hostname>, <docker-root>.
const (
	KernelLabel     = "kernel"
	HostnameLabel   = "hostname"
	DockerRootLabel = "docker-root"
)

// Value is one machine-identifying value and the placeholder kind it
// becomes in normalised text.
type Value struct {
	Label string
	Text  string
}

// Identifying lists the values that only say which machine this is, for the
// comparison to replace wherever they stand: the kernel release (every
// container's uname shows the host's), the data root (paths in docker
// inspect) and the host name. Empty values are left out, and so is a host
// name shorter than three characters, which is too likely to be a word of
// its own in output. The host OS is not here: a container of the same
// distribution prints the same name, and on another host that is no
// machine fact. CPU count and memory show only in docker info's own fields,
// which the normaliser knows by context.
func (f Facts) Identifying() []Value {
	var out []Value
	add := func(label, text string, ok bool) {
		if text != "" && ok {
			out = append(out, Value{label, text})
		}
	}
	add(KernelLabel, f.Kernel, true)
	add(DockerRootLabel, f.DockerRoot, f.DockerRoot != "/")
	add(HostnameLabel, f.Hostname, len(f.Hostname) >= 3)
	return out
}
