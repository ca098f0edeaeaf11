package blocks

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// attributes reads the attribute list of an info string. It returns
// what Hugo's code block hook gets (hugoAttributes), but refuses an info
// string Hugo would not read as written: Hugo silently ignores a "{"
// without a "}" and text around the list, and a "{" or "}" in a value
// moves where it reads the list.
func attributes(info []byte) (parser.Attributes, error) {
	lang := bytes.IndexAny(info, " {")
	if lang < 0 {
		return nil, nil
	}
	open := lang
	for open < len(info) && util.IsSpace(info[open]) {
		open++
	}
	rest := info[open:]
	switch {
	case len(rest) == 0:
		return nil, nil
	case rest[0] != '{' && bytes.IndexByte(rest, '{') >= 0:
		before, _, _ := bytes.Cut(rest, []byte("{"))
		return nil, fmt.Errorf(`Hugo ignores %s before the attribute list; remove it`, quote(bytes.TrimSpace(before)))
	case rest[0] != '{':
		return nil, fmt.Errorf(`Hugo ignores %s after the language; write attributes in braces, e.g. {title="…"}`, quote(rest))
	}

	l := &listScan{s: info, i: open, top: true}
	if !l.list() {
		return nil, errors.New(l.explain(open))
	}
	for _, a := range l.attrs {
		if v := info[a.start:a.end]; bytes.ContainsAny(v, "{}") {
			return nil, braces(a.name)
		}
	}
	if after := bytes.TrimLeft(info[l.i:], " \t\r\n"); len(after) > 0 {
		return nil, fmt.Errorf(`Hugo ignores %s after the attribute list; remove it or move it inside the braces`, quote(after))
	}

	// With no braces in values, Hugo's "{…}" is this list.
	attrs, span, err := hugoAttributes(info)
	if err != nil || span != string(info[open:l.i]) {
		return nil, fmt.Errorf(`cannot read the attribute list %s; write name="value" pairs separated by spaces, e.g. {title="Run it"}`, info[open:])
	}
	return attrs, nil
}

// hugoAttributes mirrors getAttributes in Hugo's
// markup/goldmark/codeblocks/render.go: the attributes are the text from
// the last "{" before the first "}" up to that "}", parsed by goldmark.
// It returns that text too; without a "}" there are no attributes.
func hugoAttributes(info []byte) (parser.Attributes, string, error) {
	start, end := -1, -1
	for i, c := range info {
		if end == -1 && c == '{' {
			start = i
		}
		if start != -1 && c == '}' {
			end = i
			break
		}
	}
	if start == -1 || end == -1 {
		return nil, "", nil
	}
	s := info[start : end+1]
	attrs, ok := parser.ParseAttributes(text.NewReader(s))
	if !ok {
		return nil, string(s), fmt.Errorf("Hugo cannot parse attributes %s", s)
	}
	return attrs, string(s), nil
}

// listScan reads an attribute list by goldmark's grammar: its methods
// mirror parser.ParseAttributes and its helpers step for step, so that
// it accepts exactly what goldmark accepts (FuzzAttributeList checks).
// Unlike Hugo it reads past a "}" inside a quoted value, to find the
// list the author meant and to say what is wrong with it.
type listScan struct {
	s     []byte
	i     int
	top   bool       // reading the outermost list
	attrs []listAttr // the outermost list's attributes, so far

	depth int // of nesting in arrays and lists

	// Where reading failed, and why.
	why  failure
	at   int
	deep bool // inside a value's array or list
}

type listAttr struct {
	name       string
	at         int  // where the attribute starts
	start, end int  // its value in s
	bare       bool // an unquoted word or number
}

type failure int

const (
	noClose     failure = iota + 1 // end of text where a name or "}" belongs
	openQuote                      // a quoted value not closed
	notName                        // a character that cannot start a name
	noEquals                       // a name without "="
	noValue                        // "=" without a value
	needsQuotes                    // a value that must be quoted
	notNumber                      // a bad number
	classType                      // class= with a non-string value
	badArray                       // a [...] value goldmark cannot read
)

type kind int

const (
	kBytes kind = iota // a quoted string or a bare word
	kBool
	kNull
	kNumber
	kArray
	kList
)

func (l *listScan) peek() byte {
	if l.i < len(l.s) {
		return l.s[l.i]
	}
	return text.EOF
}

func (l *listScan) skipSpaces() {
	for l.i < len(l.s) && util.IsSpace(l.s[l.i]) {
		l.i++
	}
}

func (l *listScan) fail(why failure) bool {
	if l.why == 0 {
		l.why, l.at, l.deep = why, l.i, l.depth > 0
	}
	return false
}

// list mirrors parser.ParseAttributes.
func (l *listScan) list() bool {
	top := l.top
	l.top = false
	l.skipSpaces()
	if l.peek() != '{' {
		return l.fail(notName)
	}
	l.i++
	for {
		if l.peek() == '}' {
			l.i++
			return true
		}
		if !l.attribute(top) {
			return false
		}
		l.skipSpaces()
		if l.peek() == ',' {
			l.i++
			l.skipSpaces()
		}
	}
}

// attribute mirrors goldmark's parseAttribute.
func (l *listScan) attribute(top bool) bool {
	l.skipSpaces()
	at := l.i
	c := l.peek()
	if c == '#' || c == '.' {
		l.i++
		for l.i < len(l.s) && !util.IsSpace(l.s[l.i]) &&
			(!util.IsPunct(l.s[l.i]) || strings.IndexByte("_-:.", l.s[l.i]) >= 0) {
			l.i++
		}
		if top {
			l.attrs = append(l.attrs, listAttr{name: map[byte]string{'#': "id", '.': "class"}[c], at: at, start: at + 1, end: l.i, bare: true})
		}
		return true
	}
	if l.i >= len(l.s) {
		return l.fail(noClose)
	}
	if !isNameStart(c) {
		return l.fail(notName)
	}
	for l.i < len(l.s) && isNameChar(l.s[l.i]) {
		l.i++
	}
	name := string(l.s[at:l.i])
	l.skipSpaces()
	if l.peek() != '=' {
		l.i = at
		return l.fail(noEquals)
	}
	l.i++
	l.skipSpaces()
	start := l.i
	if top {
		l.attrs = append(l.attrs, listAttr{name: name, at: at, start: start})
	}
	k, ok := l.value()
	if !ok {
		return false
	}
	if name == "class" && k != kBytes {
		l.i = start
		return l.fail(classType)
	}
	if top {
		a := &l.attrs[len(l.attrs)-1]
		a.end = l.i
		a.bare = k != kArray && k != kList && l.s[start] != '"'
	}
	return true
}

// value mirrors goldmark's parseAttributeValue.
func (l *listScan) value() (kind, bool) {
	l.skipSpaces()
	switch c := l.peek(); {
	case c == text.EOF:
		return 0, l.fail(noValue)
	case c == '{':
		l.depth++
		ok := l.list()
		l.depth--
		return kList, ok
	case c == '[':
		l.depth++
		ok := l.array()
		l.depth--
		return kArray, ok
	case c == '"':
		return kBytes, l.quoted()
	case c == '-' || c == '+' || util.IsNumeric(c):
		return kNumber, l.number()
	}
	return l.others()
}

// array mirrors goldmark's parseAttributeArray, odd cases included:
// values may be separated by spaces alone, and "[1,]" is refused.
func (l *listScan) array() bool {
	l.i++
	for n := 0; ; n++ {
		c := l.peek()
		comma := false
		if n != 0 && c == ',' {
			l.i++
			comma = true
		}
		if c == ']' {
			if !comma {
				l.i++
				return true
			}
			return l.fail(badArray)
		}
		l.skipSpaces()
		if _, ok := l.value(); !ok {
			return false
		}
		l.skipSpaces()
	}
}

// quoted mirrors goldmark's parseAttributeString.
func (l *listScan) quoted() bool {
	l.i++
	for j := l.i; j < len(l.s); {
		switch c := l.s[j]; {
		case c == '\\' && j != len(l.s)-1:
			if strings.IndexByte(`"/\bfnrt`, l.s[j+1]) >= 0 {
				j += 2
			} else {
				j++
			}
		case c == '"':
			l.i = j + 1
			return true
		default:
			j++
		}
	}
	l.i--
	return l.fail(openQuote)
}

// number mirrors goldmark's parseAttributeNumber.
func (l *listScan) number() bool {
	start := l.i
	var buf []byte
	if c := l.peek(); c == '-' || c == '+' {
		l.i++
	}
	digits := func() {
		for util.IsNumeric(l.peek()) {
			buf = append(buf, l.peek())
			l.i++
		}
	}
	if !util.IsNumeric(l.peek()) {
		l.i = start
		return l.fail(notNumber)
	}
	digits()
	if l.peek() == '.' {
		buf = append(buf, '.')
		l.i++
		digits()
	}
	if c := l.peek(); c == 'e' || c == 'E' {
		buf = append(buf, c)
		l.i++
		if c := l.peek(); c == '-' || c == '+' {
			buf = append(buf, c)
			l.i++
		}
		digits()
	}
	if _, err := strconv.ParseFloat(string(buf), 64); err != nil {
		l.i = start
		return l.fail(notNumber)
	}
	return true
}

// others mirrors goldmark's parseAttributeOthers: a bare word.
func (l *listScan) others() (kind, bool) {
	if !isNameStart(l.peek()) {
		return 0, l.fail(needsQuotes)
	}
	start := l.i
	for l.i < len(l.s) && isNameChar(l.s[l.i]) {
		l.i++
	}
	switch string(l.s[start:l.i]) {
	case "true", "false":
		return kBool, true
	case "null":
		return kNull, true
	}
	return kBytes, true
}

func isNameStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ':'
}

func isNameChar(c byte) bool {
	return isNameStart(c) || c >= '0' && c <= '9' || c == '.' || c == '-'
}

// explain says what made list fail, for an author who meant the list
// starting at open.
func (l *listScan) explain(open int) string {
	list := l.s[open:]
	var cur, prev *listAttr // the attribute being read, and the one before
	for i := range l.attrs {
		if l.attrs[i].at <= l.at {
			prev, cur = cur, &l.attrs[i]
		}
	}
	if cur != nil && cur.end != 0 {
		// cur was read; the failure is at the next attribute.
		prev, cur = cur, nil
	}
	// run is the word at i: up to a space, "," or "}".
	run := func(i int) string {
		j := i
		for j < len(l.s) && !util.IsSpace(l.s[j]) && l.s[j] != ',' && l.s[j] != '}' {
			j++
		}
		return string(l.s[i:j])
	}

	if cur != nil && l.deep && l.why != openQuote {
		if l.s[cur.start] == '[' {
			return fmt.Sprintf(`attribute %s: cannot read the array %s; separate its values with commas, e.g. %s=[1, "3-4"]`, cur.name, l.s[cur.start:], cur.name)
		}
		return braces(cur.name).Error()
	}
	switch l.why {
	case noClose:
		return fmt.Sprintf(`attribute list %s has no closing "}"; end it with "}"`, list)
	case openQuote:
		v := l.s[l.at:]
		name := "attribute list"
		if cur != nil {
			name = "attribute " + cur.name
		}
		if bytes.IndexByte(v, '}') >= 0 {
			return fmt.Sprintf(`%s: the quoted value %s has no closing quote; close it before the "}"`, name, v)
		}
		return fmt.Sprintf(`%s: the quoted value %s has no closing quote; close the quote, then the list with "}"`, name, v)
	case noValue:
		return fmt.Sprintf(`attribute %s has no value after "="; write %s="…"`, cur.name, cur.name)
	case needsQuotes:
		switch l.s[l.at] {
		case '}', ',':
			return fmt.Sprintf(`attribute %s has no value after "="; write %s="…"`, cur.name, cur.name)
		case '\'':
			return fmt.Sprintf(`attribute %s: quote values with double quotes, e.g. %s="…"`, cur.name, cur.name)
		}
		return fmt.Sprintf(`attribute %s: quote the value, e.g. %s="%s"`, cur.name, cur.name, run(l.at))
	case notNumber:
		return fmt.Sprintf(`attribute %s: %s is not a number; write one such as 1, or quote the value`, cur.name, run(l.at))
	case classType:
		return fmt.Sprintf(`attribute class: quote the value, e.g. class="%s"`, strings.Trim(run(l.at), `"`))
	}

	// A name was expected at l.at (notName) or found without "="
	// (noEquals): often the end of the value before it.
	if prev != nil && prev.end == l.at && prev.bare {
		return fmt.Sprintf(`attribute %s: quote the value, e.g. %s="%s"`, prev.name, prev.name, run(prev.start))
	}
	if prev != nil && prev.end == l.at {
		return fmt.Sprintf(`attribute %s: its quoted value is followed by %s; separate attributes with spaces, and write a quote inside a value as \"`, prev.name, quote([]byte(run(l.at))))
	}
	word := run(l.at)
	end := l.at
	for end < len(l.s) && isNameChar(l.s[end]) {
		end++
	}
	name := string(l.s[l.at:end])
	if l.why == noEquals && prev != nil && prev.bare {
		if name == word {
			return fmt.Sprintf(`attribute %s has no value; write %s="…", or, if it belongs to the value of %s, quote that value: %s="…"`, name, name, prev.name, prev.name)
		}
		return fmt.Sprintf(`%s is not name="value"; if it belongs to the value of %s, quote that value: %s="…"`, quote([]byte(word)), prev.name, prev.name)
	}
	switch {
	case l.why == noEquals && strings.HasSuffix(name, ":"):
		name = strings.TrimSuffix(name, ":")
		return fmt.Sprintf(`attribute %s: write %s="…", with "=" rather than ":"`, name, name)
	case l.why == noEquals && name == word:
		return fmt.Sprintf(`attribute %s has no value; write %s="…"`, name, name)
	case l.why == noEquals:
		r, _ := utf8.DecodeRune(l.s[end:])
		return fmt.Sprintf(`attribute name %s is followed by %q; names are ASCII letters, digits, "_", "-", ":" and "."`, name, r)
	case l.s[l.at] == '}':
		return fmt.Sprintf(`attribute list %s holds only spaces, which Hugo refuses; write {} or remove it`, list)
	}
	return fmt.Sprintf(`attribute list has %s where a name belongs; write name="value" pairs separated by spaces`, quote([]byte(word)))
}

// braces is the error for a value with "{" or "}" in it.
func braces(name string) error {
	return fmt.Errorf(`attribute %s: no value may hold "{" or "}", even quoted: Hugo reads the attributes from the last "{" before the first "}"`, name)
}

// quote shows a piece of an info string, in backquotes if it holds
// double quotes.
func quote(s []byte) string {
	if bytes.IndexByte(s, '"') >= 0 && strconv.CanBackquote(string(s)) {
		return "`" + string(s) + "`"
	}
	return strconv.Quote(string(s))
}
