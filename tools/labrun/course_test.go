package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeCourse writes a section read in order (ordered: true) with the pages
// given, in that order, into a fresh site folder, current directory.
func writeCourse(t *testing.T, pages ...string) []string {
	t.Helper()
	t.Chdir(t.TempDir())
	write := func(path, body string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("content/steps/_index.md", "---\ntitle: Steps\nordered: true\n---\n")
	var paths []string
	for i, body := range pages {
		// Folder names sort against the reading order: weights decide.
		p := filepath.Join("content/steps", string(rune('z'-i)), "index.md")
		write(p, strings.Replace(body, "---\n", "---\nweight: "+string(rune('1'+i))+"\n", 1))
		paths = append(paths, p)
	}
	return paths
}

// A course runs its pages in reading order as one reader: the second page
// meets what the first left (a container, a shell's variable) and works
// in its own folder, and the
// first page's "If you start here" block (alone=true) runs only when the
// page is read on its own.
func TestCourseKeepsStateFromPageToPage(t *testing.T) {
	needDebian(t)
	name := "labrun-course-" + suffix()
	first := "---\ntitle: First\n---\n\n```console {term=\"1\"}\n$ docker run -d --name " + name + " debian sleep 300 >/dev/null\n$ GREETING=hi\n```\n"
	second := "---\ntitle: Second\n---\n\n```console {term=\"1\" alone=true}\n$ docker run -d --name " + name + " debian sleep 300 >/dev/null\n$ GREETING=hi\n```\n\n" +
		"```console {term=\"1\"}\n$ docker ps --filter name=" + name + " --format '{{.Names}} {{.State}}'\n" + name + " running\n$ echo $GREETING\nhi\n```\n\n" +
		// A terminal from the first page works in the second page's folder.
		"```text {file=\"note.txt\"}\nthe second page's file\n```\n\n```console {term=\"1\"}\n$ cat note.txt\nthe second page's file\n```\n"
	paths := writeCourse(t, first, second)
	for _, p := range paths { // each page alone, from an empty daemon
		if code, out := labrun(t, "verify", p); code != 0 {
			t.Fatalf("verify %s alone: %d\n%s", p, code, out)
		}
	}
	code, out := labrun(t, "verify", "-course", paths[1])
	if code != 0 || !strings.Contains(out, "4 passed, 0 failed, 1 skipped") {
		t.Fatalf("verify -course: %d\n%s", code, out)
	}
	if !strings.Contains(out, paths[1]+":6: skipped: alone") {
		t.Errorf("the alone block is not reported as skipped in the course:\n%s", out)
	}
	if exists("container", name) {
		t.Errorf("container %s left after the course", name)
	}
}

// A page that leaves a name in use breaks the next page of the course:
// verify -course fails at the next page's file:line, with Docker's
// message, and the pages after it are reported as not run.
func TestCourseFindsANameLeftInUse(t *testing.T) {
	needDebian(t)
	name := "labrun-course-" + suffix()
	leaves := "---\ntitle: Leaves a container\n---\n\n```console\n$ docker run --name " + name + " debian true\n```\n"
	reuses := "---\ntitle: Reuses its name\n---\n\nText.\n\n```console\n$ docker run --rm --name " + name + " debian echo hello\nhello\n```\n"
	later := "---\ntitle: Later\n---\n\n```console\n$ echo later\nlater\n```\n"
	paths := writeCourse(t, leaves, reuses, later)
	for _, p := range paths {
		if code, out := labrun(t, "verify", p); code != 0 {
			t.Fatalf("verify %s alone: %d\n%s", p, code, out)
		}
	}
	code, out := labrun(t, "verify", "-course", "content/steps")
	if code != 1 {
		t.Fatalf("verify -course: %d, want 1 (a failing block)\n%s", code, out)
	}
	for _, want := range []string{
		"FAIL " + paths[1],
		paths[1] + ":8: fail",
		"is already in use",
		"skip " + paths[2],
		"not run: an earlier page of the course failed",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if exists("container", name) {
		t.Errorf("container %s left after the course", name)
	}
}

// -course is for verify: a capture takes a page read on its own.
func TestCourseCaptureRefused(t *testing.T) {
	paths := writeCourse(t, "---\ntitle: One\n---\n\n```console\n$ echo one\none\n```\n")
	code, out := labrun(t, "capture", "-course", paths[0])
	if code != 2 || !strings.Contains(out, "capture its pages on their own") {
		t.Errorf("capture -course: %d\n%s", code, out)
	}
}

// A course is one reader on one daemon: -j and a pool are refused, as is
// -shard, before anything runs.
func TestCourseFlagsRefused(t *testing.T) {
	paths := writeCourse(t, "---\ntitle: One\n---\n\n```console\n$ echo one\none\n```\n")
	for _, args := range [][]string{
		{"verify", "-course", "-j", "2", paths[0]},
		{"verify", "-course", "-docker-host", "unix:///a.sock", "-docker-host", "unix:///b.sock", paths[0]},
		{"verify", "-course", "-shard", "1/2", paths[0]},
	} {
		if code, out := labrun(t, args...); code != 2 || !strings.Contains(out, "-course runs") {
			t.Errorf("%v: %d\n%s", args, code, out)
		}
	}
}
