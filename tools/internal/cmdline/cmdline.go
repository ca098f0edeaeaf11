// Package cmdline reads a page's command lines as a shell does: quotes,
// backslash-newline continuations, $(…), pipelines, lists, loops and
// functions (mvdan.cc/sh), then each docker call in them as the docker
// CLI reads its arguments: global flags, subcommands, flags with and
// without values (--name x, --name=x, -p8080:80, -ti), the end of flags
// (--), and where the container's own command starts (docker run IMAGE
// COMMAND…), which is never read as docker's flags.
//
// Only what is written literally is read: a word with an expansion
// ($VAR, $(…)) is kept with Lit false, and callers skip it.
package cmdline

import (
	"path"
	"strings"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/syntax"
)

// An Arg is one shell word of a command.
type Arg struct {
	Text string // the word as the shell passes it when Lit; else its source
	Lit  bool   // no expansion in it: Text is exact
}

// A Command is one simple command: its environment prefix (FOO=1) and
// its words, wrappers such as sudo, env, command, exec, nohup and time
// taken off.
type Command struct {
	Env  map[string]string // literal assignments before the command
	Args []Arg
}

// Name is the command's first word, its base name when it is a path
// (/bin/sh is sh); "" when it is not literal.
func (c Command) Name() string {
	if len(c.Args) == 0 || !c.Args[0].Lit {
		return ""
	}
	return path.Base(c.Args[0].Text)
}

// Parse reads a command line (continuation lines joined by "\\\n", as a
// page writes them) and returns every simple command in it, in order:
// those of pipelines and lists, inside $(…), loops, functions and
// subshells, and those of a script given to sh -c (or bash, dash, ash,
// zsh) on the command line. A docker run's own command (docker run
// debian sh -c '…') is the container's, not the line's: it is a word of
// the docker command, not a command of its own.
func Parse(line string) ([]Command, error) {
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(line), "")
	if err != nil {
		return nil, err
	}
	var out []Command
	collect(f, &out, 0)
	return out, nil
}

// Single returns the line's command when the line is exactly one simple
// command (a pipeline, a list or a loop is not).
func Single(line string) (Command, bool) {
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(line), "")
	if err != nil || len(f.Stmts) != 1 {
		return Command{}, false
	}
	st := f.Stmts[0]
	if st.Background || st.Negated || st.Coprocess {
		return Command{}, false
	}
	cmd := st.Cmd
	if tc, ok := cmd.(*syntax.TimeClause); ok && tc.Stmt != nil {
		cmd = tc.Stmt.Cmd
	}
	call, ok := cmd.(*syntax.CallExpr)
	if !ok || len(call.Args) == 0 {
		return Command{}, false
	}
	return command(call), true
}

// collect appends the simple commands under node n; depth bounds sh -c
// scripts inside sh -c scripts.
func collect(n syntax.Node, out *[]Command, depth int) {
	syntax.Walk(n, func(n syntax.Node) bool {
		call, ok := n.(*syntax.CallExpr)
		if !ok || len(call.Args) == 0 {
			return true
		}
		c := command(call)
		*out = append(*out, c)
		if script, ok := shellScript(c); ok && depth < 3 {
			if f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(script), ""); err == nil {
				collect(f, out, depth+1)
			}
		}
		return true // $(…) in the words
	})
}

func command(call *syntax.CallExpr) Command {
	c := Command{Env: map[string]string{}}
	for _, a := range call.Assigns {
		if a.Name == nil || a.Array != nil || a.Index != nil {
			continue
		}
		v := "" // FOO= docker …
		if a.Value != nil {
			var ok bool
			if v, ok = literal(a.Value); !ok {
				continue
			}
		}
		c.Env[a.Name.Value] = v
	}
	for _, w := range call.Args {
		if s, ok := literal(w); ok {
			c.Args = append(c.Args, Arg{s, true})
		} else {
			var b strings.Builder
			syntax.NewPrinter().Print(&b, w)
			c.Args = append(c.Args, Arg{b.String(), false})
		}
	}
	c.Args = unwrap(c)
	return c
}

// unwrap takes off commands that run the rest of their words as a
// command: sudo, env (and its VAR=x words), command, exec, nohup, time.
func unwrap(c Command) []Arg {
	args := c.Args
	for len(args) > 0 && args[0].Lit {
		switch path.Base(args[0].Text) {
		case "sudo":
			args = args[1:]
			for len(args) > 0 && strings.HasPrefix(args[0].Text, "-") {
				if args[0].Text == "-u" || args[0].Text == "-g" {
					args = args[1:]
				}
				args = args[1:]
			}
		case "env":
			args = args[1:]
			for len(args) > 0 && args[0].Lit && (strings.HasPrefix(args[0].Text, "-") || strings.Contains(args[0].Text, "=")) {
				if k, v, ok := strings.Cut(args[0].Text, "="); ok && !strings.HasPrefix(k, "-") {
					c.Env[k] = v
				}
				args = args[1:]
			}
		case "command", "exec", "nohup", "time":
			args = args[1:]
			for len(args) > 0 && strings.HasPrefix(args[0].Text, "-") {
				args = args[1:]
			}
		default:
			return args
		}
	}
	return args
}

// shells run the script of their -c option.
var shells = map[string]bool{"sh": true, "bash": true, "dash": true, "ash": true, "zsh": true}

// IsShell tells whether name (a command's first word) is a shell.
func IsShell(name string) bool { return shells[path.Base(name)] }

// shellScript is the script of sh -c 'script' (options may come before
// -c, as in bash -ec).
func shellScript(c Command) (string, bool) {
	if !IsShell(c.Name()) {
		return "", false
	}
	for i := 1; i < len(c.Args); i++ {
		a := c.Args[i]
		if !a.Lit || !strings.HasPrefix(a.Text, "-") || a.Text == "-" || a.Text == "--" {
			return "", false
		}
		if !strings.HasPrefix(a.Text, "--") && strings.Contains(a.Text, "c") {
			if i+1 < len(c.Args) && c.Args[i+1].Lit {
				return c.Args[i+1].Text, true
			}
			return "", false
		}
	}
	return "", false
}

// literal is the word's value when it has no expansion in it.
func literal(w *syntax.Word) (string, bool) {
	for _, p := range w.Parts {
		switch p := p.(type) {
		case *syntax.Lit:
		case *syntax.SglQuoted:
		case *syntax.DblQuoted:
			for _, q := range p.Parts {
				if _, ok := q.(*syntax.Lit); !ok {
					return "", false
				}
			}
		default:
			return "", false
		}
	}
	s, err := expand.Literal(nil, w)
	return s, err == nil
}
