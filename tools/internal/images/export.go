package images

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/client"
	"github.com/labdocs/dockerlab/tools/internal/ledger"
)

// The files of an export folder.
const (
	ExportImages = "images.tar"  // docker save of every lab image
	ExportLedger = "ledger.json" // their ledger entries (a ledger file)
)

// Export writes the lab images of cat (with prefix) to dir: ExportImages,
// as docker save writes it, and beside it ExportLedger, their entries,
// which travel with them since the images carry no labels. Every image
// must be current or pulled, so that an import gives a daemon a lab that
// needs no build.
func Export(ctx context.Context, cli client.APIClient, cat *Catalog, led *ledger.Ledger, prefix, dir string) error {
	led, err := ledgerOr(led)
	if err != nil {
		return err
	}
	st, err := List(ctx, cli, cat, led, prefix)
	if err != nil {
		return err
	}
	known, err := led.Load()
	if err != nil {
		return err
	}
	var tags []string
	entries := ledger.Entries{}
	for _, s := range st {
		if !s.OK() {
			return fmt.Errorf("%s is %s (missing tags: %v): run labimages before exporting", s.Name, s.State, s.MissingTags)
		}
		tags = append(tags, s.Tags...)
		entries[s.ID] = known[s.ID]
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	rc, err := cli.ImageSave(ctx, tags)
	if err != nil {
		return fmt.Errorf("docker save: %w", err)
	}
	defer rc.Close()
	// Written beside and renamed: a failed export leaves no tarball that
	// looks whole. Not atomicfile, which holds the data in memory.
	f, err := os.CreateTemp(dir, "."+ExportImages+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := io.Copy(f, rc); err != nil {
		f.Close()
		return fmt.Errorf("docker save: %w", err)
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), filepath.Join(dir, ExportImages)); err != nil {
		return err
	}
	return ledger.Write(filepath.Join(dir, ExportLedger), entries)
}

// Import loads dir's ExportImages into the daemon and records
// ExportLedger's entries in led (nil: ledger.Default()). It fails if an
// exported image is not on the daemon under its ID after the load: the
// ledger would name an image that is not there.
func Import(ctx context.Context, cli client.APIClient, led *ledger.Ledger, dir string) (int, error) {
	led, err := ledgerOr(led)
	if err != nil {
		return 0, err
	}
	entries, err := ledger.Read(filepath.Join(dir, ExportLedger))
	if err != nil {
		return 0, err
	}
	if len(entries) == 0 {
		return 0, fmt.Errorf("%s: no ledger beside the images, or an empty one", filepath.Join(dir, ExportLedger))
	}
	f, err := os.Open(filepath.Join(dir, ExportImages))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	resp, err := cli.ImageLoad(ctx, f, client.ImageLoadWithQuiet(true))
	if err != nil {
		return 0, fmt.Errorf("docker load: %w", err)
	}
	_, err = readStream(resp.Body, nil)
	resp.Body.Close()
	if err != nil {
		return 0, fmt.Errorf("docker load: %w", err)
	}
	var missing []string
	for id := range entries {
		if _, err := cli.ImageInspect(ctx, id); cerrdefs.IsNotFound(err) {
			missing = append(missing, short(id))
		} else if err != nil {
			return 0, err
		}
	}
	if len(missing) > 0 {
		return 0, fmt.Errorf("after docker load, the daemon has no image %s of the export: it gave the loaded images other IDs", strings.Join(missing, ", "))
	}
	_, err = led.Update(func(e ledger.Entries) error {
		for id, en := range entries {
			e[id] = en
		}
		return nil
	})
	return len(entries), err
}
