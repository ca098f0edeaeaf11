// Package tracker stands between a page's terminals and the Docker daemon
// and writes down every object the page creates.
//
// The page's shells get DOCKER_HOST pointing at the tracker's own socket;
// the tracker forwards every request to the real daemon unchanged
// (streams, attach and BuildKit's upgraded connections included) and reads
// the answers to create calls. So cleanup removes what this page made and
// nothing else, even when the user, another page or another tool creates
// objects on the same daemon at the same moment.
package tracker

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Created lists the objects a page made, in the order it made them.
type Created struct {
	Containers []string // IDs
	Networks   []string // IDs
	Volumes    []string // names
	Refs       []string // image references the page tagged, committed, built or pulled
	Images     []string // image IDs the page committed
}

// Recorder is told of each object the page creates before the create call
// returns to the page's command, so that it survives the runner being
// killed right after (package journal). Errors are the recorder's to
// report; the page's call goes on.
type Recorder interface {
	Created(kind, id, name string) error
	Ref(ref string) error
	Image(id string) error
	Build() error
}

// Tracker is a running proxy.
type Tracker struct {
	Socket string // path of the unix socket the page's shells use
	rec    Recorder

	ln  net.Listener
	srv *http.Server

	mu      sync.Mutex
	created Created
	recErr  error
}

// Start listens on a new unix socket at sock and forwards to the daemon at
// host (a DOCKER_HOST-style address: unix:///path or tcp://host:port). rec
// may be nil.
func Start(sock, host string, rec Recorder) (*Tracker, error) {
	dial, err := dialer(host)
	if err != nil {
		return nil, err
	}
	os.Remove(sock)
	ln, err := net.Listen("unix", sock)
	if err != nil {
		return nil, fmt.Errorf("tracker: %w", err)
	}
	t := &Tracker{Socket: sock, ln: ln, rec: rec}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.Out.URL.Scheme = "http"
			r.Out.URL.Host = "docker"
			r.Out.Host = "docker"
		},
		Transport:      &http.Transport{DialContext: dial, DisableCompression: true},
		FlushInterval:  -1, // logs -f, events and build progress stream as they come
		ModifyResponse: t.observe,
		// A daemon that went away is the page's (and the report's)
		// business, not a log line on the runner's stderr.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	t.srv = &http.Server{Handler: proxy, ReadHeaderTimeout: 30 * time.Second}
	go t.srv.Serve(ln)
	return t, nil
}

// Host is the DOCKER_HOST value for the page's shells.
func (t *Tracker) Host() string { return "unix://" + t.Socket }

// Created returns what the page made so far.
func (t *Tracker) Created() Created {
	t.mu.Lock()
	defer t.mu.Unlock()
	c := t.created
	c.Containers = append([]string(nil), c.Containers...)
	c.Networks = append([]string(nil), c.Networks...)
	c.Volumes = append([]string(nil), c.Volumes...)
	c.Refs = append([]string(nil), c.Refs...)
	c.Images = append([]string(nil), c.Images...)
	return c
}

// Close stops the proxy; hijacked connections still open are cut.
func (t *Tracker) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := t.srv.Shutdown(ctx)
	t.srv.Close()
	os.Remove(t.Socket)
	return err
}

func dialer(host string) (func(ctx context.Context, _, _ string) (net.Conn, error), error) {
	u, err := url.Parse(host)
	if err != nil {
		return nil, fmt.Errorf("tracker: daemon address %q: %w", host, err)
	}
	var network, addr string
	switch u.Scheme {
	case "unix":
		network, addr = "unix", u.Path
	case "tcp", "http":
		network, addr = "tcp", u.Host
	default:
		return nil, fmt.Errorf("tracker: daemon address %q: only unix:// and tcp:// are supported", host)
	}
	return func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}, nil
}

var (
	versionPrefix = regexp.MustCompile(`^/v[0-9.]+`)
	tagPath       = regexp.MustCompile(`^/images/(.+)/tag$`)
)

// observe reads the answers to the calls that create objects.
func (t *Tracker) observe(resp *http.Response) error {
	req := resp.Request
	if req.Method != http.MethodPost || resp.StatusCode >= 300 {
		return nil
	}
	path := versionPrefix.ReplaceAllString(req.URL.Path, "")
	q := req.URL.Query()
	switch {
	case path == "/containers/create":
		if id := t.field(resp, "Id"); id != "" {
			t.add(&t.created.Containers, id)
			t.record(func(r Recorder) error { return r.Created("container", id, q.Get("name")) })
		}
	case path == "/networks/create":
		if id := t.field(resp, "Id"); id != "" {
			t.add(&t.created.Networks, id)
			t.record(func(r Recorder) error { return r.Created("network", id, "") })
		}
	case path == "/volumes/create":
		if name := t.field(resp, "Name"); name != "" {
			t.add(&t.created.Volumes, name)
			t.record(func(r Recorder) error { return r.Created("volume", name, name) })
		}
	case path == "/commit":
		if id := t.field(resp, "Id"); id != "" {
			t.add(&t.created.Images, id)
			t.record(func(r Recorder) error { return r.Image(id) })
		}
		if repo := q.Get("repo"); repo != "" {
			t.addRef(ref(repo, q.Get("tag")))
		}
	case tagPath.MatchString(path):
		t.addRef(ref(q.Get("repo"), q.Get("tag")))
	case path == "/session" || path == "/grpc":
		// BuildKit through buildx: the build and its tags happen inside
		// the daemon, over this upgraded connection.
		t.record(func(r Recorder) error { return r.Build() })
	case path == "/build":
		t.record(func(r Recorder) error { return r.Build() })
		for _, r := range q["t"] {
			t.addRef(ref(r, ""))
		}
	case path == "/images/create" && q.Get("fromImage") != "":
		t.addRef(ref(q.Get("fromImage"), q.Get("tag")))
	}
	return nil
}

func (t *Tracker) addRef(r string) {
	t.add(&t.created.Refs, r)
	t.record(func(rec Recorder) error { return rec.Ref(r) })
}

// record tells the recorder; a failure to write it down is kept for Err.
func (t *Tracker) record(f func(Recorder) error) {
	if t.rec == nil {
		return
	}
	if err := f(t.rec); err != nil {
		t.mu.Lock()
		t.recErr = errors.Join(t.recErr, err)
		t.mu.Unlock()
	}
}

// Err is what the recorder failed to write down, if anything.
func (t *Tracker) Err() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.recErr
}

// field reads one string field of a small JSON answer and puts the body
// back for the client.
func (t *Tracker) field(resp *http.Response, name string) string {
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return ""
	}
	var m map[string]any
	if json.Unmarshal(body, &m) != nil {
		return ""
	}
	s, _ := m[name].(string)
	return s
}

func (t *Tracker) add(list *[]string, v string) {
	if v == "" {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, x := range *list {
		if x == v {
			return
		}
	}
	*list = append(*list, v)
}

// ref normalises an image reference the way the daemon stores it.
func ref(repo, tag string) string {
	if tag == "" {
		// repo may carry its own tag or digest: name:tag, host:port/name:tag
		if i := strings.LastIndex(repo, ":"); i > strings.LastIndex(repo, "/") {
			return repo
		}
		if strings.Contains(repo, "@") {
			return repo
		}
		tag = "latest"
	}
	return repo + ":" + tag
}
