package images

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/distribution/reference"
	"github.com/docker/docker/api/types/build"
	"github.com/docker/docker/api/types/image"
	"github.com/labdocs/dockerlab/tools/internal/ledger"
)

// build makes the image of r from its recipe and returns its ID and its
// ledger entry.
func (p *provisioner) build(ctx context.Context, r *Recipe, tags []string) (id string, e ledger.Entry, err error) {
	hash := p.cat.Hash(r.Name)
	e = p.entry(r, hash, fmt.Sprintf("built from %s %s", p.cat.RelDir(r), short(hash)))

	extra := map[string]string{} // name in context -> host file
	if r.Debootstrap != nil {
		rootfs, cleanup, err := p.bootstrap(ctx, r)
		if err != nil {
			return "", e, err
		}
		defer cleanup()
		extra[RootfsArchive] = rootfs
	}
	for _, n := range r.NPM {
		f, err := fetchNPM(ctx, n)
		if err != nil {
			return "", e, err
		}
		extra[n.Output] = f
	}
	if len(r.GoBuild) > 0 {
		tmp, err := os.MkdirTemp("", "labimages-"+r.Name+"-")
		if err != nil {
			return "", e, err
		}
		defer os.RemoveAll(tmp)
		for _, g := range r.GoBuild {
			out := filepath.Join(tmp, g.Output)
			if err := p.goBuild(ctx, g, out); err != nil {
				return "", e, err
			}
			extra[g.Output] = out
		}
	}
	args := map[string]*string{}
	for arg, dep := range r.From {
		// The exact tag this run provisioned, so prefixed test runs build
		// on their own bases.
		base := p.cat.Recipe(dep).TagsWith(p.opts.Prefix)[0]
		args[arg] = &base
	}
	id, err = p.dockerBuild(ctx, r.Name, func(w io.Writer) error { return writeContext(w, r.Dir, extra) }, build.ImageBuildOptions{
		Tags:        tags,
		BuildArgs:   args,
		Remove:      true,
		ForceRemove: true,
		Version:     build.BuilderV1,
	})
	return id, e, err
}

// dockerBuild runs one classic-builder build from a tar context. The
// classic builder keeps an image for the end of every stage but the last;
// those it announced in its output (" ---> <id>") and that are dangling
// now but were not before are removed. Images it did not make are never
// considered.
func (p *provisioner) dockerBuild(ctx context.Context, name string, writeCtx func(io.Writer) error, opts build.ImageBuildOptions) (string, error) {
	danglingBefore, beforeErr := p.dangling(ctx)
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(writeCtx(pw)) }()
	resp, err := p.cli.ImageBuild(ctx, pr, opts)
	if err != nil {
		pr.CloseWithError(err)
		return "", fmt.Errorf("start build: %w", err)
	}
	defer resp.Body.Close()
	made := map[string]bool{}
	id, err := readStream(resp.Body, io.MultiWriter(stepIDs(made), orDiscard(p.opts.BuildLog)))
	if err != nil {
		return "", fmt.Errorf("docker build of %s failed: %w", name, err)
	}
	if id == "" && len(opts.Tags) > 0 {
		ii, err := p.cli.ImageInspect(ctx, opts.Tags[0])
		if err != nil {
			return "", err
		}
		id = ii.ID
	}
	if dangling, err := p.dangling(ctx); err == nil && beforeErr == nil {
		for d := range dangling {
			if made[short(d)] && !danglingBefore[d] {
				p.removeUnused(ctx, d)
			}
		}
	}
	return id, nil
}

// stepIDs collects the image IDs the classic builder prints after each
// step (" ---> 3f2a1b2c3d4e").
type stepIDs map[string]bool

func (m stepIDs) Write(b []byte) (int, error) {
	for _, l := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(l), "---> "); ok && len(rest) == 12 && isHex(rest) {
			m[rest] = true
		}
	}
	return len(b), nil
}

func isHex(s string) bool {
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func orDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}

// goBuild compiles a static binary from a module of the repository, with
// the module's pinned version stamped in as its version string.
func (p *provisioner) goBuild(ctx context.Context, g GoBuild, out string) error {
	dir := filepath.Join(p.cat.RepoRoot, g.Dir)
	ldflags := "-s -w"
	if g.VersionVar != "" && g.VersionModule != "" {
		cmd := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Version}}", g.VersionModule)
		cmd.Dir = dir
		v, err := cmd.Output()
		if err != nil {
			return fmt.Errorf("go list -m %s in %s: %w", g.VersionModule, g.Dir, err)
		}
		ldflags += fmt.Sprintf(" -X %s=%s", g.VersionVar, strings.TrimSpace(string(v)))
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags", ldflags, "-o", out, g.Package)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build %s in %s: %w\n%s", g.Package, g.Dir, err, tail(buf.String(), 30))
	}
	return nil
}

// writeContext tars the recipe folder plus extra host files (placed at the
// context root) as a build context. Owners are root and times zero, so the
// same recipe gives the same context.
func writeContext(w io.Writer, dir string, extra map[string]string) error {
	tw := tar.NewWriter(w)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == "." {
			return nil
		}
		return addFile(tw, p, filepath.ToSlash(rel))
	})
	if err != nil {
		return err
	}
	names := make([]string, 0, len(extra))
	for n := range extra {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := addFile(tw, extra[n], n); err != nil {
			return err
		}
	}
	return tw.Close()
}

func addFile(tw *tar.Writer, path, name string) error {
	info, err := os.Lstat(path)
	if err != nil {
		return err
	}
	link := ""
	if info.Mode()&fs.ModeSymlink != 0 {
		if link, err = os.Readlink(path); err != nil {
			return err
		}
	}
	hdr, err := tar.FileInfoHeader(info, link)
	if err != nil {
		return err
	}
	hdr.Name = name
	if info.IsDir() {
		hdr.Name += "/"
	}
	hdr.Uid, hdr.Gid, hdr.Uname, hdr.Gname = 0, 0, "", ""
	hdr.ModTime, hdr.AccessTime, hdr.ChangeTime = time.Unix(0, 0), time.Time{}, time.Time{}
	hdr.Format = tar.FormatPAX
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	if info.Mode().IsRegular() {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(tw, f)
		return err
	}
	return nil
}

// jsonMessage is one line of the daemon's build, pull and import streams.
type jsonMessage struct {
	Stream      string                    `json:"stream"`
	Status      string                    `json:"status"`
	ID          string                    `json:"id"`
	Error       string                    `json:"error"`
	ErrorDetail *struct{ Message string } `json:"errorDetail"`
	Aux         json.RawMessage           `json:"aux"`
}

// readStream consumes a daemon JSON stream, copying text to log. It
// returns the image ID the stream announced (build aux or import status)
// and, on failure, the daemon's error with the output that led to it.
func readStream(r io.Reader, log io.Writer) (string, error) {
	dec := json.NewDecoder(r)
	var last []string // tail of the output, for error reports
	keep := func(s string) {
		for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
			if strings.TrimSpace(l) == "" {
				continue
			}
			last = append(last, l)
			if len(last) > 40 {
				last = last[1:]
			}
		}
	}
	var id string
	for {
		var m jsonMessage
		if err := dec.Decode(&m); err == io.EOF {
			break
		} else if err != nil {
			return id, fmt.Errorf("reading daemon output: %w", err)
		}
		if m.Error != "" || m.ErrorDetail != nil {
			msg := m.Error
			if msg == "" {
				msg = m.ErrorDetail.Message
			}
			if len(last) > 0 {
				return id, fmt.Errorf("%s\n--- last output ---\n%s", strings.TrimSpace(msg), strings.Join(last, "\n"))
			}
			return id, fmt.Errorf("%s", strings.TrimSpace(msg))
		}
		if len(m.Aux) > 0 {
			var aux struct{ ID string }
			if json.Unmarshal(m.Aux, &aux) == nil && aux.ID != "" {
				id = aux.ID
			}
		}
		text := m.Stream
		if text == "" && m.Status != "" {
			text = m.Status
			if m.ID != "" {
				text = m.ID + ": " + text
			}
			text += "\n"
			if strings.HasPrefix(m.Status, "sha256:") && m.ID == "" {
				id = strings.TrimSpace(m.Status) // import answers with the new ID
			}
		}
		if text != "" {
			keep(text)
			if log != nil {
				io.WriteString(log, text)
			}
		}
	}
	return id, nil
}

// sameRef compares image references as the daemon does (nginx is
// library/nginx:latest).
func sameRef(a, b string) bool {
	na, err1 := reference.ParseNormalizedNamed(a)
	nb, err2 := reference.ParseNormalizedNamed(b)
	if err1 != nil || err2 != nil {
		return a == b
	}
	return reference.TagNameOnly(na).String() == reference.TagNameOnly(nb).String()
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// pull fetches the image from the registry (or the mirror) and gives it
// the lab tags; its ledger entry says where it came from.
func (p *provisioner) pull(ctx context.Context, r *Recipe, tags []string) (id string, e ledger.Entry, err error) {
	ref := r.Tags[0]
	if !isDefaultRegistry(p.opts.Registry) {
		ref = strings.TrimSuffix(p.opts.Registry, "/") + "/" + ref
	}
	timeout := p.opts.PullTimeout
	if timeout == 0 {
		timeout = 30 * time.Second
		if p.opts.Policy == PolicyPull {
			timeout = 10 * time.Minute
		}
	}
	_, existErr := p.cli.ImageInspect(ctx, ref)
	existed := existErr == nil
	pctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	rc, err := p.cli.ImagePull(pctx, ref, image.PullOptions{})
	if err != nil {
		return "", e, fmt.Errorf("pull %s: %w", ref, err)
	}
	_, err = readStream(rc, p.opts.BuildLog)
	rc.Close()
	if err != nil {
		return "", e, fmt.Errorf("pull %s: %w", ref, err)
	}
	ii, err := p.cli.ImageInspect(ctx, ref)
	if err != nil {
		return "", e, err
	}
	repo, _ := splitTag(ref)
	digest := ""
	for _, d := range ii.RepoDigests {
		if strings.HasPrefix(d, repo+"@") || digest == "" {
			digest = d
		}
	}
	if digest == "" {
		digest = ref + "@" + ii.ID
	}
	for _, t := range tags {
		if !sameRef(t, ref) {
			if err := p.cli.ImageTag(ctx, ii.ID, t); err != nil {
				return "", e, fmt.Errorf("tag %s: %w", t, err)
			}
		}
	}
	isLabTag := false
	for _, t := range tags {
		isLabTag = isLabTag || sameRef(t, ref)
	}
	if !existed && !isLabTag {
		// The mirror's name was only a means to pull; the lab tags
		// keep the image.
		p.cli.ImageRemove(ctx, ref, image.RemoveOptions{})
	}
	e = p.entry(r, "", "pulled "+digest)
	if k, ok := p.known[ii.ID]; ok && k.Recipe == r.Name && k.Hash != "" {
		// An image this host built and a registry served back: it is
		// still the recipe's build, and current while the recipe is.
		e = k
	}
	return ii.ID, e, nil
}
