package images

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/client"
	"github.com/docker/docker/pkg/stdcopy"
)

// parity is a recipe's parity.json: what the official image it stands in
// for looks like (each fact with its source), and the differences the
// stand-in is known to have. The site's images page renders the same file.
type parity struct {
	Image    string `json:"image"`
	Summary  string `json:"summary"` // one line for the site
	Official struct {
		Name    string                  `json:"name"`
		Sources map[string]paritySource `json:"sources"`
		Config  map[string]parityFact   `json:"config"`
		Startup struct {
			Source  string       `json:"source"`
			Note    string       `json:"note"`
			Until   string       `json:"until"`   // regexp: the server is up once a line matches; empty: the container exits by itself
			Ordered bool         `json:"ordered"` // lines in this order; else in any order
			Lines   []parityLine `json:"lines"`
		} `json:"startup"`
	} `json:"official"`
	Differences []parityDifference `json:"differences"`
}

type paritySource struct {
	Repo   string `json:"repo"`
	Path   string `json:"path"`
	Commit string `json:"commit"`
	What   string `json:"what"`
}

type parityFact struct {
	Value  json.RawMessage `json:"value"`
	Source string          `json:"source"`
}

type parityLine struct {
	Match    string `json:"match"` // regexp for one whole line
	Source   string `json:"source"`
	Repeat   bool   `json:"repeat,omitempty"`   // one or more lines
	Optional bool   `json:"optional,omitempty"` // depends on the host (e.g. a kernel setting): may be absent
}

type parityDifference struct {
	Field    string          `json:"field"`
	Official json.RawMessage `json:"official"`
	Standin  json.RawMessage `json:"standin"`
	After    string          `json:"after,omitempty"` // startup: a line only the stand-in prints comes after this official line ("" = first)
	Why      string          `json:"why"`
}

// The configuration fields the test reads from `docker image inspect`.
var parityConfigFields = []string{"entrypoint", "cmd", "user", "workdir", "env", "exposedPorts", "volumes", "stopSignal"}

// Differences in these fields are facts for readers that the test cannot
// observe in the image's configuration or start-up output.
var parityNotedFields = map[string]bool{"version": true, "base": true, "contents": true, "history": true, "tags": true, "configFile": true}

func loadParity(t *testing.T, cat *Catalog, name string) *parity {
	t.Helper()
	p := filepath.Join(cat.Recipe(name).Dir, ParityFile)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%s: %v (every recipe describes the official image it stands in for)", name, err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var par parity
	if err := dec.Decode(&par); err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	return &par
}

// checkParityFile: the table is complete and every fact names a source.
func checkParityFile(par *parity, recipe string) []string {
	var errs []string
	bad := func(f string, a ...any) { errs = append(errs, fmt.Sprintf(f, a...)) }
	if par.Image != recipe {
		bad("image is %q, want the recipe's name %q", par.Image, recipe)
	}
	if par.Official.Name == "" || par.Summary == "" {
		bad("official.name and summary are required")
	}
	for id, s := range par.Official.Sources {
		if s.Repo == "" || s.Path == "" || len(s.Commit) != 40 || s.What == "" {
			bad("source %s: repo, path, a 40-digit commit and what are required: %+v", id, s)
		}
	}
	source := func(where, id string) {
		if _, ok := par.Official.Sources[id]; !ok {
			bad("%s: source %q is not among official.sources", where, id)
		}
	}
	for _, f := range parityConfigFields {
		fact, ok := par.Official.Config[f]
		if !ok {
			bad("official.config.%s is missing", f)
			continue
		}
		source("config."+f, fact.Source)
	}
	for f := range par.Official.Config {
		if !contains(parityConfigFields, f) {
			bad("official.config.%s is not a field the test reads", f)
		}
	}
	source("startup", par.Official.Startup.Source)
	for i, l := range par.Official.Startup.Lines {
		source(fmt.Sprintf("startup line %d", i+1), l.Source)
		if _, err := regexp.Compile(l.Match); err != nil {
			bad("startup line %d: %v", i+1, err)
		}
	}
	if _, err := regexp.Compile(par.Official.Startup.Until); err != nil {
		bad("startup.until: %v", err)
	}
	for i, d := range par.Differences {
		if d.Why == "" {
			bad("difference %d (%s) says not why", i+1, d.Field)
		}
		if !contains(parityConfigFields, d.Field) && d.Field != "startup" && !parityNotedFields[d.Field] {
			bad("difference %d: unknown field %q", i+1, d.Field)
		}
	}
	return errs
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// configValue is one field of the image's configuration as the table
// writes it: lists of names sorted, absent lists empty.
func configValue(c *container.Config, field string) any {
	names := func(m map[string]struct{}) []string {
		out := []string{}
		for k := range m {
			out = append(out, k)
		}
		sort.Strings(out)
		return out
	}
	list := func(l []string) []string {
		if l == nil {
			return []string{}
		}
		return l
	}
	switch field {
	case "entrypoint":
		return list(c.Entrypoint)
	case "cmd":
		return list(c.Cmd)
	case "user":
		return c.User
	case "workdir":
		return c.WorkingDir
	case "env":
		out := []string{}
		for _, e := range c.Env {
			k, _, _ := strings.Cut(e, "=")
			out = append(out, k)
		}
		sort.Strings(out)
		return out
	case "exposedPorts":
		m := map[string]struct{}{}
		for p := range c.ExposedPorts {
			m[string(p)] = struct{}{}
		}
		return names(m)
	case "volumes":
		return names(c.Volumes)
	case "stopSignal":
		return c.StopSignal
	}
	panic("unknown field " + field)
}

// sameJSON compares a table value with a Go value as JSON; lists of
// names compare as sets for env, ports and volumes.
func sameJSON(raw json.RawMessage, v any, field string) bool {
	var a any
	if err := json.Unmarshal(raw, &a); err != nil {
		return false
	}
	b, _ := json.Marshal(v)
	var bv any
	json.Unmarshal(b, &bv)
	if field == "env" || field == "exposedPorts" || field == "volumes" {
		a, bv = sortedList(a), sortedList(bv)
	}
	return reflect.DeepEqual(a, bv)
}

func sortedList(v any) any {
	l, ok := v.([]any)
	if !ok {
		return v
	}
	s := make([]string, 0, len(l))
	for _, x := range l {
		s = append(s, fmt.Sprint(x))
	}
	sort.Strings(s)
	return s
}

// compareConfig returns every mismatch between the image's configuration
// and the official one that is not a listed difference, and every listed
// difference that does not hold.
func compareConfig(par *parity, c *container.Config) []string {
	var errs []string
	for _, f := range parityConfigFields {
		got := configValue(c, f)
		gotJSON, _ := json.Marshal(got)
		official := par.Official.Config[f].Value
		var listed *parityDifference
		for i := range par.Differences {
			if par.Differences[i].Field == f {
				listed = &par.Differences[i]
			}
		}
		same := sameJSON(official, got, f)
		switch {
		case same && listed != nil:
			errs = append(errs, fmt.Sprintf("%s: listed as a difference (stand-in %s), but the image has the official %s", f, listed.Standin, official))
		case !same && listed == nil:
			errs = append(errs, fmt.Sprintf("%s: the image has %s, the official image %s, and no difference is listed", f, gotJSON, official))
		case !same && !sameJSON(listed.Standin, got, f):
			errs = append(errs, fmt.Sprintf("%s: the listed difference says the stand-in has %s, the image has %s", f, listed.Standin, gotJSON))
		case !same && !sameJSON(listed.Official, jsonAny(official), f):
			errs = append(errs, fmt.Sprintf("%s: the listed difference says the official image has %s, its config says %s", f, listed.Official, official))
		}
	}
	return errs
}

func jsonAny(raw json.RawMessage) any {
	var v any
	json.Unmarshal(raw, &v)
	return v
}

// expectedStartup is the official start-up output with the listed
// differences applied: the lines the stand-in must print.
func expectedStartup(par *parity) ([]parityLine, []string) {
	var errs []string
	lines := append([]parityLine(nil), par.Official.Startup.Lines...)
	find := func(match string) int {
		for i, l := range lines {
			if l.Match == match {
				return i
			}
		}
		return -1
	}
	for _, d := range par.Differences {
		if d.Field != "startup" {
			continue
		}
		var official, standin *string
		json.Unmarshal(d.Official, &official)
		json.Unmarshal(d.Standin, &standin)
		switch {
		case official != nil:
			i := find(*official)
			if i < 0 {
				errs = append(errs, fmt.Sprintf("startup difference: the official line %q is not in official.startup.lines", *official))
				continue
			}
			if standin == nil {
				lines = append(lines[:i], lines[i+1:]...)
			} else {
				lines[i].Match, lines[i].Source = *standin, "stand-in"
			}
		case standin != nil:
			at := 0
			if d.After != "" {
				i := find(d.After)
				if i < 0 {
					errs = append(errs, fmt.Sprintf("startup difference: after %q, which is not an official line", d.After))
					continue
				}
				at = i + 1
			}
			lines = append(lines[:at], append([]parityLine{{Match: *standin, Source: "stand-in"}}, lines[at:]...)...)
		default:
			errs = append(errs, "startup difference with neither an official nor a stand-in line")
		}
	}
	return lines, errs
}

// matchStartup checks output lines against the expected patterns.
func matchStartup(want []parityLine, got []string, ordered bool) []string {
	res := make([]*regexp.Regexp, len(want))
	for i, w := range want {
		res[i] = regexp.MustCompile(w.Match)
	}
	if !ordered {
		var errs []string
		seen := make([]bool, len(want))
		for _, g := range got {
			hit := false
			for i, re := range res {
				if re.MatchString(g) {
					seen[i], hit = true, true
				}
			}
			if !hit {
				errs = append(errs, fmt.Sprintf("unexpected line %q", g))
			}
		}
		for i, w := range want {
			if !seen[i] && !w.Optional {
				errs = append(errs, fmt.Sprintf("no line matches %q", w.Match))
			}
		}
		return errs
	}
	g := 0
	for i, w := range want {
		switch {
		case g < len(got) && res[i].MatchString(got[g]):
			g++
			for w.Repeat && g < len(got) && res[i].MatchString(got[g]) {
				g++
			}
		case w.Optional:
		default:
			at := "the end of the output"
			if g < len(got) {
				at = fmt.Sprintf("line %d %q", g+1, got[g])
			}
			return []string{fmt.Sprintf("expected a line matching %q, found %s", w.Match, at)}
		}
	}
	if g < len(got) {
		return []string{fmt.Sprintf("unexpected lines after the last expected one: %q", got[g:])}
	}
	return nil
}

// startupOutput runs the image with its defaults and returns its output
// lines, up to the line that says it is up (and a moment more), or all of
// them when it exits by itself; the container is removed.
func startupOutput(t *testing.T, cli client.APIClient, img string, until string) ([]string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := cli.ContainerCreate(ctx, &container.Config{Image: img}, &container.HostConfig{}, &network.NetworkingConfig{}, nil, "labtest-parity-"+randSuffix())
	if err != nil {
		return nil, err
	}
	defer cli.ContainerRemove(context.Background(), c.ID, container.RemoveOptions{Force: true, RemoveVolumes: true})
	waitC, errC := cli.ContainerWait(ctx, c.ID, container.WaitConditionNextExit)
	if err := cli.ContainerStart(ctx, c.ID, container.StartOptions{}); err != nil {
		return nil, err
	}
	read := func() (string, error) {
		rc, err := cli.ContainerLogs(ctx, c.ID, container.LogsOptions{ShowStdout: true, ShowStderr: true})
		if err != nil {
			return "", err
		}
		defer rc.Close()
		var out bytes.Buffer
		_, err = stdcopy.StdCopy(&out, &out, rc)
		return out.String(), err
	}
	if until == "" {
		select {
		case w := <-waitC:
			if w.StatusCode != 0 {
				out, _ := read()
				return nil, fmt.Errorf("exited %d, want 0:\n%s", w.StatusCode, out)
			}
		case err := <-errC:
			return nil, err
		}
	} else {
		re := regexp.MustCompile(until)
		for {
			out, err := read()
			if err != nil {
				return nil, err
			}
			if up := func() bool {
				for _, l := range strings.Split(out, "\n") {
					if re.MatchString(l) {
						return true
					}
				}
				return false
			}(); up {
				break
			}
			select {
			case w := <-waitC:
				out, _ := read()
				return nil, fmt.Errorf("exited %d before a line matched %q:\n%s", w.StatusCode, until, out)
			case <-ctx.Done():
				return nil, fmt.Errorf("no line matched %q within the time limit:\n%s", until, out)
			case <-time.After(200 * time.Millisecond):
			}
		}
		time.Sleep(time.Second) // what follows at once (more workers, a goroutine's line)
	}
	out, err := read()
	if err != nil {
		return nil, err
	}
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if l = strings.TrimRight(l, " \r\t"); l != "" {
			lines = append(lines, l)
		}
	}
	return lines, nil
}

// Every stand-in behaves as its official image does, as far as its
// parity table says, and differs only where the table says so.
func TestParityWithOfficialImages(t *testing.T) {
	ensureReal(t)
	cli := dockerClient(t)
	cat := realCatalog(t)
	for _, name := range cat.Names() {
		t.Run(name, func(t *testing.T) {
			// Each stand-in in a container of its own: most of the time
			// is waiting for start-up lines.
			t.Parallel()
			par := loadParity(t, cat, name)
			for _, e := range checkParityFile(par, name) {
				t.Error(e)
			}
			img := cat.Recipe(name).Tags[0]
			_, raw, err := cli.ImageInspectWithRaw(context.Background(), img)
			must(t, err)
			var v struct{ Config container.Config }
			must(t, json.Unmarshal(raw, &v))
			for _, e := range compareConfig(par, &v.Config) {
				t.Errorf("%s config: %s", img, e)
			}
			want, errs := expectedStartup(par)
			for _, e := range errs {
				t.Error(e)
			}
			got, err := startupOutput(t, cli, img, par.Official.Startup.Until)
			if err != nil {
				t.Fatalf("%s start-up: %v", img, err)
			}
			if errs := matchStartup(want, got, par.Official.Startup.Ordered); len(errs) > 0 {
				for _, e := range errs {
					t.Errorf("%s start-up: %s", img, e)
				}
				t.Logf("%s printed:\n%s", img, strings.Join(got, "\n"))
			}
		})
	}
}

// The comparison itself catches what it must: a changed field, a stale
// difference, a missing or extra start-up line.
func TestParityComparisonFails(t *testing.T) {
	var par parity
	par.Image, par.Summary = "x", "s"
	par.Official.Name = "x:1"
	par.Official.Sources = map[string]paritySource{"s": {Repo: "o/r", Path: "p", Commit: strings.Repeat("a", 40), What: "w"}}
	par.Official.Config = map[string]parityFact{}
	for _, f := range parityConfigFields {
		par.Official.Config[f] = parityFact{Value: json.RawMessage(`[]`), Source: "s"}
	}
	for _, f := range []string{"user", "workdir", "stopSignal"} {
		par.Official.Config[f] = parityFact{Value: json.RawMessage(`""`), Source: "s"}
	}
	par.Official.Config["cmd"] = parityFact{Value: json.RawMessage(`["sh"]`), Source: "s"}
	par.Official.Config["env"] = parityFact{Value: json.RawMessage(`["PATH","B"]`), Source: "s"}
	par.Official.Startup.Source = "s"
	if errs := checkParityFile(&par, "x"); len(errs) > 0 {
		t.Fatalf("a complete table is refused: %v", errs)
	}
	c := &container.Config{Cmd: []string{"sh"}, Env: []string{"B=1", "PATH=/bin"}}
	if errs := compareConfig(&par, c); len(errs) > 0 {
		t.Errorf("equal configs differ: %v", errs)
	}
	c.Cmd = []string{"bash"}
	if errs := compareConfig(&par, c); len(errs) != 1 || !strings.Contains(errs[0], "no difference is listed") {
		t.Errorf("an unlisted cmd change: %v", errs)
	}
	par.Differences = []parityDifference{{Field: "cmd", Official: json.RawMessage(`["sh"]`), Standin: json.RawMessage(`["bash"]`), Why: "w"}}
	if errs := compareConfig(&par, c); len(errs) > 0 {
		t.Errorf("a listed cmd change: %v", errs)
	}
	c.Cmd = []string{"zsh"}
	if errs := compareConfig(&par, c); len(errs) != 1 || !strings.Contains(errs[0], "the listed difference says") {
		t.Errorf("a cmd other than the listed one: %v", errs)
	}
	c.Cmd = []string{"sh"}
	if errs := compareConfig(&par, c); len(errs) != 1 || !strings.Contains(errs[0], "listed as a difference") {
		t.Errorf("a stale listed difference: %v", errs)
	}
	par.Differences = append(par.Differences, parityDifference{Field: "colour", Why: "w"})
	if errs := checkParityFile(&par, "x"); len(errs) != 1 {
		t.Errorf("an unknown field is accepted: %v", errs)
	}

	par.Official.Startup.Lines = []parityLine{{Match: `^a$`}, {Match: `^w \d+$`, Repeat: true}, {Match: `^opt$`, Optional: true}, {Match: `^z$`}}
	par.Differences = []parityDifference{
		{Field: "startup", Official: json.RawMessage(`"^a$"`), Standin: json.RawMessage(`null`), Why: "w"},
		{Field: "startup", Official: json.RawMessage(`null`), Standin: json.RawMessage(`"^new$"`), After: `^z$`, Why: "w"},
	}
	want, errs := expectedStartup(&par)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	for _, c := range []struct {
		got []string
		ok  bool
	}{
		{[]string{"w 1", "w 2", "z", "new"}, true},
		{[]string{"w 1", "opt", "z", "new"}, true},
		{[]string{"a", "w 1", "z", "new"}, false}, // a line the table says the stand-in lacks
		{[]string{"w 1", "z"}, false},             // a missing line
		{[]string{"w 1", "z", "new", "more"}, false},
		{[]string{"z", "w 1", "new"}, false}, // out of order
	} {
		if errs := matchStartup(want, c.got, true); (len(errs) == 0) != c.ok {
			t.Errorf("%q: errors %v, want ok=%v", c.got, errs, c.ok)
		}
	}
	if errs := matchStartup(want, []string{"new", "z", "w 3"}, false); len(errs) > 0 {
		t.Errorf("unordered: %v", errs)
	}
	if errs := matchStartup(want, []string{"new", "w 3"}, false); len(errs) != 1 {
		t.Errorf("unordered, z missing: %v", errs)
	}
}
