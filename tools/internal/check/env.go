package check

import (
	"context"
	"fmt"
	"io"

	"github.com/docker/docker/client"

	"github.com/labdocs/dockerlab/tools/internal/daemonlock"
	"github.com/labdocs/dockerlab/tools/internal/dockerenv"
	"github.com/labdocs/dockerlab/tools/internal/hostfacts"
	"github.com/labdocs/dockerlab/tools/internal/images"
	"github.com/labdocs/dockerlab/tools/internal/journal"
	"github.com/labdocs/dockerlab/tools/internal/record"
)

// Env is one daemon, as every page run on it shares it.
type Env struct {
	Docker   client.APIClient
	Versions record.Versions
	Facts    hostfacts.Facts // the daemon's machine
	Images   []record.Image  // the lab images on this daemon, by name
	ImageSet string          // their name for readers (images.SetName)

	lock *daemonlock.Lock
}

// Connect reaches the daemon at host ("" for the environment's), takes
// its lock until Close, and removes what runs that died left there.
func Connect(ctx context.Context, host string, stderr io.Writer) (*Env, error) {
	var cli *client.Client
	var info dockerenv.Info
	var err error
	if host == "" {
		cli, info, err = dockerenv.Client(ctx)
	} else {
		cli, info, err = dockerenv.ClientAt(ctx, host)
	}
	if err != nil {
		return nil, err
	}
	lock, err := daemonlock.Acquire(ctx, cli.DaemonHost(), stderr)
	if err != nil {
		return nil, err
	}
	// Holding the lock, no other lab tool works on this daemon: what dead
	// runs left (their journals are unlocked) can go.
	if err := journal.Clean(ctx, cli, journal.Dir(cli.DaemonHost()), stderr); err != nil {
		lock.Unlock()
		return nil, fmt.Errorf("removing what an earlier run that died left: %w", err)
	}
	e := &Env{Docker: cli, lock: lock, Facts: info.Facts, Versions: record.Versions{
		Client: dockerenv.CLI(ctx).Version,
		Engine: info.EngineVersion,
		API:    info.APIVersion,
	}}
	e.Versions.Buildx = dockerenv.Plugin(ctx, "buildx").Version
	e.Versions.Compose = dockerenv.Plugin(ctx, "compose").Version
	// The ledger, not the images, says which are the lab's (they carry
	// no labels, as the official ones carry none).
	lab, err := images.Present(ctx, cli, nil)
	if err != nil {
		lock.Unlock()
		return nil, err
	}
	for _, im := range lab {
		e.Images = append(e.Images, record.Image{Name: im.Name, ID: im.ID, Size: im.Size, Origin: im.Origin})
	}
	e.ImageSet = images.SetName(lab)
	return e, nil
}

// Close releases the daemon's lock.
func (e *Env) Close() {
	if e.lock != nil {
		e.lock.Unlock()
	}
}
