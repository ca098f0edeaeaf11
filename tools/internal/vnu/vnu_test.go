package vnu

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"
)

func jar(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	j, err := Jar(filepath.Join(filepath.Dir(file), "..", "..", ".."))
	if errors.Is(err, ErrNotInstalled) && os.Getenv("CI") == "" {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// The real checker finds the real errors of a broken page, with their
// lines, and nothing in a valid one.
func TestCheck(t *testing.T) {
	j := jar(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.html")
	bad := filepath.Join(dir, "bad.html")
	os.WriteFile(good, []byte("<!doctype html>\n<html lang=en><head><title>ok</title></head><body><p>fine</p></body></html>\n"), 0o644)
	os.WriteFile(bad, []byte("<!doctype html>\n<html lang=en><head><title>bad</title></head><body>\n<p><div>x</div></p>\n<span id=a></span><span id=a></span>\n</body></html>\n"), 0o644)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	msgs, err := Check(ctx, j, []string{good, bad})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range msgs {
		got = append(got, m.String())
	}
	want := []string{
		bad + ":3:16: No “p” element in scope but a “p” end tag seen.",
		bad + ":4:19: Duplicate ID “a”.",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if _, err := Check(ctx, j, []string{filepath.Join(dir, "missing.html")}); err == nil {
		t.Error("a missing file gave no error")
	}
}
