package site

import (
	"os"
	"testing"
)

// TestKeepFixture builds the standard fixture site and copies it, public/
// included, to $SITE_FIXTURE_DIR, to look at the result in a browser:
//
//	SITE_FIXTURE_DIR=/tmp/site-fixture go test ./tools/internal/site -run TestKeepFixture
//	go tool hugo server -s /tmp/site-fixture
//
// Skipped unless the variable is set.
func TestKeepFixture(t *testing.T) {
	dir := os.Getenv("SITE_FIXTURE_DIR")
	if dir == "" {
		t.Skip("SITE_FIXTURE_DIR not set")
	}
	s := standardSite(t)
	s.mustBuild()
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	copyTree(t, s.dir, dir)
	t.Logf("fixture site in %s", dir)
}
