package blocks

import (
	"fmt"
	"io/fs"
	"math"
	"reflect"
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

// An Attr is one attribute a block may carry: its name, what its value
// is (its line in the package documentation), when the runner acts on
// it, and how its value is checked and stored in Options.
//
// The tables consoleAttrs and fileAttrs are the one place an attribute
// is declared; a test holds the package documentation to them. What the
// runner does for a Ready, Bound or Interaction attribute (wait for a
// port, press keys) is in package run, keyed by Name, and a test there
// checks that every such attribute here has its part there: waiting
// needs terminals and the daemon, which the authoring format must not
// import.
type Attr struct {
	Name  string
	Kind  AttrKind
	Doc   string                                     // the value and its meaning, as the documentation lists it
	check func(o *Options, name string, v any) error // checks v and stores it in o
	given func(o *Options) bool                      // o holds a value of the attribute
}

// AttrKind says when the runner acts on a console block's attribute.
type AttrKind int

const (
	// Setting: read where it matters (term, exit, timeout, ...).
	Setting AttrKind = iota
	// Ready: the block's last command keeps running (a server); the
	// block ends once it is ready.
	Ready
	// Bound: the block's last command keeps running (a log stream);
	// it prints until the bound, then the runner presses Ctrl-C.
	Bound
	// Interaction: typed or pressed after the block's commands, in
	// the table's order.
	Interaction
)

// attr declares an attribute whose value parse checks and converts, and
// that is stored in the Options field that field points to.
func attr[T any](name string, kind AttrKind, doc string, field func(*Options) *T, parse func(name string, v any) (T, error)) Attr {
	return Attr{Name: name, Kind: kind, Doc: doc,
		check: func(o *Options, name string, v any) error {
			x, err := parse(name, v)
			if err == nil {
				*field(o) = x
			}
			return err
		},
		given: func(o *Options) bool { return !reflect.ValueOf(*field(o)).IsZero() },
	}
}

// consoleAttrs are a console block's attributes, in the documentation's
// order, which is also the order the runner honours them in: the first
// Ready attribute given after wait is waited for, the first Bound one
// bounds, input is typed before keys are pressed.
var consoleAttrs = []Attr{
	attr("term", Setting, `terminal the commands are typed into, a name ("main"); each name is its own terminal session`,
		func(o *Options) *string { return &o.Term }, str(true)),
	attr("title", Setting, "caption shown above the block, a string", func(o *Options) *string { return &o.Title }, str(false)),
	attr("exit", Setting, "exit status expected of the block's last command, 0 to 255 (0)",
		func(o *Options) *int { return &o.Exit }, integer(0, 255, 1)),
	attr("timeout", Setting, "how long the block may take, a duration", func(o *Options) *time.Duration { return &o.Timeout }, duration),
	attr("redact", Setting, "output that differs from run to run, a regular expression",
		func(o *Options) **regexp.Regexp { return &o.Redact }, regex),
	attr("skip", Setting, "why the block is shown but never run, a non-empty string", func(o *Options) *string { return &o.Skip }, skip),
	attr("wait", Ready, "output to wait for, a regular expression", func(o *Options) **regexp.Regexp { return &o.Wait }, regex),
	attr("port", Ready, "TCP port to wait for, 1 to 65535", func(o *Options) *int { return &o.Port }, integer(1, 65535, 8080)),
	attr("healthy", Ready, "container to wait for until it is healthy, a name", func(o *Options) *string { return &o.Healthy }, str(true)),
	attr("settle", Ready, "quiet time to wait for, a duration", func(o *Options) *time.Duration { return &o.Settle }, duration),
	attr("input", Interaction, "text to type, a string", func(o *Options) *string { return &o.Input }, str(false)),
	attr("keys", Interaction, "keys to press, space-separated among "+strings.Join(keys.Names(), " "),
		func(o *Options) *[]string { return &o.Keys }, keyList),
	attr("until", Bound, "output that ends the block, a regular expression", func(o *Options) **regexp.Regexp { return &o.Until }, regex),
	attr("lines", Bound, "a number of output lines, 1 or more",
		func(o *Options) *int { return &o.Lines }, integer(1, math.MaxInt32, 20)),
	attr("for", Bound, "how long to watch, a duration", func(o *Options) *time.Duration { return &o.For }, duration),
	attr("shell", Setting, `"open" or "none"`, func(o *Options) *string { return &o.Shell }, shell),
	attr("alone", Setting, `true: run only when the page is read on its own, not in its section's course (the "If you start here" part)`,
		func(o *Options) *bool { return &o.Alone }, alone),
	attr("answer", Setting, "the exercise the block answers, a non-empty string; the site folds the block until the reader opens it",
		func(o *Options) *string { return &o.Answer }, str(true)),
	attr("needs", Setting, `what the block needs of the reader's machine, among "root" and "linux" (space-separated), shown as badges`,
		func(o *Options) *[]string { return &o.Needs }, needs),
}

// fileAttrs are a file block's attributes, in the documentation's order.
var fileAttrs = []Attr{
	attr("file", Setting, "path of the file", func(o *Options) *string { return &o.File }, file),
	attr("title", Setting, "caption shown above the block", func(o *Options) *string { return &o.Title }, str(false)),
	attr("skip", Setting, "reason the file is shown but not written", func(o *Options) *string { return &o.Skip }, skip),
	attr("mode", Setting, `permissions as a quoted octal string, such as mode="0755" (a bare 0755 would be the decimal number 755)`,
		func(o *Options) *fs.FileMode { return &o.Mode }, mode),
	attr("alone", Setting, "true: written only when the page is read on its own", func(o *Options) *bool { return &o.Alone }, alone),
	attr("answer", Setting, "the exercise the file answers, a non-empty string", func(o *Options) *string { return &o.Answer }, str(true)),
}

// ConsoleAttrs are the attributes a console block may carry, in the
// order the documentation lists them and the runner honours them.
func ConsoleAttrs() []Attr { return slices.Clone(consoleAttrs) }

// Given lists the attributes of kind k the block has a value for, in
// the order the runner honours them. Only console blocks have attributes
// of a kind other than Setting.
func (b *Block) Given(k AttrKind) []Attr {
	if b.Kind != Console {
		return nil
	}
	var out []Attr
	for _, a := range consoleAttrs {
		if a.Kind == k && a.given(&b.Opts) {
			out = append(out, a)
		}
	}
	return out
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
		i := slices.IndexFunc(known, func(a Attr) bool { return a.Name == name })
		if i < 0 {
			if hugoAttrs[name] {
				continue
			}
			what := b.Kind.String()
			if b.Lang == "console" {
				what = "console"
			}
			fail("unknown attribute %s on a %s block; known: %s", name, what, strings.Join(sortedNames(known), ", "))
			continue
		}
		if err := known[i].check(&b.Opts, name, b.Attrs[name]); err != nil {
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

func sortedNames(table []Attr) []string {
	names := make([]string, len(table))
	for i, a := range table {
		names[i] = a.Name
	}
	slices.Sort(names)
	return names
}

func str(nonEmpty bool) func(name string, v any) (string, error) {
	return func(name string, v any) (string, error) {
		s, ok := v.(string)
		if !ok {
			return "", fmt.Errorf("%s=%v: want a string; quote it, e.g. %s=\"%v\"", name, v, name, v)
		}
		if nonEmpty && strings.TrimSpace(s) == "" {
			return "", fmt.Errorf("%s is empty; give a name or drop the attribute", name)
		}
		return s, nil
	}
}

func integer(lo, hi, example int) func(name string, v any) (int, error) {
	return func(name string, v any) (int, error) {
		f, ok := v.(float64)
		if !ok || f != math.Trunc(f) || f < float64(lo) || f > float64(hi) {
			return 0, fmt.Errorf("%s=%s: want a whole number from %d to %d, unquoted, e.g. %s=%d", name, show(v), lo, hi, name, example)
		}
		return int(f), nil
	}
}

func duration(name string, v any) (time.Duration, error) {
	s, ok := v.(string)
	d, err := time.ParseDuration(s)
	if !ok || err != nil || d <= 0 {
		return 0, fmt.Errorf(`%s=%s: want a positive duration such as %s="90s" or %s="1m30s"`, name, show(v), name, name)
	}
	return d, nil
}

func regex(name string, v any) (*regexp.Regexp, error) {
	s, ok := v.(string)
	if !ok || s == "" {
		return nil, fmt.Errorf(`%s=%s: want a non-empty quoted regular expression, e.g. %s="ready"`, name, show(v), name)
	}
	// Hugo decodes \b, \f, \n... in quoted values as JSON does, so
	// a word boundary written \b arrives as a backspace: never meant.
	for esc, r := range map[string]rune{`\b`: '\b', `\f`: '\f'} {
		if strings.ContainsRune(s, r) {
			return nil, fmt.Errorf(`%s: %s inside quotes is a control character, as in JSON; for the regular expression's %s write \%s`, name, esc, esc, esc)
		}
	}
	re, err := regexp.Compile(s)
	if err != nil {
		return nil, fmt.Errorf("%s=%q: %v", name, s, err)
	}
	return re, nil
}

func skip(name string, v any) (string, error) {
	s, ok := v.(string)
	if !ok || strings.TrimSpace(s) == "" {
		return "", fmt.Errorf(`skip=%s: give the reason the block is not run, e.g. skip="needs a GPU"`, show(v))
	}
	return s, nil
}

func keyList(name string, v any) ([]string, error) {
	ks := among(v, keys.Names())
	if ks == nil {
		return nil, fmt.Errorf(`keys=%s: want space-separated keys among %s, e.g. keys="ctrl-c"`, show(v), strings.Join(keys.Names(), " "))
	}
	return ks, nil
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

func shell(name string, v any) (string, error) {
	s, _ := v.(string)
	if s != "open" && s != "none" {
		return "", fmt.Errorf(`shell=%s: want shell="open" or shell="none"`, show(v))
	}
	return s, nil
}

func alone(name string, v any) (bool, error) {
	if v != true {
		return false, fmt.Errorf(`alone=%s: want alone=true (the block runs only when its page is read on its own), or drop it`, show(v))
	}
	return true, nil
}

var needNames = []string{"root", "linux"}

func needs(name string, v any) ([]string, error) {
	ns := among(v, needNames)
	if ns == nil {
		return nil, fmt.Errorf(`needs=%s: want space-separated needs among %s, e.g. needs="root"`, show(v), strings.Join(needNames, " "))
	}
	return ns, nil
}

func file(name string, v any) (string, error) {
	s, _ := v.(string)
	if s == "." || !fs.ValidPath(s) || strings.Contains(s, `\`) {
		return "", fmt.Errorf(`file=%s: want a clean relative path with "/" separators that stays in the work folder, e.g. file="app/main.go"`, show(v))
	}
	return s, nil
}

func mode(name string, v any) (fs.FileMode, error) {
	s, _ := v.(string)
	m, err := strconv.ParseUint(s, 8, 32)
	if err != nil || m > 0o777 {
		// An unquoted 0755 would be the number 755, hence the quotes.
		return 0, fmt.Errorf(`mode=%s: want quoted octal permissions, e.g. mode="0755"`, show(v))
	}
	return fs.FileMode(m), nil
}

// show formats an attribute value as it would be written.
func show(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprint(v)
}
