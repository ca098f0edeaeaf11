// Package images provisions the lab's Docker images (debian, nginx, node,
// redis, registry, busybox) under the names a reader types. This machine
// pulls nothing from the internet, so every image can be built from a
// recipe in tools/images/<name>/; the host's ledger (package ledger)
// records each image's recipe hash, so that unchanged images are never
// rebuilt, and the images carry nothing the official ones do not.
package images

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// hashFormat is mixed into every recipe hash; bump it when the way images
// are built from recipes changes (e.g. the debootstrap steps in Go), so
// that all images are rebuilt.
const hashFormat = "labdocs-recipe-v1"

// Recipe is one folder tools/images/<name>/ with a recipe.json.
type Recipe struct {
	Name string `json:"-"`
	Dir  string `json:"-"` // absolute path of the folder
	// overlayDir holds the rootfs/ and finalize.sh a debootstrap recipe
	// uses: Dir, or its Like recipe's folder.
	overlayDir string

	About string   `json:"about"`
	Tags  []string `json:"tags"` // unprefixed; Tags[0] is the primary tag
	// From maps a Dockerfile build argument to the recipe whose image it
	// names, e.g. {"BASE": "debian"} for `ARG BASE` / `FROM ${BASE}`.
	From        map[string]string `json:"from"`
	Debootstrap *Debootstrap      `json:"debootstrap"`
	GoBuild     []GoBuild         `json:"gobuild"`
	NPM         []NPMPackage      `json:"npm"`
}

// Debootstrap describes a base image whose root file system is
// bootstrapped on the host. The recipe folder may hold rootfs/ (copied
// over the tree) and finalize.sh (run chrooted into it); the tree goes into
// the build context as rootfs.tar.xz, for the recipe's Dockerfile to ADD,
// as Debian's official images are made.
type Debootstrap struct {
	Suite   string `json:"suite"`
	Variant string `json:"variant"`
	// Like names another debootstrap recipe whose rootfs/ and
	// finalize.sh this one uses (and hashes) instead of its own: the
	// same making of another suite.
	Like string `json:"like,omitempty"`
}

// RootfsArchive is the name of the bootstrapped tree in the build context.
const RootfsArchive = "rootfs.tar.xz"

// ParityFile, in a recipe folder, describes the official image the recipe
// stands in for and where the two differ (the site's images page and the
// parity test read it). It is neither hashed nor sent to the daemon.
const ParityFile = "parity.json"

// GoBuild is a static Go binary compiled on the host into the build context.
type GoBuild struct {
	Dir           string `json:"dir"`     // module folder, relative to the repo root
	Package       string `json:"package"` // package to build
	Output        string `json:"output"`  // file name in the build context
	VersionVar    string `json:"versionvar,omitempty"`
	VersionModule string `json:"versionmodule,omitempty"`
}

// Catalog is the set of recipes with their dependency order and hashes.
type Catalog struct {
	RepoRoot string // repository root; GoBuild dirs are relative to it
	Dir      string // recipes folder, normally <RepoRoot>/tools/images
	recipes  map[string]*Recipe
	order    []string // dependencies first
	hashes   map[string]string
}

// DefaultRecipesDir is where the repository keeps its recipes.
func DefaultRecipesDir(repoRoot string) string {
	return filepath.Join(repoRoot, "tools", "images")
}

// FindRepoRoot walks up from the working directory to the go.mod of
// github.com/labdocs/dockerlab.
func FindRepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if f, err := os.Open(filepath.Join(dir, "go.mod")); err == nil {
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				if strings.TrimSpace(sc.Text()) == "module github.com/labdocs/dockerlab" {
					f.Close()
					return dir, nil
				}
			}
			f.Close()
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("not inside the dockerlab repository (no go.mod of github.com/labdocs/dockerlab above the working directory)")
		}
		dir = parent
	}
}

// LoadCatalog reads every <dir>/<name>/recipe.json and computes hashes.
func LoadCatalog(repoRoot, dir string) (*Catalog, error) {
	c := &Catalog{RepoRoot: repoRoot, Dir: dir, recipes: map[string]*Recipe{}, hashes: map[string]string{}}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read recipes: %w", err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		p := filepath.Join(dir, e.Name(), "recipe.json")
		b, err := os.ReadFile(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		r := &Recipe{Name: e.Name(), Dir: filepath.Join(dir, e.Name())}
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(r); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if err := r.validate(); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		c.recipes[r.Name] = r
	}
	if len(c.recipes) == 0 {
		return nil, fmt.Errorf("no recipes (*/recipe.json) in %s", dir)
	}
	for _, r := range c.recipes {
		if err := c.resolveLike(r); err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(r.Dir, "recipe.json"), err)
		}
	}
	if err := c.sort(); err != nil {
		return nil, err
	}
	for _, n := range c.order {
		h, err := c.hash(c.recipes[n])
		if err != nil {
			return nil, fmt.Errorf("hash recipe %s: %w", n, err)
		}
		c.hashes[n] = h
	}
	return c, nil
}

func (r *Recipe) validate() error {
	if len(r.Tags) == 0 {
		return errors.New("no tags")
	}
	for _, t := range r.Tags {
		if repo, tag := splitTag(t); repo == "" || tag == "" {
			return fmt.Errorf("tag %q is not repository:tag", t)
		}
	}
	if r.Debootstrap != nil {
		if len(r.From) > 0 || len(r.GoBuild) > 0 {
			return errors.New("a debootstrap recipe has no from or gobuild")
		}
		if r.Debootstrap.Suite == "" {
			return errors.New("debootstrap.suite is empty")
		}
	}
	for _, n := range r.NPM {
		if err := n.validate(); err != nil {
			return err
		}
	}
	if _, err := os.Stat(filepath.Join(r.Dir, "Dockerfile")); err != nil {
		return errors.New("no Dockerfile")
	}
	return nil
}

// resolveLike sets where r's rootfs/ and finalize.sh are.
func (c *Catalog) resolveLike(r *Recipe) error {
	r.overlayDir = r.Dir
	if r.Debootstrap == nil || r.Debootstrap.Like == "" {
		return nil
	}
	like, ok := c.recipes[r.Debootstrap.Like]
	switch {
	case !ok || like.Debootstrap == nil:
		return fmt.Errorf("debootstrap.like %q is not a debootstrap recipe", r.Debootstrap.Like)
	case like.Debootstrap.Like != "":
		return fmt.Errorf("debootstrap.like %q is itself like %q: name that one", r.Debootstrap.Like, like.Debootstrap.Like)
	}
	for _, own := range []string{"rootfs", "finalize.sh"} {
		if _, err := os.Lstat(filepath.Join(r.Dir, own)); err == nil {
			return fmt.Errorf("has a %s of its own and debootstrap.like %q: keep one", own, r.Debootstrap.Like)
		}
	}
	r.overlayDir = like.Dir
	return nil
}

// sort orders recipes so that each comes after those it is built FROM.
func (c *Catalog) sort() error {
	names := make([]string, 0, len(c.recipes))
	for n := range c.recipes {
		names = append(names, n)
	}
	sort.Strings(names)
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(n string, path []string) error
	visit = func(n string, path []string) error {
		switch state[n] {
		case 1:
			return fmt.Errorf("recipes build FROM each other in a cycle: %s", strings.Join(append(path, n), " -> "))
		case 2:
			return nil
		}
		r, ok := c.recipes[n]
		if !ok {
			return fmt.Errorf("recipe %s is built FROM %q, which has no recipe", path[len(path)-1], n)
		}
		state[n] = 1
		for _, d := range r.deps() {
			if err := visit(d, append(path, n)); err != nil {
				return err
			}
		}
		state[n] = 2
		c.order = append(c.order, n)
		return nil
	}
	for _, n := range names {
		if err := visit(n, nil); err != nil {
			return err
		}
	}
	return nil
}

// deps are the recipes r is built FROM, sorted.
func (r *Recipe) deps() []string {
	var ds []string
	seen := map[string]bool{}
	for _, d := range r.From {
		if !seen[d] {
			seen[d] = true
			ds = append(ds, d)
		}
	}
	sort.Strings(ds)
	return ds
}

// hash covers every file of the recipe folder, the go.mod/go.sum of the
// modules it compiles, and the hashes of the recipes it is built FROM: a
// changed base therefore changes the hash of everything built on it.
func (c *Catalog) hash(r *Recipe) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n", hashFormat)
	err := hashTree(h, r.Dir, "", func(rel string) bool {
		// What the official image does is data about the recipe, not
		// part of it: editing it rebuilds nothing.
		return rel != ParityFile
	})
	if err == nil && r.overlayDir != r.Dir {
		err = hashTree(h, r.overlayDir, "like/", func(rel string) bool {
			return rel == "." || rel == "finalize.sh" || rel == "rootfs" || strings.HasPrefix(rel, "rootfs/")
		})
	}
	if err != nil {
		return "", err
	}
	for _, g := range r.GoBuild {
		for _, f := range []string{"go.mod", "go.sum"} {
			sum, err := fileSHA(filepath.Join(c.RepoRoot, g.Dir, f))
			if err != nil {
				return "", fmt.Errorf("gobuild %s: %w", g.Dir, err)
			}
			fmt.Fprintf(h, "gomod %s/%s %s\n", g.Dir, f, sum)
		}
	}
	args := make([]string, 0, len(r.From))
	for a := range r.From {
		args = append(args, a)
	}
	sort.Strings(args)
	for _, a := range args {
		fmt.Fprintf(h, "from %s %s\n", a, c.hashes[r.From[a]])
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// hashTree writes to h each entry of the tree at dir that keep takes
// (by its slash path relative to dir), named with prefix: folders, links
// with their targets, files with their exec bit and content hash.
func hashTree(h io.Writer, dir, prefix string, keep func(rel string) bool) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if !keep(rel) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			fmt.Fprintf(h, "dir %s%s\n", prefix, rel)
		case info.Mode()&fs.ModeSymlink != 0:
			t, err := os.Readlink(p)
			if err != nil {
				return err
			}
			fmt.Fprintf(h, "link %s%s %s\n", prefix, rel, t)
		case info.Mode().IsRegular():
			sum, err := fileSHA(p)
			if err != nil {
				return err
			}
			// The exec bit matters: it is copied into images.
			fmt.Fprintf(h, "file %s%s %o %s\n", prefix, rel, info.Mode().Perm()&0o111, sum)
		}
		return nil
	})
}

func fileSHA(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Names lists the recipes with dependencies first.
func (c *Catalog) Names() []string { return append([]string(nil), c.order...) }

// Recipe returns the named recipe or nil.
func (c *Catalog) Recipe(name string) *Recipe { return c.recipes[name] }

// Hash is the recipe hash the ledger must give the image of name for it
// to be current.
func (c *Catalog) Hash(name string) string { return c.hashes[name] }

// Suite is the Debian suite the image of name is built on: that of the
// debootstrap recipe it is, or is built FROM; "" for none (FROM scratch).
func (c *Catalog) Suite(name string) string {
	r := c.recipes[name]
	if r == nil {
		return ""
	}
	if r.Debootstrap != nil {
		return r.Debootstrap.Suite
	}
	for _, d := range r.deps() {
		if s := c.Suite(d); s != "" {
			return s
		}
	}
	return ""
}

// Closure returns names plus everything they are built FROM, in build
// order. No names means all recipes.
func (c *Catalog) Closure(names []string) ([]string, error) {
	if len(names) == 0 {
		return c.Names(), nil
	}
	want := map[string]bool{}
	var add func(n string) error
	add = func(n string) error {
		r, ok := c.recipes[n]
		if !ok {
			return fmt.Errorf("no recipe %q (have: %s)", n, strings.Join(c.order, ", "))
		}
		if want[n] {
			return nil
		}
		want[n] = true
		for _, d := range r.deps() {
			if err := add(d); err != nil {
				return err
			}
		}
		return nil
	}
	for _, n := range names {
		if err := add(n); err != nil {
			return nil, err
		}
	}
	var out []string
	for _, n := range c.order {
		if want[n] {
			out = append(out, n)
		}
	}
	return out, nil
}

// AllTags lists every lab image name (with prefix), in build order.
func (c *Catalog) AllTags(prefix string) []string {
	var out []string
	for _, n := range c.order {
		out = append(out, c.recipes[n].TagsWith(prefix)...)
	}
	return out
}

// RelDir is the recipe folder as an image's origin names it: relative to
// the repository root when inside it.
func (c *Catalog) RelDir(r *Recipe) string {
	if rel, err := filepath.Rel(c.RepoRoot, r.Dir); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return r.Dir
}

// TagsWith returns the recipe's tags with prefix put before each
// repository name ("nginx:latest" -> "labtest-nginx:latest"); tests use a
// prefix so that they never touch the real lab images.
func (r *Recipe) TagsWith(prefix string) []string {
	out := make([]string, len(r.Tags))
	for i, t := range r.Tags {
		out[i] = prefix + t
	}
	return out
}

func splitTag(t string) (repo, tag string) {
	i := strings.LastIndexByte(t, ':')
	if i < 0 || strings.Contains(t[i:], "/") {
		return t, ""
	}
	return t[:i], t[i+1:]
}

// short abbreviates a hash for humans.
func short(h string) string {
	h = strings.TrimPrefix(h, "sha256:")
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
