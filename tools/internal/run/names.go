package run

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labdocs/dockerlab/tools/internal/bundle"

	"github.com/labdocs/dockerlab/tools/internal/blocks"
	"github.com/labdocs/dockerlab/tools/internal/cmdline"
	"github.com/labdocs/dockerlab/tools/internal/inventory"
)

// A Name is a Docker object or a host resource that a page creates or
// takes, read from its commands and its bundle's files. The runner checks
// them against the user's objects before a page runs, and the scheduler
// keeps pages with a common name from running at once.
type Name struct {
	Kind  string // container, network, volume, image, project, port
	Value string
	// Line is the command that names it: for what a Compose file names,
	// the page's first docker compose command; 0 when there is none
	// (and for a Compose file's ports).
	Line int
}

// Names lists what page p creates or takes. Its work folder's name is
// always a project name: it is Compose's default.
//
// Command lines are read with a shell parser (package cmdline): each
// docker call's flags as the docker CLI reads them, so that a container's
// own command (docker run debian sh -c '…') is never taken for docker's
// flags. Compose files are read as YAML.
func Names(p *blocks.Page) []Name {
	var out []Name
	seen := map[Name]bool{}
	add := func(kind, value string, line int) {
		n := Name{kind, value, line}
		if value != "" && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	add("project", bundle.Of(p.Path).WorkName(), 0)
	composeLine := 0
	read := func(cmds []cmdline.Command, line int) {
		for _, cmd := range cmds {
			call, ok := cmdline.DockerCall(cmd)
			if !ok {
				hostNames(cmd, func(kind, value string) { add(kind, value, line) })
				continue
			}
			if composeLine == 0 && line > 0 && strings.HasPrefix(call.Cmd, "compose") {
				composeLine = line
			}
			dockerNames(call, func(kind, value string) { add(kind, value, line) })
		}
	}
	for _, c := range commands(p) {
		if cmds, err := cmdline.Parse(c.Text); err == nil { // not shell: nothing to read
			read(cmds, c.Line)
		}
	}
	// The bundle's files and the page's file blocks: a Compose file names
	// its project and objects, and publishes ports; a script's docker
	// commands are read as the page's.
	files := pageFiles(p)
	for _, f := range files {
		if cmds, ok := script(f); ok {
			read(cmds, 0)
		}
	}
	for _, file := range files {
		f, ok := readCompose(file.text)
		if !ok {
			continue
		}
		if validName(f.Name) {
			add("project", f.Name, composeLine)
		}
		for _, name := range sortedKeys(f.Services) {
			s := f.Services[name]
			if validName(s.ContainerName) {
				add("container", s.ContainerName, composeLine)
			}
			if s.Build != nil && s.Image != "" {
				add("image", inventory.Repo(s.Image), composeLine)
			}
		}
		for _, name := range sortedKeys(f.Volumes) {
			if v := f.Volumes[name]; v != nil && !v.external() && validName(v.Name) {
				add("volume", v.Name, composeLine)
			}
		}
		for _, name := range sortedKeys(f.Networks) {
			if n := f.Networks[name]; n != nil && !n.external() && validName(n.Name) {
				add("network", n.Name, composeLine)
			}
		}
		for _, port := range f.hostPorts() {
			add("port", port, 0)
		}
	}
	return out
}

// commands are the commands of the page's console blocks.
func commands(p *blocks.Page) []blocks.Command {
	var out []blocks.Command
	for _, b := range p.Blocks {
		if b.Kind == blocks.Console {
			out = append(out, b.Commands...)
		}
	}
	return out
}

// A file is one of the page's file blocks or a file of its bundle.
type file struct{ name, text string }

// pageFiles are the page's file blocks and its bundle's files.
func pageFiles(p *blocks.Page) []file {
	var out []file
	for _, b := range p.Blocks {
		if b.Kind == blocks.File {
			out = append(out, file{b.Opts.File, b.Text})
		}
	}
	// A bundle that cannot be read fails the page when its work folder
	// is prepared; the names it would add are not needed before that.
	files, _ := bundle.Of(p.Path).Files()
	for _, f := range files {
		out = append(out, file{f.Rel, string(f.Data)})
	}
	return out
}

// script reads f as a shell script, if it is one: named *.sh, or with a
// #! line naming a shell.
func script(f file) ([]cmdline.Command, bool) {
	first, _, _ := strings.Cut(f.text, "\n")
	isScript := strings.HasSuffix(f.name, ".sh")
	if rest, ok := strings.CutPrefix(first, "#!"); ok {
		for _, w := range strings.Fields(rest) {
			isScript = isScript || cmdline.IsShell(w)
		}
	}
	if !isScript {
		return nil, false
	}
	cmds, err := cmdline.Parse(f.text)
	return cmds, err == nil
}

// dockerNames reports what one docker call creates or takes.
func dockerNames(c cmdline.Call, add func(kind, value string)) {
	if c.Help {
		return
	}
	for _, h := range c.Values("H", "host") { // a daemon on a host port
		add("port", localPort(h))
	}
	if v, ok := c.Env["COMPOSE_PROJECT_NAME"]; ok && strings.HasPrefix(c.Cmd, "compose") && validName(v) {
		add("project", v)
	}
	switch c.Cmd {
	case "run", "create", "compose run":
		for _, v := range c.Values("name") {
			if validName(v) {
				add("container", v)
			}
		}
		for _, v := range c.OwnValues("p", "publish") {
			for _, port := range publishedPorts(v) {
				add("port", port)
			}
		}
		if c.Cmd == "compose run" {
			break
		}
		for _, v := range c.Values("v", "volume") {
			if src, _, ok := strings.Cut(v, ":"); ok && validName(src) {
				add("volume", src)
			}
		}
		for _, v := range c.Values("mount") {
			add("volume", mountVolume(v))
		}
	case "network create":
		if validName(c.Arg(0)) {
			add("network", c.Arg(0))
		}
	case "volume create":
		for _, v := range append(c.Values("name"), c.Arg(0)) {
			if validName(v) {
				add("volume", v)
			}
		}
	case "build":
		for _, v := range c.Values("t", "tag") {
			add("image", imageRepo(v))
		}
	case "commit", "tag":
		add("image", imageRepo(c.Arg(1)))
	case "push", "pull", "login":
		// A registry on this machine: docker connects to its host port.
		add("port", localPort(c.Arg(0)))
	}
	if strings.HasPrefix(c.Cmd, "compose") {
		projects := c.Values("p", "project-name")
		if c.Cmd == "compose run" { // after run, -p publishes a port
			projects = append(c.GlobalValues("p"), c.Values("project-name")...)
		}
		for _, v := range projects {
			if validName(v) {
				add("project", v)
			}
		}
	}
}

// hostNames reports what a command other than docker takes: a host port
// it connects to (curl localhost:8080), a container it creates through
// the Engine API (curl …/containers/create?name=x).
func hostNames(c cmdline.Command, add func(kind, value string)) {
	for i, a := range c.Args {
		if i == 0 || !a.Lit {
			continue
		}
		add("port", localPort(a.Text))
		if _, query, ok := strings.Cut(a.Text, "/containers/create?"); ok {
			if q, err := url.ParseQuery(query); err == nil && validName(q.Get("name")) {
				add("container", q.Get("name"))
			}
		}
	}
}

// validName is a name docker accepts for a container, network or volume,
// and Compose for a project.
func validName(s string) bool {
	if s == "" || !isAlnum(s[0]) {
		return false
	}
	for i := range len(s) {
		if !isAlnum(s[i]) && !strings.ContainsRune("_.-", rune(s[i])) {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// imageRepo is the repository of an image reference (tag and digest
// off): localhost:5000/netcat:1.0 is localhost:5000/netcat.
func imageRepo(ref string) string {
	ref, _, _ = strings.Cut(ref, "@")
	if strings.ContainsAny(ref, " \t\n$`'\"|&;<>") {
		return ""
	}
	return inventory.Repo(ref)
}

// localPort is the port of this machine that s names, "" if none:
// localhost:8080, http://127.0.0.1:8080/x, localhost:5000/netcat,
// tcp://localhost:2375.
func localPort(s string) string {
	for _, host := range []string{"localhost:", "127.0.0.1:"} {
		i := strings.Index(s, host)
		if i < 0 || i > 0 && !strings.ContainsRune("/@", rune(s[i-1])) {
			continue
		}
		digits := s[i+len(host):]
		n := 0
		for n < len(digits) && '0' <= digits[n] && digits[n] <= '9' {
			n++
		}
		if n >= 2 && n <= 5 && (n == len(digits) || strings.ContainsRune("/?#", rune(digits[n]))) {
			return digits[:n]
		}
	}
	return ""
}

// publishedPorts are the host ports of a publish spec,
// [ip:][hostPort:]containerPort[/protocol]: none when only the
// container's port is given (the host's is then random).
func publishedPorts(spec string) []string {
	spec, _, _ = strings.Cut(spec, "/")
	i := strings.LastIndex(spec, ":")
	if i < 0 {
		return nil
	}
	host := spec[:i]
	if j := strings.LastIndex(host, ":"); j >= 0 {
		host = host[j+1:] // after the IP address ([::1]:8080 too)
	}
	return portRange(host)
}

// portRange reads a port (8080) or a range (8080-8082) as the ports in it.
func portRange(s string) []string {
	lo, hi, isRange := strings.Cut(s, "-")
	if !isRange {
		hi = lo
	}
	a, err1 := strconv.Atoi(lo)
	b, err2 := strconv.Atoi(hi)
	if err1 != nil || err2 != nil || a <= 0 || b < a || b > 65535 || b-a > 1000 {
		return nil
	}
	var out []string
	for p := a; p <= b; p++ {
		out = append(out, strconv.Itoa(p))
	}
	return out
}

// mountVolume is the volume a --mount spec names (type=volume, the
// default, with a source), "" for a bind or tmpfs mount.
func mountVolume(spec string) string {
	typ, src := "volume", ""
	for _, kv := range strings.Split(spec, ",") {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "type":
			typ = v
		case "source", "src":
			src = v
		}
	}
	if typ != "volume" || !validName(src) {
		return ""
	}
	return src
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// checkNames stops a page whose names (Names(p)) clash with objects it did
// not make.
func checkNames(p *blocks.Page, names []Name, s inventory.Snapshot) error {
	has := func(m map[string]string, name string) bool {
		for _, v := range m {
			if v == name {
				return true
			}
		}
		return false
	}
	var errs []error
	clash := func(line int, kind, name, fix string) {
		errs = append(errs, fmt.Errorf("%s:%d: the page creates %s %q, but one of that name exists already and is not the page's: %s (nothing was run) %w",
			p.Path, line, kind, name, fix, ErrConflict))
	}
	usesCompose := false
	for _, n := range names {
		usesCompose = usesCompose || (n.Kind == "project" && n.Line > 0)
	}
	for _, n := range names {
		switch n.Kind {
		case "container":
			if has(s.Containers, n.Value) {
				clash(n.Line, "container", n.Value, "remove or rename it (docker rm -f "+n.Value+")")
			}
		case "network":
			if has(s.Networks, n.Value) {
				clash(n.Line, "network", n.Value, "remove it (docker network rm "+n.Value+")")
			}
		case "volume":
			if has(s.Volumes, n.Value) {
				clash(n.Line, "volume", n.Value, "remove it (docker volume rm "+n.Value+")")
			}
		case "project":
			if !usesCompose {
				continue
			}
			line := n.Line
			if line == 0 {
				for _, m := range names {
					if m.Kind == "project" && m.Line > 0 {
						line = m.Line
					}
				}
			}
			for kind, m := range map[string]map[string]string{"container": s.Containers, "network": s.Networks, "volume": s.Volumes} {
				for _, v := range m {
					if strings.HasPrefix(v, n.Value+"-") || strings.HasPrefix(v, n.Value+"_") {
						clash(line, kind, v, "it belongs to a Compose project named "+n.Value+"; remove it (docker compose -p "+n.Value+" down -v)")
					}
				}
			}
		}
	}
	return errors.Join(errs...)
}
