// Package handout prints the site's printable documents (print.html, built
// by Hugo from layouts/home.print.html and section.print.html) to PDF with a
// headless Chromium driven over the DevTools protocol (chromedp), and holds
// the browser and file-server helpers that the site's browser tests share.
// Before printing it does what CSS cannot: page numbers in the contents
// (toc.go) and no link to the local server it printed from (links.go),
// both checked by reading the printed PDF back (pdf.go).
//
// Nothing here talks to another host: the built site is served from
// 127.0.0.1 and Chromium runs with its background networking turned off.
package handout

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"time"

	"github.com/chromedp/chromedp"
)

// ChromeEnv names the variable that can point at the browser binary.
const ChromeEnv = "LABDOCS_CHROME"

// ErrNoBrowser is returned by ExecPath when no Chromium or Chrome is installed.
var ErrNoBrowser = errors.New("no Chromium found: install Debian's chromium (make bootstrap does) or set " + ChromeEnv)

// ExecPath finds the browser: $LABDOCS_CHROME, else chromium (Debian's
// package), chromium-browser, google-chrome or google-chrome-stable on PATH.
func ExecPath() (string, error) {
	if p := os.Getenv(ChromeEnv); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("%s=%s: %w", ChromeEnv, p, err)
		}
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "/usr/bin/chromium"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ErrNoBrowser
}

// NewBrowser starts a headless Chromium with a new, empty profile and
// returns a chromedp context for its first tab. The flags keep it from
// reaching any other host on its own (no background networking, component
// updates, sync or QUIC probes). cancel stops the browser and removes the
// profile.
func NewBrowser(parent context.Context) (context.Context, context.CancelFunc, error) {
	execPath, err := ExecPath()
	if err != nil {
		return nil, nil, err
	}
	profile, err := os.MkdirTemp("", "labdocs-chromium-")
	if err != nil {
		return nil, nil, err
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(execPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(profile),
	)
	allocCtx, allocCancel := chromedp.NewExecAllocator(parent, opts...)
	ctx, ctxCancel := chromedp.NewContext(allocCtx)
	cancel := func() {
		ctxCancel()
		allocCancel() // waits for the browser to exit
		os.RemoveAll(profile)
	}
	// Start the browser now, so that a missing library or a crash shows here.
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		return nil, nil, fmt.Errorf("starting %s: %w", execPath, err)
	}
	return ctx, cancel, nil
}

// Serve serves dir over HTTP on 127.0.0.1 (a free port) and returns its base
// URL, without a final slash. prefix, if not empty ("/docs"), is the sub-path
// the site is served under, to check that it does not assume the root.
// stop shuts the server down.
func Serve(dir, prefix string) (base string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	var h http.Handler = http.FileServer(http.Dir(dir))
	if prefix != "" {
		mux := http.NewServeMux()
		mux.Handle(prefix+"/", http.StripPrefix(prefix, h))
		h = mux
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	stop = func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}
	return "http://" + ln.Addr().String() + prefix, stop, nil
}
