package blocks

import (
	"fmt"
	"io/fs"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labdocs/dockerlab/tools/internal/keys"
)

// Options are a block's attributes, checked and typed. A field is the
// zero value when its attribute is absent, except Term.
type Options struct {
	Skip  string // skip: why the block is not run
	Title string // title

	// Console blocks.
	Term    string         // term: terminal name, "main" when absent
	Exit    int            // exit: expected status of the block's last command
	Timeout time.Duration  // timeout
	Redact  *regexp.Regexp // redact
	Wait    *regexp.Regexp // wait
	Port    int            // port
	Healthy string         // healthy: container name
	Settle  time.Duration  // settle
	Input   string         // input
	Keys    []string       // keys
	Until   *regexp.Regexp // until
	Lines   int            // lines
	For     time.Duration  // for
	Shell   string         // shell: "open" or "none"

	// Alone (alone=true): the block runs only when its page is read on
	// its own, not when its section runs as one course; for a page's
	// "If you start here" part, which a reader walking the course skips.
	Alone bool

	// Answer (answer="N"): the block answers the page's exercise N. The
	// site folds it; the runner runs it like any other block.
	Answer string

	// Needs (needs="root linux"): what the block needs of the reader's
	// machine beyond a Docker client, shown as badges. The runner, root
	// on Linux, runs it as it is.
	Needs []string

	// File blocks.
	File string      // file: slash-separated path inside the work folder
	Mode fs.FileMode // mode: permission bits
}

// An attribute checker stores a valid value into o or says what is wrong.
type checker func(o *Options, name string, v any) error

var consoleAttrs = map[string]checker{
	"term":    str(func(o *Options, s string) { o.Term = s }, true),
	"title":   str(func(o *Options, s string) { o.Title = s }, false),
	"exit":    integer(0, 255, 1, func(o *Options, n int) { o.Exit = n }),
	"timeout": duration(func(o *Options, d time.Duration) { o.Timeout = d }),
	"redact":  regex(func(o *Options, r *regexp.Regexp) { o.Redact = r }),
	"skip":    skip,
	"wait":    regex(func(o *Options, r *regexp.Regexp) { o.Wait = r }),
	"port":    integer(1, 65535, 8080, func(o *Options, n int) { o.Port = n }),
	"healthy": str(func(o *Options, s string) { o.Healthy = s }, true),
	"settle":  duration(func(o *Options, d time.Duration) { o.Settle = d }),
	"input":   str(func(o *Options, s string) { o.Input = s }, false),
	"keys":    keyList,
	"until":   regex(func(o *Options, r *regexp.Regexp) { o.Until = r }),
	"lines":   integer(1, math.MaxInt32, 20, func(o *Options, n int) { o.Lines = n }),
	"for":     duration(func(o *Options, d time.Duration) { o.For = d }),
	"shell":   shell,
	"alone":   alone,
	"answer":  str(func(o *Options, s string) { o.Answer = s }, true),
	"needs":   needs,
}

var fileAttrs = map[string]checker{
	"file":   file,
	"title":  str(func(o *Options, s string) { o.Title = s }, false),
	"skip":   skip,
	"mode":   mode,
	"alone":  alone,
	"answer": str(func(o *Options, s string) { o.Answer = s }, true),
}

// Presentation attributes Hugo itself understands (ids, classes and
// Chroma's highlighting options); any block may carry them.
var hugoAttrs = map[string]bool{
	"id": true, "class": true,
	"anchorlinenos": true, "guesssyntax": true, "hl_lines": true, "hl_inline": true,
	"lineanchors": true, "linenos": true, "linenostart": true, "linenumbersintable": true,
	"noclasses": true, "style": true, "tabwidth": true,
}

// check parses the attributes of b's info string, decides b's kind and
// fills Attrs and Opts.
func (b *Block) check(fail func(format string, args ...any)) {
	attrs, err := attributes(b.info)
	if err != nil {
		fail("%v", err)
		return
	}
	b.Attrs = map[string]any{}
	for _, a := range attrs {
		// Hugo lower-cases names (keeping Chroma options' case in
		// .Options, where case does not matter either).
		name := strings.ToLower(string(a.Name))
		if _, dup := b.Attrs[name]; dup {
			fail("attribute %s is given twice; keep one", name)
			return
		}
		v, err := attrValue(a.Value)
		if err != nil {
			fail("attribute %s: %v", name, err)
			return
		}
		b.Attrs[name] = v
	}

	known := fileAttrs
	if b.Lang == "console" {
		known = consoleAttrs
		b.Opts.Term = "main"
	}
	_, hasSkip := b.Attrs["skip"]
	_, hasFile := b.Attrs["file"]
	switch {
	case hasSkip:
		b.Kind = Skipped
	case b.Lang == "console":
		b.Kind = Console
	case hasFile:
		b.Kind = File
	case b.Lang == "":
		fail(`block is neither run nor used: add file="…" or skip="reason" (or give it a language such as console)`)
		return
	default:
		fail(`%q block is neither run nor used: add file="…" or skip="reason"`, b.Lang)
		return
	}

	names := make([]string, 0, len(b.Attrs))
	for name := range b.Attrs {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		c := known[name]
		if c == nil {
			if hugoAttrs[name] {
				continue
			}
			what := b.Kind.String()
			if b.Lang == "console" {
				what = "console"
			}
			fail("unknown attribute %s on a %s block; known: %s", name, what, strings.Join(sortedKeys(known), ", "))
			continue
		}
		if err := c(&b.Opts, name, b.Attrs[name]); err != nil {
			fail("%v", err)
		}
	}
}

// attrValue converts goldmark's attribute value as Hugo does
// (markup/internal/attributes): []byte becomes string. Hugo panics on
// null and on nested objects, so they are errors here.
func attrValue(v any) (any, error) {
	switch v := v.(type) {
	case []byte:
		return string(v), nil
	case float64, bool:
		return v, nil
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			var err error
			if out[i], err = attrValue(e); err != nil {
				return nil, err
			}
		}
		return out, nil
	case nil:
		return nil, fmt.Errorf("null is not a value Hugo accepts; quote it")
	}
	return nil, fmt.Errorf("nested attributes are not a value Hugo accepts; quote it")
}

func sortedKeys(m map[string]checker) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func str(set func(*Options, string), nonEmpty bool) checker {
	return func(o *Options, name string, v any) error {
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("%s=%v: want a string; quote it, e.g. %s=\"%v\"", name, v, name, v)
		}
		if nonEmpty && strings.TrimSpace(s) == "" {
			return fmt.Errorf("%s is empty; give a name or drop the attribute", name)
		}
		set(o, s)
		return nil
	}
}

func integer(lo, hi, example int, set func(*Options, int)) checker {
	return func(o *Options, name string, v any) error {
		f, ok := v.(float64)
		if !ok || f != math.Trunc(f) || f < float64(lo) || f > float64(hi) {
			return fmt.Errorf("%s=%s: want a whole number from %d to %d, unquoted, e.g. %s=%d", name, show(v), lo, hi, name, example)
		}
		set(o, int(f))
		return nil
	}
}

func duration(set func(*Options, time.Duration)) checker {
	return func(o *Options, name string, v any) error {
		s, ok := v.(string)
		d, err := time.ParseDuration(s)
		if !ok || err != nil || d <= 0 {
			return fmt.Errorf(`%s=%s: want a positive duration such as %s="90s" or %s="1m30s"`, name, show(v), name, name)
		}
		set(o, d)
		return nil
	}
}

func regex(set func(*Options, *regexp.Regexp)) checker {
	return func(o *Options, name string, v any) error {
		s, ok := v.(string)
		if !ok || s == "" {
			return fmt.Errorf(`%s=%s: want a non-empty quoted regular expression, e.g. %s="ready"`, name, show(v), name)
		}
		// Hugo decodes \b, \f, \n... in quoted values as JSON does, so
		// a word boundary written \b arrives as a backspace: never meant.
		for esc, r := range map[string]rune{`\b`: '\b', `\f`: '\f'} {
			if strings.ContainsRune(s, r) {
				return fmt.Errorf(`%s: %s inside quotes is a control character, as in JSON; for the regular expression's %s write \%s`, name, esc, esc, esc)
			}
		}
		re, err := regexp.Compile(s)
		if err != nil {
			return fmt.Errorf("%s=%q: %v", name, s, err)
		}
		set(o, re)
		return nil
	}
}

func skip(o *Options, name string, v any) error {
	s, ok := v.(string)
	if !ok || strings.TrimSpace(s) == "" {
		return fmt.Errorf(`skip=%s: give the reason the block is not run, e.g. skip="needs a GPU"`, show(v))
	}
	o.Skip = s
	return nil
}

func keyList(o *Options, name string, v any) error {
	ks := among(v, keys.Names())
	if ks == nil {
		return fmt.Errorf(`keys=%s: want space-separated keys among %s, e.g. keys="ctrl-c"`, show(v), strings.Join(keys.Names(), " "))
	}
	o.Keys = ks
	return nil
}

// among splits a space-separated value whose every word is one of names;
// nil when it is empty, not a string, or holds another word.
func among(v any, names []string) []string {
	s, _ := v.(string)
	ws := strings.Fields(s)
	for _, w := range ws {
		if !slices.Contains(names, w) {
			return nil
		}
	}
	if len(ws) == 0 {
		return nil
	}
	return ws
}

func shell(o *Options, name string, v any) error {
	s, _ := v.(string)
	if s != "open" && s != "none" {
		return fmt.Errorf(`shell=%s: want shell="open" or shell="none"`, show(v))
	}
	o.Shell = s
	return nil
}

func alone(o *Options, name string, v any) error {
	if v != true {
		return fmt.Errorf(`alone=%s: want alone=true (the block runs only when its page is read on its own), or drop it`, show(v))
	}
	o.Alone = true
	return nil
}

var needNames = []string{"root", "linux"}

func needs(o *Options, name string, v any) error {
	ns := among(v, needNames)
	if ns == nil {
		return fmt.Errorf(`needs=%s: want space-separated needs among %s, e.g. needs="root"`, show(v), strings.Join(needNames, " "))
	}
	o.Needs = ns
	return nil
}

func file(o *Options, name string, v any) error {
	s, _ := v.(string)
	if s == "." || !fs.ValidPath(s) || strings.Contains(s, `\`) {
		return fmt.Errorf(`file=%s: want a clean relative path with "/" separators that stays in the work folder, e.g. file="app/main.go"`, show(v))
	}
	o.File = s
	return nil
}

func mode(o *Options, name string, v any) error {
	s, _ := v.(string)
	m, err := strconv.ParseUint(s, 8, 32)
	if err != nil || m > 0o777 {
		// An unquoted 0755 would be the number 755, hence the quotes.
		return fmt.Errorf(`mode=%s: want quoted octal permissions, e.g. mode="0755"`, show(v))
	}
	o.Mode = fs.FileMode(m)
	return nil
}

// show formats an attribute value as it would be written.
func show(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprint(v)
}
