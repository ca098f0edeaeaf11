// Command labhandout prints the built site's printable documents to PDF:
// public/print.html (the whole course) to public/handout.pdf and
// public/lab/print.html (the lab alone) to public/lab/handout.pdf, and any
// other section's print.html likewise. `make handout` builds the site first.
//
// It serves public/ on 127.0.0.1 and prints with a headless Chromium
// (Debian's chromium package, or $LABDOCS_CHROME): A4, page numbers in the
// footer and in the contents, the document's title in the header, an
// outline of its headings, and no link to that local server (see
// tools/internal/handout).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/labdocs/dockerlab/tools/internal/handout"
)

func main() {
	public := flag.String("public", "public", "the built site (hugo's destination folder)")
	timeout := flag.Duration("timeout", 3*time.Minute, "give up after this long")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: labhandout [-public DIR]\n\nPrints every print.html of the built site to handout.pdf beside it.\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()

	jobs, err := handout.Jobs(*public)
	if err == nil {
		err = handout.Print(ctx, *public, jobs, os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "labhandout:", err)
		os.Exit(1)
	}
}
