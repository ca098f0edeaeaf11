// Package dockerenv connects to the Docker daemon the way the docker CLI
// would, so that the lab tools talk to the same engine a reader's commands
// reach: DOCKER_HOST first, then DOCKER_CONTEXT, then the CLI's current
// context, then the platform default socket.
package dockerenv

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/docker/docker/client"
	"github.com/docker/go-connections/tlsconfig"

	"github.com/labdocs/dockerlab/tools/internal/hostfacts"
)

// How the endpoint was chosen; printed by labdoctor so a reader can see why
// the tools reach the daemon they reach.
const (
	SourceDockerHost    = "DOCKER_HOST"
	SourceDockerContext = "DOCKER_CONTEXT"
	SourceCurrentCtx    = "current context"
	SourceDefault       = "default"
)

// Endpoint is where a client should connect and why.
type Endpoint struct {
	Host    string // e.g. unix:///var/run/docker.sock
	Source  string // one of the Source* constants
	Context string // CLI context name, "default" when none applies
	// TLS material of a context endpoint (empty for DOCKER_HOST, whose TLS
	// settings come from DOCKER_TLS_VERIFY/DOCKER_CERT_PATH).
	CACert, Cert, Key string
	SkipTLSVerify     bool
}

// Describe renders the endpoint and its origin, e.g.
// "unix:///var/run/docker.sock (default)".
func (e Endpoint) Describe() string {
	switch e.Source {
	case SourceDockerContext, SourceCurrentCtx:
		return fmt.Sprintf("%s (%s %q)", e.Host, e.Source, e.Context)
	default:
		return fmt.Sprintf("%s (%s)", e.Host, e.Source)
	}
}

// Info describes the daemon a Client connected to.
type Info struct {
	Endpoint
	EngineVersion    string // e.g. 20.10.24+dfsg1
	APIVersion       string // negotiated version the client uses
	ServerAPIVersion string // highest version the daemon speaks
	MinAPIVersion    string
	OS, Arch         string
	DockerRootDir    string // daemon's data root, e.g. /var/lib/docker
	StorageDriver    string
	Facts            hostfacts.Facts // the daemon's machine
}

// ConfigDir is the docker CLI configuration directory ($DOCKER_CONFIG or
// ~/.docker).
func ConfigDir() string {
	if d := os.Getenv("DOCKER_CONFIG"); d != "" {
		return d
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ".docker"
	}
	return filepath.Join(home, ".docker")
}

// Resolve picks the endpoint with the docker CLI's precedence, without
// connecting.
func Resolve() (Endpoint, error) {
	if h := os.Getenv("DOCKER_HOST"); h != "" {
		return Endpoint{Host: h, Source: SourceDockerHost, Context: "default"}, nil
	}
	name, source := os.Getenv("DOCKER_CONTEXT"), SourceDockerContext
	if name == "" {
		cur, err := currentContext(ConfigDir())
		if err != nil {
			return Endpoint{}, err
		}
		name, source = cur, SourceCurrentCtx
	}
	if name == "" || name == "default" {
		return Endpoint{Host: client.DefaultDockerHost, Source: SourceDefault, Context: "default"}, nil
	}
	return contextEndpoint(ConfigDir(), name, source)
}

func currentContext(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read docker CLI config: %w", err)
	}
	var cfg struct {
		CurrentContext string `json:"currentContext"`
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		return "", fmt.Errorf("parse %s: %w (fix or remove the file)", filepath.Join(dir, "config.json"), err)
	}
	return cfg.CurrentContext, nil
}

// contextEndpoint reads the CLI's context store: contexts are stored under
// the sha256 of their name so that any name is a valid directory.
func contextEndpoint(dir, name, source string) (Endpoint, error) {
	sum := sha256.Sum256([]byte(name))
	id := hex.EncodeToString(sum[:])
	metaPath := filepath.Join(dir, "contexts", "meta", id, "meta.json")
	b, err := os.ReadFile(metaPath)
	if errors.Is(err, os.ErrNotExist) {
		return Endpoint{}, fmt.Errorf("docker context %q (from %s) does not exist: run `docker context ls` and `docker context use default`", name, source)
	}
	if err != nil {
		return Endpoint{}, fmt.Errorf("read docker context %q: %w", name, err)
	}
	var meta struct {
		Endpoints map[string]struct {
			Host          string `json:"Host"`
			SkipTLSVerify bool   `json:"SkipTLSVerify"`
		} `json:"Endpoints"`
	}
	if err := json.Unmarshal(b, &meta); err != nil {
		return Endpoint{}, fmt.Errorf("parse %s: %w", metaPath, err)
	}
	ep, ok := meta.Endpoints["docker"]
	if !ok || ep.Host == "" {
		return Endpoint{}, fmt.Errorf("docker context %q has no docker endpoint: run `docker context inspect %s`", name, name)
	}
	e := Endpoint{Host: ep.Host, Source: source, Context: name, SkipTLSVerify: ep.SkipTLSVerify}
	tlsDir := filepath.Join(dir, "contexts", "tls", id, "docker")
	exists := func(name string) string {
		if _, err := os.Stat(filepath.Join(tlsDir, name)); err == nil {
			return filepath.Join(tlsDir, name)
		}
		return ""
	}
	e.CACert = exists("ca.pem")
	if e.Cert, e.Key = exists("cert.pem"), exists("key.pem"); e.Cert == "" || e.Key == "" {
		e.Cert, e.Key = "", ""
	}
	return e, nil
}

// Client connects to the resolved endpoint with API version negotiation and
// pings it. Info carries the endpoint even when the connection fails, so
// callers can say where they looked. Errors say what to do next.
func Client(ctx context.Context) (*client.Client, Info, error) {
	ep, err := Resolve()
	if err != nil {
		return nil, Info{}, err
	}
	return connect(ctx, ep)
}

// SourceFlag marks an endpoint named on the command line.
const SourceFlag = "--docker-host"

// ClientAt connects to the daemon at host (unix:// or tcp://), as Client
// does for the environment's daemon.
func ClientAt(ctx context.Context, host string) (*client.Client, Info, error) {
	return connect(ctx, Endpoint{Host: host, Source: SourceFlag, Context: "default"})
}

func connect(ctx context.Context, ep Endpoint) (*client.Client, Info, error) {
	info := Info{Endpoint: ep}
	if strings.HasPrefix(ep.Host, "ssh://") {
		return nil, info, fmt.Errorf("%s is an ssh:// endpoint, which needs the docker CLI's connection helper: point DOCKER_HOST at a unix:// or tcp:// address", ep.Describe())
	}
	opts := []client.Opt{client.WithAPIVersionNegotiation()}
	if ep.Source == SourceDockerHost {
		// FromEnv also honours DOCKER_TLS_VERIFY, DOCKER_CERT_PATH and a
		// pinned DOCKER_API_VERSION.
		opts = append([]client.Opt{client.FromEnv}, opts...)
	} else {
		if ep.CACert != "" || ep.Cert != "" || ep.SkipTLSVerify {
			// Our own transport, so that the context's SkipTLSVerify can be
			// honoured; WithHost then sets it up for the endpoint.
			tc, err := tlsconfig.Client(tlsconfig.Options{CAFile: ep.CACert, CertFile: ep.Cert, KeyFile: ep.Key,
				InsecureSkipVerify: ep.SkipTLSVerify, ExclusiveRootPools: true})
			if err != nil {
				return nil, info, fmt.Errorf("TLS files of docker context %q: %w", ep.Context, err)
			}
			opts = append(opts, client.WithHTTPClient(&http.Client{Transport: &http.Transport{TLSClientConfig: tc}}))
		}
		opts = append(opts, client.WithHost(ep.Host))
	}
	cli, err := client.NewClientWithOpts(opts...)
	if err != nil {
		return nil, info, fmt.Errorf("bad Docker endpoint %s: %w", ep.Describe(), err)
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	ping, err := cli.Ping(pctx)
	if err != nil {
		cli.Close()
		return nil, info, connectError(ep, err)
	}
	cli.NegotiateAPIVersionPing(ping)
	v, err := cli.ServerVersion(pctx)
	if err != nil {
		cli.Close()
		return nil, info, connectError(ep, err)
	}
	info.EngineVersion = v.Version
	info.ServerAPIVersion = v.APIVersion
	info.MinAPIVersion = v.MinAPIVersion
	info.OS, info.Arch = v.Os, v.Arch
	info.APIVersion = cli.ClientVersion()
	if sys, err := cli.Info(pctx); err == nil {
		info.DockerRootDir = sys.DockerRootDir
		info.StorageDriver = sys.Driver
		info.Facts = hostfacts.FromInfo(sys)
	}
	return cli, info, nil
}

func connectError(ep Endpoint, err error) error {
	switch {
	case errors.Is(err, syscall.EACCES) || errors.Is(err, os.ErrPermission) || strings.Contains(err.Error(), "permission denied"):
		return fmt.Errorf("the Docker daemon at %s refused access: run as root or add your user to the docker group (%v)", ep.Describe(), err)
	case client.IsErrConnectionFailed(err) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ENOENT):
		hint := "start dockerd or run `make bootstrap`"
		if ep.Source != SourceDefault {
			hint += fmt.Sprintf(", or fix %s", ep.Source)
		}
		return fmt.Errorf("no Docker daemon answers at %s: %s", ep.Describe(), hint)
	default:
		return fmt.Errorf("docker daemon at %s: %w", ep.Describe(), err)
	}
}
