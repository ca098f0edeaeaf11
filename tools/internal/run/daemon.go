package run

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/docker/docker/api/types/events"
	"github.com/docker/docker/client"

	"github.com/labdocs/dockerlab/tools/internal/blocks"
	"github.com/labdocs/dockerlab/tools/internal/inventory"
	"github.com/labdocs/dockerlab/tools/internal/journal"
)

// ErrDaemonLost is returned (wrapped) in Page.DaemonLost when the daemon
// stopped or restarted while the page ran: every failure after it is the
// daemon's, not drift.
var ErrDaemonLost = errors.New("the Docker daemon went away")

// daemonWatch follows the daemon's event stream for the length of a page.
// The stream is one long-lived connection: it breaks when the daemon stops,
// even if the daemon is back a moment later, which a ping after the page
// cannot tell.
type daemonWatch struct {
	cancel context.CancelFunc
	mu     sync.Mutex
	err    error
}

func watchDaemon(ctx context.Context, cli client.APIClient) *daemonWatch {
	wctx, cancel := context.WithCancel(ctx)
	w := &daemonWatch{cancel: cancel}
	msgs, errs := cli.Events(wctx, events.ListOptions{})
	go func() {
		for {
			select {
			case <-msgs:
			case err := <-errs:
				if wctx.Err() == nil {
					w.mu.Lock()
					w.err = fmt.Errorf("%w: %v", ErrDaemonLost, err)
					w.mu.Unlock()
				}
				return
			}
		}
	}()
	return w
}

// lost is the reason the daemon went away, or nil.
func (w *daemonWatch) lost() error {
	if w == nil {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

func (w *daemonWatch) stop() {
	if w != nil {
		w.cancel()
	}
}

// settle gives the stream a moment to report a daemon that went away
// during a block that has just failed.
func (w *daemonWatch) settle(ctx context.Context, cli client.APIClient) error {
	if err := w.lost(); err != nil {
		return err
	}
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 3*time.Second)
	defer cancel()
	if _, err := cli.Ping(pctx); err != nil {
		return fmt.Errorf("%w: %v", ErrDaemonLost, err)
	}
	time.Sleep(100 * time.Millisecond)
	return w.lost()
}

var buildRE = regexp.MustCompile(`\bbuild\b|--build\b`)

// Builds reports whether page p may build an image (docker build, buildx,
// compose build or up --build). Such pages' build cache is recorded and
// removed, and the scheduler keeps them from running at the same time on
// one daemon, so that the cache a page finds new is its own.
func Builds(p *blocks.Page) bool {
	if buildRE.MatchString(p.RunText()) {
		return true
	}
	// A Compose file with a build section builds on a plain `up`.
	bundle := filepath.Dir(p.Path)
	entries, _ := os.ReadDir(bundle)
	for _, e := range entries {
		if !e.IsDir() && (strings.HasSuffix(e.Name(), ".yaml") || strings.HasSuffix(e.Name(), ".yml")) {
			data, _ := os.ReadFile(filepath.Join(bundle, e.Name()))
			if composeBuildRE.Match(data) {
				return true
			}
		}
	}
	return false
}

var composeBuildRE = regexp.MustCompile(`(?m)^\s+build:`)

// removeNewCache removes the build cache records made since before.
func removeNewCache(ctx context.Context, cli client.APIClient, before map[string]time.Time) error {
	now, err := inventory.BuildCache(ctx, cli)
	if err != nil {
		return err
	}
	var ids []string
	for id := range now {
		if _, ok := before[id]; !ok {
			ids = append(ids, id)
		}
	}
	return inventory.RemoveBuildCache(ctx, cli, ids)
}

// newRefs writes to the journal only the references that did not exist
// before the page: a pre-existing tag the page overwrites is not its to
// remove.
type newRefs struct {
	*journal.Journal
	before map[string]string
}

func (n newRefs) Ref(ref string) error {
	if _, ok := n.before[ref]; ok {
		return nil
	}
	return n.Journal.Ref(ref)
}
