package handout

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
)

// A PDF is what this package reads back from a printed PDF: how many pages
// it has, the page of each named destination (Chromium names one after
// every id that a link of the document points at), and its links.
//
// The reader knows only what Chromium's PDF backend (Skia) writes: a
// classic cross-reference table and plain (uncompressed) objects, streams
// aside. A file with a cross-reference stream is refused with an error
// rather than misread.
type PDF struct {
	Pages int
	Dests map[string]int // destination name (an id of the document) → page, from 1
	Links []Link
}

// A Link is a link annotation: a URI (another document) or a Dest (a named
// destination of this one).
type Link struct {
	Page int // from 1
	URI  string
	Dest string
}

// ReadPDF reads the pages, named destinations and links of a PDF.
func ReadPDF(b []byte) (*PDF, error) {
	r := &pdfReader{b: b}
	trailer, err := r.xref()
	if err != nil {
		return nil, err
	}
	root, err := r.resolveDict(trailer["Root"])
	if err != nil {
		return nil, fmt.Errorf("pdf: catalog: %w", err)
	}
	pageObjs, err := r.pageTree(root["Pages"], 0)
	if err != nil {
		return nil, fmt.Errorf("pdf: page tree: %w", err)
	}
	pageOf := map[int]int{} // object number → page number
	for i, o := range pageObjs {
		pageOf[o.num] = i + 1
	}
	doc := &PDF{Pages: len(pageObjs), Dests: map[string]int{}}

	// Named destinations: the catalog's /Dests dictionary (PDF 1.1, which
	// Skia writes) or the /Names /Dests name tree (PDF 1.2 and later).
	addDest := func(name string, v any) error {
		v, err := r.resolve(v)
		if err != nil {
			return err
		}
		if d, ok := v.(pdfDict); ok { // << /D [page …] >>
			if v, err = r.resolve(d["D"]); err != nil {
				return err
			}
		}
		arr, ok := v.([]any)
		if !ok || len(arr) == 0 {
			return fmt.Errorf("destination %q is %v", name, v)
		}
		ref, ok := arr[0].(pdfRef)
		if !ok || pageOf[ref.num] == 0 {
			return fmt.Errorf("destination %q points at no page (%v)", name, arr[0])
		}
		doc.Dests[name] = pageOf[ref.num]
		return nil
	}
	if v, ok := root["Dests"]; ok {
		dests, err := r.resolveDict(v)
		if err != nil {
			return nil, fmt.Errorf("pdf: /Dests: %w", err)
		}
		for name, d := range dests {
			if err := addDest(name, d); err != nil {
				return nil, fmt.Errorf("pdf: %w", err)
			}
		}
	}
	if v, ok := root["Names"]; ok {
		names, err := r.resolveDict(v)
		if err != nil {
			return nil, fmt.Errorf("pdf: /Names: %w", err)
		}
		if t, ok := names["Dests"]; ok {
			if err := r.nameTree(t, addDest, 0); err != nil {
				return nil, fmt.Errorf("pdf: /Names /Dests: %w", err)
			}
		}
	}

	// Links, page by page.
	for i, o := range pageObjs {
		annots, err := r.resolve(o.dict["Annots"])
		if err != nil {
			return nil, fmt.Errorf("pdf: page %d: %w", i+1, err)
		}
		list, _ := annots.([]any)
		for _, a := range list {
			ad, err := r.resolveDict(a)
			if err != nil {
				return nil, fmt.Errorf("pdf: page %d: annotation: %w", i+1, err)
			}
			if ad["Subtype"] != pdfName("Link") {
				continue
			}
			l := Link{Page: i + 1}
			if act, err := r.resolveDict(ad["A"]); err == nil {
				switch act["S"] {
				case pdfName("URI"):
					l.URI, _ = act["URI"].(string)
				case pdfName("GoTo"):
					l.Dest = destName(act["D"])
				}
			}
			if d, ok := ad["Dest"]; ok {
				l.Dest = destName(d)
			}
			doc.Links = append(doc.Links, l)
		}
	}
	return doc, nil
}

// destName is the name of a named destination (a PDF name, or a string in
// the name-tree form); "" for an explicit [page …] destination.
func destName(v any) string {
	switch d := v.(type) {
	case pdfName:
		return string(d)
	case string:
		return d
	}
	return ""
}

// ---- Objects ----------------------------------------------------------------

type (
	pdfName string
	pdfDict map[string]any
	pdfRef  struct{ num, gen int }
)

type pageObj struct {
	num  int
	dict pdfDict
}

type pdfReader struct {
	b       []byte
	offsets map[int]int // object number → byte offset of "N G obj"
	cache   map[int]any
}

var startxrefRE = regexp.MustCompile(`startxref\s+(\d+)\s+%%EOF\s*$`)

// xref reads the cross-reference table and returns the trailer dictionary.
// Only the last table is read: Chromium writes a PDF in one go, with no
// incremental update.
func (r *pdfReader) xref() (pdfDict, error) {
	m := startxrefRE.FindSubmatch(r.b)
	if m == nil {
		return nil, errors.New("pdf: no startxref at the end of the file")
	}
	off, _ := strconv.Atoi(string(m[1]))
	if off >= len(r.b) || !bytes.HasPrefix(r.b[off:], []byte("xref")) {
		return nil, errors.New("pdf: no cross-reference table at startxref (a compressed cross-reference stream is not supported)")
	}
	r.offsets = map[int]int{}
	r.cache = map[int]any{}
	l := &pdfLexer{b: r.b, i: off + len("xref")}
	for {
		l.space()
		if bytes.HasPrefix(r.b[l.i:], []byte("trailer")) {
			l.i += len("trailer")
			v, err := l.value()
			if err != nil {
				return nil, fmt.Errorf("pdf: trailer: %w", err)
			}
			d, ok := v.(pdfDict)
			if !ok {
				return nil, errors.New("pdf: trailer is not a dictionary")
			}
			return d, nil
		}
		first, err1 := l.int()
		count, err2 := l.int()
		if err1 != nil || err2 != nil {
			return nil, errors.New("pdf: bad cross-reference subsection header")
		}
		for n := first; n < first+count; n++ {
			l.space()
			if l.i+18 > len(r.b) {
				return nil, errors.New("pdf: cross-reference table cut short")
			}
			e := r.b[l.i : l.i+18] // "oooooooooo ggggg n"
			if e[17] == 'n' {
				o, err := strconv.Atoi(string(e[:10]))
				if err != nil {
					return nil, fmt.Errorf("pdf: bad cross-reference entry %q", e)
				}
				r.offsets[n] = o
			}
			l.i += 18
		}
	}
}

// object parses object num (cached).
func (r *pdfReader) object(num int) (any, error) {
	if v, ok := r.cache[num]; ok {
		return v, nil
	}
	off, ok := r.offsets[num]
	if !ok || off >= len(r.b) {
		return nil, fmt.Errorf("object %d is not in the cross-reference table", num)
	}
	l := &pdfLexer{b: r.b, i: off}
	n, err1 := l.int()
	_, err2 := l.int()
	l.space()
	if err1 != nil || err2 != nil || n != num || !bytes.HasPrefix(r.b[l.i:], []byte("obj")) {
		return nil, fmt.Errorf("object %d: no \"%d 0 obj\" at offset %d", num, num, off)
	}
	l.i += len("obj")
	v, err := l.value()
	if err != nil {
		return nil, fmt.Errorf("object %d: %w", num, err)
	}
	r.cache[num] = v
	return v, nil
}

func (r *pdfReader) resolve(v any) (any, error) {
	for range 32 {
		ref, ok := v.(pdfRef)
		if !ok {
			return v, nil
		}
		var err error
		if v, err = r.object(ref.num); err != nil {
			return nil, err
		}
	}
	return nil, errors.New("references nested too deep")
}

func (r *pdfReader) resolveDict(v any) (pdfDict, error) {
	v, err := r.resolve(v)
	if err != nil {
		return nil, err
	}
	d, ok := v.(pdfDict)
	if !ok {
		return nil, fmt.Errorf("not a dictionary: %v", v)
	}
	return d, nil
}

// pageTree lists the pages below a /Pages node, in order.
func (r *pdfReader) pageTree(v any, depth int) ([]pageObj, error) {
	if depth > 32 {
		return nil, errors.New("page tree nested too deep")
	}
	ref, ok := v.(pdfRef)
	if !ok {
		return nil, errors.New("a page tree node is not a reference")
	}
	d, err := r.resolveDict(ref)
	if err != nil {
		return nil, err
	}
	if d["Type"] == pdfName("Page") {
		return []pageObj{{ref.num, d}}, nil
	}
	kids, err := r.resolve(d["Kids"])
	if err != nil {
		return nil, err
	}
	list, ok := kids.([]any)
	if !ok {
		return nil, fmt.Errorf("object %d has no /Kids", ref.num)
	}
	var out []pageObj
	for _, k := range list {
		p, err := r.pageTree(k, depth+1)
		if err != nil {
			return nil, err
		}
		out = append(out, p...)
	}
	return out, nil
}

// nameTree calls f for each name and value of a name tree.
func (r *pdfReader) nameTree(v any, f func(string, any) error, depth int) error {
	if depth > 32 {
		return errors.New("name tree nested too deep")
	}
	d, err := r.resolveDict(v)
	if err != nil {
		return err
	}
	if names, err := r.resolve(d["Names"]); err == nil {
		list, _ := names.([]any)
		for i := 0; i+1 < len(list); i += 2 {
			if err := f(destName(list[i]), list[i+1]); err != nil {
				return err
			}
		}
	}
	if kids, err := r.resolve(d["Kids"]); err == nil {
		list, _ := kids.([]any)
		for _, k := range list {
			if err := r.nameTree(k, f, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// ---- Lexer and parser of one value -------------------------------------------

type pdfLexer struct {
	b []byte
	i int
}

func isPDFSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0
}

func isPDFDelim(c byte) bool {
	return bytes.IndexByte([]byte("()<>[]{}/%"), c) >= 0
}

// space skips white space and comments.
func (l *pdfLexer) space() {
	for l.i < len(l.b) {
		switch c := l.b[l.i]; {
		case isPDFSpace(c):
			l.i++
		case c == '%':
			for l.i < len(l.b) && l.b[l.i] != '\n' && l.b[l.i] != '\r' {
				l.i++
			}
		default:
			return
		}
	}
}

// word reads a run of regular characters (a number or a keyword).
func (l *pdfLexer) word() string {
	l.space()
	start := l.i
	for l.i < len(l.b) && !isPDFSpace(l.b[l.i]) && !isPDFDelim(l.b[l.i]) {
		l.i++
	}
	return string(l.b[start:l.i])
}

func (l *pdfLexer) int() (int, error) {
	return strconv.Atoi(l.word())
}

// value parses one value: a reference "N G R" is told from two numbers by
// looking ahead.
func (l *pdfLexer) value() (any, error) {
	l.space()
	if l.i >= len(l.b) {
		return nil, errors.New("unexpected end of file")
	}
	switch c := l.b[l.i]; {
	case c == '/':
		l.i++
		return l.name(), nil
	case c == '(':
		return l.literal()
	case c == '<' && l.i+1 < len(l.b) && l.b[l.i+1] == '<':
		l.i += 2
		d := pdfDict{}
		for {
			l.space()
			if bytes.HasPrefix(l.b[l.i:], []byte(">>")) {
				l.i += 2
				return d, nil
			}
			if l.i >= len(l.b) || l.b[l.i] != '/' {
				return nil, fmt.Errorf("dictionary key expected at offset %d", l.i)
			}
			l.i++
			k := l.name()
			v, err := l.value()
			if err != nil {
				return nil, err
			}
			d[string(k)] = v
		}
	case c == '<':
		return l.hex()
	case c == '[':
		l.i++
		var a []any
		for {
			l.space()
			if l.i < len(l.b) && l.b[l.i] == ']' {
				l.i++
				return a, nil
			}
			v, err := l.value()
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
	}
	start := l.i
	w := l.word()
	switch w {
	case "":
		return nil, fmt.Errorf("unexpected %q at offset %d", l.b[start], start)
	case "true":
		return true, nil
	case "false":
		return false, nil
	case "null":
		return nil, nil
	}
	n, err := strconv.ParseFloat(w, 64)
	if err != nil {
		return nil, fmt.Errorf("unexpected %q at offset %d", w, start)
	}
	// "N G R"?
	if num, err := strconv.Atoi(w); err == nil {
		save := l.i
		if gen, err := l.int(); err == nil && l.word() == "R" {
			return pdfRef{num, gen}, nil
		}
		l.i = save
	}
	return n, nil
}

// name reads a name after its "/", decoding #xx escapes.
func (l *pdfLexer) name() pdfName {
	var out []byte
	for l.i < len(l.b) && !isPDFSpace(l.b[l.i]) && !isPDFDelim(l.b[l.i]) {
		c := l.b[l.i]
		if c == '#' && l.i+2 < len(l.b) {
			if v, err := strconv.ParseUint(string(l.b[l.i+1:l.i+3]), 16, 8); err == nil {
				out = append(out, byte(v))
				l.i += 3
				continue
			}
		}
		out = append(out, c)
		l.i++
	}
	return pdfName(out)
}

// literal reads a (string) with its escapes and balanced parentheses.
func (l *pdfLexer) literal() (string, error) {
	l.i++ // (
	var out []byte
	depth := 1
	for l.i < len(l.b) {
		c := l.b[l.i]
		l.i++
		switch c {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return string(out), nil
			}
		case '\\':
			if l.i >= len(l.b) {
				break
			}
			e := l.b[l.i]
			l.i++
			switch e {
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case '\r', '\n': // a line continuation
				if e == '\r' && l.i < len(l.b) && l.b[l.i] == '\n' {
					l.i++
				}
				continue
			default:
				if e >= '0' && e <= '7' {
					v := int(e - '0')
					for k := 0; k < 2 && l.i < len(l.b) && l.b[l.i] >= '0' && l.b[l.i] <= '7'; k++ {
						v = v*8 + int(l.b[l.i]-'0')
						l.i++
					}
					c = byte(v)
				} else {
					c = e // \( \) \\ and any other character stand for themselves
				}
			}
		}
		out = append(out, c)
	}
	return "", errors.New("unterminated string")
}

// hex reads a <hex string>.
func (l *pdfLexer) hex() (string, error) {
	end := bytes.IndexByte(l.b[l.i:], '>')
	if end < 0 {
		return "", errors.New("unterminated hex string")
	}
	var digits []byte
	for _, c := range l.b[l.i+1 : l.i+end] {
		if !isPDFSpace(c) {
			digits = append(digits, c)
		}
	}
	l.i += end + 1
	if len(digits)%2 == 1 {
		digits = append(digits, '0')
	}
	out := make([]byte, len(digits)/2)
	for k := range out {
		v, err := strconv.ParseUint(string(digits[2*k:2*k+2]), 16, 8)
		if err != nil {
			return "", fmt.Errorf("bad hex string: %w", err)
		}
		out[k] = byte(v)
	}
	return string(out), nil
}
