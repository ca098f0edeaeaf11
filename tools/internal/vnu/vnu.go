// Package vnu runs the W3C Nu Html Checker (vnu.jar, the validator behind
// validator.w3.org, run locally) over HTML files and returns its errors
// with file:line. The jar is pinned in tools/vnu/package-lock.json and
// installed by `make bootstrap` (npm ci); it needs a Java runtime.
package vnu

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
)

// ErrNotInstalled says that the checker or Java is missing, and how to get it.
var ErrNotInstalled = errors.New("the Nu Html Checker is not installed: make bootstrap installs it (npm ci in tools/vnu, and a Java runtime)")

// Jar returns the path of vnu.jar in the repository at repo.
func Jar(repo string) (string, error) {
	jar := filepath.Join(repo, "tools", "vnu", "node_modules", "vnu-jar", "build", "dist", "vnu.jar")
	if _, err := os.Stat(jar); err != nil {
		return "", fmt.Errorf("%w: %v", ErrNotInstalled, err)
	}
	if _, err := exec.LookPath("java"); err != nil {
		return "", fmt.Errorf("%w: %v", ErrNotInstalled, err)
	}
	return jar, nil
}

// A Message is one error the checker reported.
type Message struct {
	File   string
	Line   int
	Column int
	Text   string
}

func (m Message) String() string {
	return fmt.Sprintf("%s:%d:%d: %s", m.File, m.Line, m.Column, m.Text)
}

// Check validates files (one JVM for all of them) and returns the errors;
// warnings and notes are left out. A file the checker could not read is an
// error of Check.
func Check(ctx context.Context, jar string, files []string) ([]Message, error) {
	if len(files) == 0 {
		return nil, nil
	}
	for _, f := range files {
		// vnu says nothing at all about a file that does not exist.
		if _, err := os.Stat(f); err != nil {
			return nil, err
		}
	}
	// The JVM's quick compiler only (C1, TieredStopAtLevel=1): a check
	// is one short run, for which the optimising compiler (C2) spent more
	// CPU compiling than it saved; the checker, and so its verdict, is the
	// same. C1's frames are larger, and the schema's recursion then needs
	// more than the default 1 MiB of stack (vnu asks for 512 KiB with C2).
	args := append([]string{"-XX:TieredStopAtLevel=1", "-Xss8m", "-jar", jar, "--errors-only", "--format", "json"}, files...)
	cmd := exec.CommandContext(ctx, "java", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return nil, fmt.Errorf("running vnu.jar: %w", err)
	}
	var out struct {
		Messages []struct {
			Type        string `json:"type"`
			URL         string `json:"url"`
			LastLine    int    `json:"lastLine"`
			FirstColumn int    `json:"firstColumn"`
			Message     string `json:"message"`
		} `json:"messages"`
	}
	if jerr := json.Unmarshal(stderr.Bytes(), &out); jerr != nil {
		return nil, fmt.Errorf("vnu.jar (%v) printed no JSON report: %v\n%s", err, jerr, stderr.String())
	}
	var msgs []Message
	for _, m := range out.Messages {
		file := m.URL
		if u, perr := url.Parse(m.URL); perr == nil && u.Scheme == "file" {
			file = u.Path
		}
		if m.Type == "non-document-error" {
			return nil, fmt.Errorf("vnu.jar could not check %s: %s", file, m.Message)
		}
		if m.Type != "error" {
			continue
		}
		msgs = append(msgs, Message{File: file, Line: m.LastLine, Column: m.FirstColumn, Text: m.Message})
	}
	if err != nil && len(msgs) == 0 {
		return nil, fmt.Errorf("vnu.jar failed and reported no error: %v\n%s", err, stderr.String())
	}
	return msgs, nil
}
