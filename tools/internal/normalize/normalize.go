// Package normalize rewrites the incidental parts of Docker command output
// (IDs, names, addresses, times, sizes) into stable placeholders, so that
// verify can compare what a page shows with a fresh run by meaning.
//
// Normalised text is only ever used for comparison; what is written into a
// page is always the raw output.
//
// # Placeholders
//
// Numbered placeholders identify a value: within one Normalizer (one page)
// the same real value always becomes the same placeholder, and kinds are
// numbered separately in order of first appearance:
//
//	<container-N>  bare 64-hex or 12-hex object IDs (see "Hex IDs" below)
//	<image-N>      hex IDs first seen in an image context
//	<digest-N>     sha256:… references and image-layer IDs
//	<name-N>       Docker's generated names (adjective_surname[digit])
//	<ip-N>         IPv4 and IPv6 addresses except 127.0.0.0/8, 0.0.0.0, ::, ::1
//	<mac-N>        MAC addresses except broadcast and all-zero
//	<port-N>       ephemeral host ports 32768–60999 after ':' or in "HostPort"
//	<uuid-N>       UUIDs (docker info's ID, request IDs)
//
// Unnumbered placeholders only say "something varying was here":
//
//	<timestamp>    RFC 3339/ISO dates and times, Go's time.String form,
//	               syslog/date(1)/RFC 1123/nginx/Redis dates, ls -l's
//	               "Nov 26 17:28", bare hh:mm:ss (not bare hh:mm)
//	<time>         Docker's relative times: "2 hours ago", "Up About a minute"
//	               keeps "Up"; "Exited (0) 5 seconds ago" keeps "Exited (0)"
//	<duration>     0.3s, 12ms, 1m2.5s, BuildKit's "#5 0.234" elapsed column,
//	               apt's "in 2s", ping's "time=0.045 ms"
//	<size>         12.3MB, 0B, 1.2GB (89%), 8,791 kB, and "Size": N in JSON
//	<percent>      decimal percentages such as docker stats' 0.05%
//	<redacted>     matches of the caller's redaction patterns
//	<cpus>         the CPU count in docker info ("CPUs: 2", "NCPU": 2)
//
// # Machine facts
//
// Some values are not recognisable by their shape, yet say only which
// machine ran the command: the kernel release that every container's uname
// prints, the daemon's data root in docker inspect's paths, the host name.
// The caller knows them (package hostfacts reads them from the daemon) and
// hands each side's own values to its Normalizer with Known; they become
// <kernel>, <docker-root>, <hostname>, wherever they stand as a whole token.
// The page still shows the real value that the capture machine printed.
//
// # Hex IDs
//
// Text alone cannot tell a container ID from an image or network ID, so the
// rule is: identity is decided by value, kind only by where a value is first
// seen. All hex values are keyed by their first 12 characters, which is
// exactly Docker's short form, so "docker ps" showing the 12-hex prefix of the
// 64-hex ID that "docker run -d" printed (or a container's hostname) gets the
// same placeholder, in either order, with or without a "sha256:" prefix. The
// kind at first sight is:
//
//   - "sha256:HEX" (the whole reference is replaced) → image after "image",
//     "image ID:", `"Id": "`, "Deleted:", "built" or "config"; otherwise digest.
//   - bare HEX followed by a pull/push status (": Pull complete", …) → digest,
//     since those are layer IDs.
//   - bare HEX after "image", "built", "--->", as the third column of an
//     "image ls" row, or first on a "docker history" row → image.
//   - any other bare 64-hex or 12-hex → container (this includes network and
//     exec IDs, and "docker images -q", which look the same).
//
// # What stays
//
// Ordinary words, version numbers (20.10.24), ports outside the ephemeral
// range (80, 5000, 8080), integer seconds ("5s", which are usually chosen by
// the author), integer percentages and PIDs are left alone. A four-part
// version number that is a valid IPv4 address is the one known casualty.
//
// # Layout
//
// Runs of two or more blanks inside a line become exactly two spaces, so that
// a placeholder of a different width than the value does not shift Docker's
// padded table columns into a diff; leading indentation is kept and trailing
// blanks are dropped. Numbers are right-aligned to widths that can depend on
// the machine (ps pads PIDs to the digits of pid_max): on a line that starts
// with a number or a PID header, the indentation is dropped and a run of
// blanks before a number is one blank.
//
// Normalisation is idempotent: text that already contains placeholders is
// left as it is, whichever Normalizer processes it.
package normalize

import (
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Normalizer holds the value→placeholder mapping of one page. It is not safe
// for concurrent use.
type Normalizer struct {
	extra []*regexp.Regexp
	known []rule // exact values the caller knows, see Known
	// seen maps kind → value → placeholder; hex IDs use kind "hex" and the
	// 12-character prefix as the value so short and long forms meet.
	seen  map[string]map[string]string
	count map[string]int
}

// New returns a Normalizer for one page. Matches of the extra patterns are
// replaced by <redacted> on every line, before anything else.
func New(extra ...*regexp.Regexp) *Normalizer {
	n := &Normalizer{
		seen:  map[string]map[string]string{},
		count: map[string]int{},
	}
	for _, re := range extra {
		if re != nil {
			n.extra = append(n.extra, re)
		}
	}
	return n
}

// Lines normalises each line; see Line. A run of layer progress lines
// ("3f2a1b2c3d4e: Pull complete", one per layer of a pull or push) reads
// as "<layer>: Pull complete", in the order of its statuses: an engine with the containerd image
// store fetches and pushes layers at once and reports them in the order
// they finish, which differs from run to run.
func (n *Normalizer) Lines(lines []string, blockRedact *regexp.Regexp) []string {
	lines = slices.Clone(lines)
	for i := 0; i < len(lines); {
		j := i
		for j < len(lines) && layerLine.MatchString(lines[j]) {
			// Unnumbered: the numbers would follow the varying order, and
			// a page's push and pull name the same layers in two orders.
			lines[j] = "<layer>" + lines[j][12:]
			j++
		}
		if j > i+1 {
			slices.SortStableFunc(lines[i:j], func(a, b string) int {
				return strings.Compare(a[strings.IndexByte(a, ':'):], b[strings.IndexByte(b, ':'):])
			})
		}
		i = max(j, i+1)
	}
	historyLayers(lines)
	for i, l := range lines {
		// A file a build step copied is named by the hash of its
		// content, and a base image's root file system archive differs
		// with every debootstrap (its files' times).
		lines[i] = buildFileHash.ReplaceAllString(l, "${1}<hash>")
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = n.Line(l, blockRedact)
	}
	return out
}

// historyLayers makes the first column of `docker history` rows <layer>:
// the image ID of a step when the daemon keeps the image the build made
// for it, <missing> when it does not (a pulled image, or one whose build
// images were removed), which depends on how the image came to the
// machine, not on what the reader will see of it. An output is history
// when a row says <missing> or a table header reads IMAGE, CREATED.
func historyLayers(lines []string) {
	history := false
	for _, l := range lines {
		if historyRowStart.MatchString(l) && strings.HasPrefix(l, "<missing>") || historyHeader.MatchString(l) {
			history = true
			break
		}
	}
	if !history {
		return
	}
	for i, l := range lines {
		if m := historyRowStart.FindStringIndex(l); m != nil {
			lines[i] = "<layer>" + l[strings.IndexAny(l, " \t"):]
		}
	}
}

// Line normalises one line of output. Matches of blockRedact (may be nil),
// like those of the patterns given to New, become <redacted> first.
func (n *Normalizer) Line(s string, blockRedact *regexp.Regexp) string {
	segs := freeze(s)
	rules := make([]rule, 0, len(n.extra)+1+len(n.known)+len(baseRules))
	for _, re := range n.extra {
		rules = append(rules, redactRule(re))
	}
	if blockRedact != nil {
		rules = append(rules, redactRule(blockRedact))
	}
	rules = append(rules, n.known...)
	rules = append(rules, baseRules...)

	// Repeat until nothing changes. A rule that consumes part of a line
	// splits it into smaller segments on which an earlier rule may now
	// match; running to a fixed point is what makes the result idempotent.
	// It terminates because every change strictly shrinks the unfrozen text.
	for {
		var changed bool
		segs, changed = collapse(segs)
		for _, r := range rules {
			var c bool
			segs, c = r.apply(n, segs)
			changed = changed || c
		}
		if !changed {
			return join(segs)
		}
	}
}

// Known makes text <label> wherever it stands as a whole token: not inside
// a longer word, number, version or name (letters, digits, '_', '.', '-'
// on either side keep it). Longer values are tried first, so a value that
// contains another wins. Empty text is ignored.
func (n *Normalizer) Known(label, text string) {
	if text == "" {
		return
	}
	r := rule{re: regexp.MustCompile(regexp.QuoteMeta(text)), accept: wholeToken, repl: fixed("<" + label + ">")}
	i := 0
	for i < len(n.known) && len(n.known[i].re.String()) >= len(r.re.String()) {
		i++
	}
	n.known = append(n.known[:i], append([]rule{r}, n.known[i:]...)...)
}

func wholeToken(s string, st, en int) bool {
	inToken := func(c byte) bool { return isWord(c) || c == '.' || c == '-' }
	return (st == 0 || !inToken(s[st-1])) && (en == len(s) || !inToken(s[en]))
}

// assign returns the placeholder for value of kind, allocating the next
// number of the placeholder's label on first sight.
func (n *Normalizer) assign(kind, value, label string) string {
	m := n.seen[kind]
	if m == nil {
		m = map[string]string{}
		n.seen[kind] = m
	}
	if p, ok := m[value]; ok {
		return p
	}
	n.count[label]++
	p := "<" + label + "-" + strconv.Itoa(n.count[label]) + ">"
	m[value] = p
	return p
}

// segment is a piece of a line; frozen segments are placeholders that no
// rule may touch again.
type segment struct {
	text   string
	frozen bool
}

var placeholderRE = regexp.MustCompile(`<(?:container|image|digest|name|ip|mac|port|uuid)-\d+>|<(?:timestamp|time|duration|size|percent|redacted|cpus|kernel|docker-root|hostname)>`)

// freeze splits s into segments, freezing placeholders already present, so
// that normalising normalised text is a no-op.
func freeze(s string) []segment {
	var segs []segment
	last := 0
	for _, loc := range placeholderRE.FindAllStringIndex(s, -1) {
		if loc[0] > last {
			segs = append(segs, segment{text: s[last:loc[0]]})
		}
		segs = append(segs, segment{text: s[loc[0]:loc[1]], frozen: true})
		last = loc[1]
	}
	if last < len(s) {
		segs = append(segs, segment{text: s[last:]})
	}
	return segs
}

func join(segs []segment) string {
	var b strings.Builder
	for _, sg := range segs {
		b.WriteString(sg.text)
	}
	return b.String()
}

// tidy drops empty segments and merges neighbouring unfrozen ones, so a
// line's segmentation depends only on where its placeholders are.
func tidy(segs []segment) []segment {
	out := segs[:0:0]
	for _, sg := range segs {
		if sg.text == "" {
			continue
		}
		if k := len(out) - 1; k >= 0 && !sg.frozen && !out[k].frozen {
			out[k].text += sg.text
			continue
		}
		out = append(out, sg)
	}
	return out
}

var blankRun = regexp.MustCompile(`[ \t]{2,}`)

// Right-aligned numbers are padded to a width that can be the machine's:
// ps pads PIDs to the digits of pid_max (5 on one machine, 7 on another).
// So on a line that starts with a number or a PID header (after any
// indentation, which is dropped), a run of blanks before a number is one
// blank.
var (
	rightAligned    = regexp.MustCompile(`^(?:\d+(?:[ \t]|$)|PID\b)`)
	padBeforeNumber = regexp.MustCompile(`[ \t]{2,}(\d)`)
)

// collapse makes inner blank runs two spaces and trims trailing blanks.
func collapse(segs []segment) ([]segment, bool) {
	changed := false
	for i := range segs {
		if segs[i].frozen {
			continue
		}
		t := segs[i].text
		if i == len(segs)-1 {
			t = strings.TrimRight(t, " \t\r")
		}
		lead := ""
		if i == 0 {
			j := len(t) - len(strings.TrimLeft(t, " \t"))
			lead, t = t[:j], t[j:]
			if rightAligned.MatchString(t) {
				lead = ""
				t = padBeforeNumber.ReplaceAllString(t, " $1")
			}
		}
		t = lead + blankRun.ReplaceAllString(t, "  ")
		if t != segs[i].text {
			segs[i].text = t
			changed = true
		}
	}
	if !changed {
		return segs, false
	}
	return tidy(segs), true
}

// rule replaces matches of re (or of its submatch group) in unfrozen
// segments by the placeholder that repl returns. accept, if set, can veto a
// candidate by looking at its surroundings within the segment, standing in
// for the lookarounds Go's regexp lacks.
type rule struct {
	re     *regexp.Regexp
	group  int
	accept func(s string, start, end int) bool
	repl   func(n *Normalizer, s string, start, end int) string
}

func (r rule) apply(n *Normalizer, segs []segment) ([]segment, bool) {
	var out []segment
	changed := false
	for _, sg := range segs {
		if sg.frozen {
			out = append(out, sg)
			continue
		}
		last := 0
		for _, loc := range r.re.FindAllStringSubmatchIndex(sg.text, -1) {
			st, en := loc[2*r.group], loc[2*r.group+1]
			if st < 0 || st == en || st < last {
				continue
			}
			if r.accept != nil && !r.accept(sg.text, st, en) {
				continue
			}
			out = append(out,
				segment{text: sg.text[last:st]},
				segment{text: r.repl(n, sg.text, st, en), frozen: true})
			last = en
			changed = true
		}
		out = append(out, segment{text: sg.text[last:]})
	}
	if !changed {
		return segs, false
	}
	return tidy(out), true
}

func redactRule(re *regexp.Regexp) rule {
	return rule{re: re, repl: fixed("<redacted>")}
}

func fixed(p string) func(*Normalizer, string, int, int) string {
	return func(*Normalizer, string, int, int) string { return p }
}

// numbered keys a placeholder by the matched text itself.
func numbered(label string, canon func(string) string) func(*Normalizer, string, int, int) string {
	return func(n *Normalizer, s string, st, en int) string {
		v := s[st:en]
		if canon != nil {
			v = canon(v)
		}
		return n.assign(label, v, label)
	}
}

const (
	months = `(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)`
	days   = `(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)`
	// human is Docker's go-units HumanDuration vocabulary.
	human = `(?:[Ll]ess than a second|[Aa]bout an? (?:minute|hour)|[Aa]n? (?:second|minute|hour|day|week|month|year)|\d+ (?:second|minute|hour|day|week|month|year)s?)`
)

const layerStatuses = `Pull complete|Already exists|Pulling fs layer|Waiting|Download complete|Verifying Checksum|Downloading|Extracting|Pushed|Pushing|Preparing|Layer already exists|Mounted from|Retrying`

var (
	// layerStatus follows a layer ID in pull/push progress output.
	layerStatus = regexp.MustCompile(`^: (?:` + layerStatuses + `)`)
	// layerLine is a whole line of pull or push progress for one layer.
	layerLine   = regexp.MustCompile(`^[0-9a-f]{12}: (?:` + layerStatuses + `)`)
	shaImageCtx = regexp.MustCompile(`(?i)(?:\bimage\b[^a-z0-9]*(?:\bid\b[^a-z0-9]*)?|"id":\s*"|\bdeleted:\s*|\bbuilt\s+|\bconfig\s+)$`)
	bareImgCtx  = regexp.MustCompile(`(?i)(?:\bimage\b[^a-z0-9]*(?:\bid\b[^a-z0-9]*)?|\bbuilt\s+|--->\s*)$`)
	// imageLsRow is "REPOSITORY  TAG  " before the IMAGE ID column.
	imageLsRow = regexp.MustCompile(`^\S+[ \t]{2,}\S+[ \t]{2,}$`)
	// buildFileHash is the content hash of the files in a classic build
	// step's description in docker history: "ADD file:fa8af0f3292f…".
	buildFileHash = regexp.MustCompile(`((?:ADD|COPY) (?:file|dir|multi):)[0-9a-f]{6,}…?`)
	// historyRowStart is a history row's first column and the blanks after it.
	historyRowStart = regexp.MustCompile(`^(?:[0-9a-f]{12}|<missing>)[ \t]{2,}\S`)
	historyHeader   = regexp.MustCompile(`^IMAGE[ \t]{2,}(?:CREATED|SIZE)\b`)
	// historyRow is the CREATED column right after a "docker history" ID.
	historyRow = regexp.MustCompile(`^[ \t]{2,}` + human + ` ago\b`)
)

const ctxWindow = 80

func hexRepl(prefixed bool) func(n *Normalizer, s string, st, en int) string {
	return func(n *Normalizer, s string, st, en int) string {
		hex := strings.TrimPrefix(s[st:en], "sha256:")
		// The context only picks a label, so a short window is enough and
		// keeps lines with many IDs linear.
		before, after := s[max(0, st-ctxWindow):st], s[en:min(len(s), en+ctxWindow)]
		whole := st <= ctxWindow // before is the segment's whole prefix
		label := "container"
		switch {
		case prefixed && shaImageCtx.MatchString(before):
			label = "image"
		case prefixed:
			label = "digest"
		case layerStatus.MatchString(after):
			label = "digest"
		case bareImgCtx.MatchString(before), whole && imageLsRow.MatchString(before),
			st == 0 && historyRow.MatchString(after):
			label = "image"
		}
		return n.assign("hex", hex[:12], label)
	}
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isHex(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func isWord(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_'
}

// notInDottedRun rejects a candidate that is part of a longer dotted number
// (1.2.3.4.5) or colon-separated group (a MAC inside something longer).
func notInDottedRun(sep byte) func(s string, st, en int) bool {
	return func(s string, st, en int) bool {
		if st > 0 && s[st-1] == sep {
			return false
		}
		if en+1 < len(s) && s[en] == sep && isHex(s[en+1]) {
			return false
		}
		return true
	}
}

// acceptMAC keeps the broadcast and zero addresses, which mean something.
func acceptMAC(s string, st, en int) bool {
	switch strings.ToLower(s[st:en]) {
	case "ff:ff:ff:ff:ff:ff", "00:00:00:00:00:00":
		return false
	}
	return notInDottedRun(':')(s, st, en)
}

func acceptIPv4(s string, st, en int) bool {
	if !notInDottedRun('.')(s, st, en) {
		return false
	}
	a, err := netip.ParseAddr(s[st:en])
	return err == nil && !a.IsUnspecified() && !a.IsLoopback()
}

func acceptIPv6(s string, st, en int) bool {
	if st > 0 && (isWord(s[st-1]) || s[st-1] == ':' || s[st-1] == '.') {
		return false
	}
	if en < len(s) && (isWord(s[en]) || s[en] == ':' || s[en] == '.') {
		return false
	}
	a, err := netip.ParseAddr(s[st:en])
	return err == nil && a.Is6() && !a.IsUnspecified() && !a.IsLoopback()
}

func canonIP(v string) string {
	if a, err := netip.ParseAddr(v); err == nil {
		return a.String()
	}
	return v
}

func acceptEphemeralPort(s string, st, en int) bool {
	p, err := strconv.Atoi(s[st:en])
	return err == nil && p >= 32768 && p <= 60999
}

func acceptClock(s string, st, en int) bool {
	if st > 0 && (s[st-1] == ':' || s[st-1] == '.') {
		return false
	}
	return en >= len(s) || s[en] != ':'
}

func nameRE() *regexp.Regexp {
	return regexp.MustCompile(`\b(?:` + strings.Join(nameLeft, "|") + `)_(?:` +
		strings.Join(nameRight, "|") + `)\d?\b`)
}

// baseRules run in this order; earlier rules claim text first, so the
// specific forms (timestamps, IDs) precede the loose ones (sizes, durations).
var baseRules = []rule{
	{re: regexp.MustCompile(`\b[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}\b`),
		accept: acceptMAC, repl: numbered("mac", strings.ToLower)},

	// ISO/RFC 3339 and Go's time.String ("2026-11-26 17:28:22.1 +0000 UTC").
	{re: regexp.MustCompile(`\b(?:19|20)\d\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?:[T ]\d\d:\d\d(?::\d\d(?:[.,]\d+)?)?(?:Z\b| ?[+-]\d\d:?\d\d\b(?: [A-Z]{2,5}\b)?| UTC\b)?(?: m=[+-]\d+\.\d+)?)?`),
		repl: fixed("<timestamp>")},
	// Go's log package: 2026/11/26 17:28:22.
	{re: regexp.MustCompile(`\b\d{4}/\d\d/\d\d \d\d:\d\d:\d\d(?:\.\d+)?\b`), repl: fixed("<timestamp>")},
	// syslog and date(1): "Nov 26 17:28:22", "Thu Nov 26 17:28:22 UTC 2026".
	{re: regexp.MustCompile(`\b(?:` + days + `,? +)?` + months + ` +\d{1,2},? +(?:\d{4} +)?\d\d:\d\d:\d\d(?:\.\d+)?(?: [A-Z]{2,5}\b)?(?: \d{4}\b)?`),
		repl: fixed("<timestamp>")},
	// ls -l: "Nov 26 17:28" (files made during the run; older ones show a
	// year instead of a time and are left alone).
	{re: regexp.MustCompile(`\b` + months + ` +\d{1,2} +\d\d:\d\d\b`), accept: acceptClock, repl: fixed("<timestamp>")},
	// RFC 1123 (HTTP Date headers): "Thu, 26 Nov 2026 17:28:22 GMT"; Redis
	// logs the same without the weekday and with milliseconds.
	{re: regexp.MustCompile(`\b(?:` + days + `, )?\d{1,2} ` + months + ` \d{4} \d\d:\d\d:\d\d(?:\.\d+)?(?: (?:GMT|UTC|[+-]\d{4})\b)?`),
		repl: fixed("<timestamp>")},
	// Common log format (nginx, Apache): 26/Nov/2026:17:28:22 +0000.
	{re: regexp.MustCompile(`\b\d\d/` + months + `/\d{4}:\d\d:\d\d:\d\d(?: [+-]\d{4}\b)?`), repl: fixed("<timestamp>")},
	// A bare clock time.
	{re: regexp.MustCompile(`\b\d\d:\d\d:\d\d(?:[.,]\d+)?\b`), accept: acceptClock, repl: fixed("<timestamp>")},

	{re: regexp.MustCompile(`\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b`),
		repl: numbered("uuid", strings.ToLower)},
	{re: regexp.MustCompile(`\bsha256:[0-9a-f]{12,64}\b`), repl: hexRepl(true)},
	{re: regexp.MustCompile(`\b(?:[0-9a-f]{64}|[0-9a-f]{12})\b`), repl: hexRepl(false)},

	{re: regexp.MustCompile(`\b(?:\d{1,3}\.){3}\d{1,3}\b`), accept: acceptIPv4, repl: numbered("ip", canonIP)},
	{re: regexp.MustCompile(`(?::|"HostPort":\s*")(\d{5})\b`), group: 1,
		accept: acceptEphemeralPort, repl: numbered("port", nil)},
	{re: regexp.MustCompile(`(?i)[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}`), accept: acceptIPv6, repl: numbered("ip", canonIP)},

	{re: nameRE(), repl: numbered("name", nil)},

	{re: regexp.MustCompile(`\b` + human + ` ago\b`), repl: fixed("<time>")},
	{re: regexp.MustCompile(`\bUp (` + human + `)\b`), group: 1, repl: fixed("<time>")},

	{re: regexp.MustCompile(`"(?:Size|VirtualSize|SizeRw|SizeRootFs|MemTotal)":\s*(\d+)`), group: 1, repl: fixed("<size>")},
	// The machine's CPU count, where docker info prints it.
	{re: regexp.MustCompile(`(?:\bCPUs:\s*|"NCPU":\s*)(\d+)\b`), group: 1, repl: fixed("<cpus>")},
	{re: regexp.MustCompile(`\b\d+(?:[.,]\d+)* ?(?:[kKMGTPE]i?B|B)\b(?: \(\d+(?:\.\d+)?%\))?`), repl: fixed("<size>")},

	{re: regexp.MustCompile(`\b(?:\d+h\d+m\d+(?:\.\d+)?s|\d+m\d+(?:\.\d+)?s|\d+\.\d+s|\d+(?:\.\d+)?(?:ns|µs|us|ms))\b`),
		repl: fixed("<duration>")},
	// BuildKit's plain progress prefixes step output with elapsed seconds.
	{re: regexp.MustCompile(`^#\d+ (\d+\.\d+)(?: |$)`), group: 1, repl: fixed("<duration>")},
	{re: regexp.MustCompile(`\bin (\d+s)\b`), group: 1, repl: fixed("<duration>")},
	{re: regexp.MustCompile(`\btime[=<](\d+(?:\.\d+)? ?ms)\b`), group: 1, repl: fixed("<duration>")},
	{re: regexp.MustCompile(`= (\d+\.\d+(?:/\d+\.\d+){2,3} ms)\b`), group: 1, repl: fixed("<duration>")},

	{re: regexp.MustCompile(`\b\d+\.\d+%`), repl: fixed("<percent>")},
}
