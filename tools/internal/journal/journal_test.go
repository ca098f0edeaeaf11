package journal

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A live run's journal is not a leftover; once its run lets go without
// deleting it (as a killed process does), it is.
func TestOnlyDeadRunsAreLeftovers(t *testing.T) {
	dir := t.TempDir()
	j, err := Open(dir, "content/a/index.md")
	if err != nil {
		t.Fatal(err)
	}
	j.Name("container", "web")
	j.Created("container", "3f4e8c1a9b2d", "web")
	j.Ref("img:latest")
	if dead, err := Leftovers(dir); err != nil || len(dead) != 0 {
		t.Fatalf("a live run's journal counted as dead: %v %v", dead, err)
	}
	j.Keep()
	dead, err := Leftovers(dir)
	if err != nil || len(dead) != 1 {
		t.Fatalf("leftovers: %v %v", dead, err)
	}
	d := dead[0]
	if d.Page != "content/a/index.md" || len(d.Entries) != 4 || d.Entries[2].ID != "3f4e8c1a9b2d" || d.Entries[3].Name != "img:latest" {
		t.Fatalf("read back: %+v", d)
	}
	// A second cleaner does not get the journal the first one holds.
	if other, _ := Leftovers(dir); len(other) != 0 {
		t.Fatal("two cleaners got the same journal")
	}
	if err := d.Remove(); err != nil {
		t.Fatal(err)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "*")); len(files) != 0 {
		t.Fatalf("left: %v", files)
	}
}

// A run that cleaned up deletes its journal.
func TestCloseDeletes(t *testing.T) {
	dir := t.TempDir()
	j, err := Open(dir, "p.md")
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "*")); len(files) != 0 {
		t.Fatalf("left: %v", files)
	}
}

// A process killed with SIGKILL leaves its journal, unlocked, with every
// line written before the kill; a line cut short is skipped.
func TestKilledProcessLeavesItsJournal(t *testing.T) {
	if os.Getenv("JOURNAL_CHILD") != "" {
		j, err := Open(os.Getenv("JOURNAL_CHILD"), "child.md")
		if err != nil {
			os.Exit(3)
		}
		j.Created("volume", "v1", "v1")
		os.Stdout.WriteString("ready\n")
		time.Sleep(time.Minute)
		return
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run", "^TestKilledProcessLeavesItsJournal$")
	cmd.Env = append(os.Environ(), "JOURNAL_CHILD="+dir)
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 5)
	if _, err := out.Read(buf); err != nil || string(buf) != "ready" {
		t.Fatalf("child: %q %v", buf, err)
	}
	if dead, _ := Leftovers(dir); len(dead) != 0 {
		t.Fatal("a live child's journal counted as dead")
	}
	cmd.Process.Kill()
	cmd.Wait()
	files, _ := filepath.Glob(filepath.Join(dir, "run-*.jsonl"))
	if len(files) != 1 {
		t.Fatalf("journals: %v", files)
	}
	f, _ := os.OpenFile(files[0], os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"t":"2026-12-06T04:21:42Z","op":"crea`) // cut short
	f.Close()
	dead, err := Leftovers(dir)
	if err != nil || len(dead) != 1 {
		t.Fatalf("leftovers: %v %v", dead, err)
	}
	defer dead[0].Release()
	var ops []string
	for _, e := range dead[0].Entries {
		ops = append(ops, e.Op+":"+e.ID)
	}
	if got := strings.Join(ops, " "); got != "start: created:v1" {
		t.Fatalf("entries: %s", got)
	}
	if !dead[0].Within(time.Now()) || dead[0].Within(time.Now().Add(time.Hour)) || dead[0].Within(dead[0].Started.Add(-time.Minute)) {
		t.Fatal("Within does not span the run's life")
	}
}

func TestDirIsPerDaemon(t *testing.T) {
	t.Setenv("LABRUN_STATE", "/state")
	a, b := Dir("unix:///var/run/docker.sock"), Dir("unix:///tmp/d2.sock")
	if a == b || !strings.HasPrefix(a, "/state/journal/") {
		t.Fatalf("%s %s", a, b)
	}
}
