// Package workflows tests the GitHub Actions workflows in
// .github/workflows: make test lints them with actionlint by running these
// tests, which run the Makefile's ACTIONLINT command on them (it must pass)
// and on broken copies (it must fail); and every action is pinned by commit.
package workflows

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const root = "../.."

// lintCommand is the Makefile's ACTIONLINT: make test lints the workflows
// by running these tests, with the command the Makefile names.
func lintCommand(t *testing.T) []string {
	t.Helper()
	mk, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(mk), "\n") {
		if f := strings.Fields(l); len(f) > 4 && f[0] == "ACTIONLINT" && f[1] == ":=" && f[2] == "go" && f[3] == "tool" && f[4] == "actionlint" {
			return f[2:]
		}
	}
	t.Fatal("the Makefile has no ACTIONLINT := go tool actionlint …: make test does not lint the workflows")
	return nil
}

// lint runs the Makefile's command from the repository root (where go.mod
// pins actionlint) on files, or on the repository's workflows when none.
func lint(t *testing.T, files ...string) (string, error) {
	t.Helper()
	args := append(lintCommand(t), files...)
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = root
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func workflowFiles(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, ".github", "workflows", "*.yml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no workflows under %s: %v", dir, err)
	}
	return files
}

func TestWorkflowsPassActionlint(t *testing.T) {
	if out, err := lint(t); err != nil {
		t.Fatalf("actionlint: %v\n%s", err, out)
	}
}

// Each breakage, made in a copy of the workflows, fails the lint with a
// message that names it.
func TestBrokenWorkflowsFailActionlint(t *testing.T) {
	for _, c := range []struct {
		name, file, old, new, want string
	}{
		{"a job that needs a job that is not there", "lab.yml",
			"    needs: images\n    runs-on: ubuntu-24.04\n    timeout-minutes: 45\n    defaults:\n      run:\n        shell: bash .ci/gh-root {0}\n    strategy:",
			"    needs: imagez\n    runs-on: ubuntu-24.04\n    timeout-minutes: 45\n    defaults:\n      run:\n        shell: bash .ci/gh-root {0}\n    strategy:",
			`needs job "imagez" which does not exist`},
		{"an input the reusable workflow does not take", "drift.yml",
			"fresh-images: true", "fresh-image: true",
			`input "fresh-image" is not defined`},
		{"a matrix value that does not exist", "lab.yml",
			"PART: ${{ matrix.part }}", "PART: ${{ matrix.parts }}",
			`property "parts" is not defined`},
		{"a schedule that never comes", "drift.yml",
			`cron: "23 5 * * 1"`, `cron: "23 5 * * 8"`,
			`invalid CRON format`},
		{"YAML that does not parse", "ci.yml",
			"permissions:\n  contents: read\n", "permissions:\n  contents: read\n   pages: write\n",
			`could not parse as YAML`},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			// actionlint finds a project (and so the reusable workflow
			// ./.github/workflows/lab.yml) by its .git.
			if err := os.MkdirAll(filepath.Join(dir, ".git"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Join(dir, ".github", "workflows"), 0o755); err != nil {
				t.Fatal(err)
			}
			for _, f := range workflowFiles(t, root) {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				if filepath.Base(f) == c.file {
					if n := strings.Count(string(data), c.old); n != 1 {
						t.Fatalf("%s holds %q %d times, not once: update the test", c.file, c.old, n)
					}
					data = []byte(strings.Replace(string(data), c.old, c.new, 1))
				}
				if err := os.WriteFile(filepath.Join(dir, ".github", "workflows", filepath.Base(f)), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			out, err := lint(t, workflowFiles(t, dir)...)
			if err == nil {
				t.Fatalf("actionlint passed the broken %s:\n%s", c.file, out)
			}
			if _, ok := err.(*exec.ExitError); !ok {
				t.Fatalf("actionlint did not run: %v\n%s", err, out)
			}
			if !strings.Contains(out, c.want) || !strings.Contains(out, c.file+":") {
				t.Fatalf("want %q at %s:line in:\n%s", c.want, c.file, out)
			}
		})
	}
}

var (
	usesRE   = regexp.MustCompile(`(?m)^\s*(?:-\s+)?uses:\s*(\S+)(.*)$`)
	pinnedRE = regexp.MustCompile(`^([\w.-]+/[\w.-]+)(/[\w./-]+)?@([0-9a-f]{40})$`)
	tagRE    = regexp.MustCompile(`^\s*# v\d+\.\d+\.\d+\s*$`)
)

// Every action from another repository is pinned by a full commit SHA
// with its release named beside it (# vX.Y.Z), and one repository's
// actions are all at one commit. (Whether the commit is that release's is
// checked where the pins are made: git rev-parse of the tag in the
// action's repository.)
func TestActionsArePinnedByCommit(t *testing.T) {
	at := map[string]string{}
	for _, f := range workflowFiles(t, root) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range usesRE.FindAllStringSubmatch(string(data), -1) {
			ref, comment := m[1], m[2]
			if strings.HasPrefix(ref, "./") {
				continue // this repository's own reusable workflow
			}
			p := pinnedRE.FindStringSubmatch(ref)
			if p == nil || !tagRE.MatchString(comment) {
				t.Errorf("%s: uses %s%s: pin it as owner/repo@<40-hex commit> # vX.Y.Z", filepath.Base(f), ref, comment)
				continue
			}
			repo, sha := p[1], p[3]+strings.TrimSpace(comment)
			if prev, ok := at[repo]; ok && prev != sha {
				t.Errorf("%s: %s is pinned at %s and at %s", filepath.Base(f), repo, prev, sha)
			}
			at[repo] = sha
		}
	}
	if len(at) == 0 {
		t.Fatal("no pinned actions found: the pattern no longer matches the workflows")
	}
}
