package site

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/labdocs/dockerlab/tools/internal/linkcheck"
	"github.com/labdocs/dockerlab/tools/internal/vnu"
)

// Every link, stylesheet, script and image of the built course points at a
// file of the site, every #fragment at an id of its page, and no page
// gives an id twice: the site works from any sub-path and from file://.
func TestLinksAndAnchors(t *testing.T) {
	t.Parallel()
	s := buildRealSite(t)
	problems, err := linkcheck.Check(filepath.Join(s.dir, "public"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("public/%s", p)
	}
}

// Every HTML page of the built course is valid HTML for the W3C Nu Html
// Checker: all templates (home, sections, pages, print documents, 404,
// status) and the pages a lab serves with nginx.
func TestHTMLValid(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("HTML validation skipped in -short mode")
	}
	jar, err := vnu.Jar(repoRoot(t))
	if errors.Is(err, vnu.ErrNotInstalled) && os.Getenv("CI") == "" {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	s := buildRealSite(t)
	public := filepath.Join(s.dir, "public")
	var files []string
	err = filepath.WalkDir(public, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".html") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 20 {
		t.Fatalf("only %d HTML files in the built site", len(files))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	msgs, err := vnu.Check(ctx, jar, files)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		rel, _ := filepath.Rel(s.dir, m.File)
		m.File = rel
		t.Errorf("%s", m)
	}
	t.Logf("%d HTML files checked", len(files))
}
