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

// Tracker is a running proxy.
type Tracker struct {
	Socket string // path of the unix socket the page's shells use

	ln  net.Listener
	srv *http.Server

	mu      sync.Mutex
	created Created
}

// Start listens on a new unix socket at sock and forwards to the daemon at
// host (a DOCKER_HOST-style address: unix:///path or tcp://host:port).
func Start(sock, host string) (*Tracker, error) {
	dial, err := dialer(host)
	if err != nil {
		return nil, err
	}
	os.Remove(sock)
	ln, err := net.Listen("unix", sock)
	if err != nil {
		return nil, fmt.Errorf("tracker: %w", err)
	}
	t := &Tracker{Socket: sock, ln: ln}
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
		}
	case path == "/networks/create":
		if id := t.field(resp, "Id"); id != "" {
			t.add(&t.created.Networks, id)
		}
	case path == "/volumes/create":
		if name := t.field(resp, "Name"); name != "" {
			t.add(&t.created.Volumes, name)
		}
	case path == "/commit":
		if id := t.field(resp, "Id"); id != "" {
			t.add(&t.created.Images, id)
		}
		if repo := q.Get("repo"); repo != "" {
			t.add(&t.created.Refs, ref(repo, q.Get("tag")))
		}
	case tagPath.MatchString(path):
		t.add(&t.created.Refs, ref(q.Get("repo"), q.Get("tag")))
	case path == "/build":
		for _, r := range q["t"] {
			t.add(&t.created.Refs, ref(r, ""))
		}
	case path == "/images/create" && q.Get("fromImage") != "":
		t.add(&t.created.Refs, ref(q.Get("fromImage"), q.Get("tag")))
	}
	return nil
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
