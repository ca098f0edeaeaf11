package run

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/docker/docker/api/types/events"
	"github.com/docker/docker/client"
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
