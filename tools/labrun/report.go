package main

import (
	"fmt"
	"io"
	"strings"
)

// report prints the outcome (provisional: plain text).
func report(cfg *config, outs []*outcome, w io.Writer) error {
	passed, failed, skipped := 0, 0, 0
	for _, o := range outs {
		if o.err != nil {
			fmt.Fprintln(w, o.err)
		}
		if o.note != "" {
			fmt.Fprintf(w, "%s: %s\n", o.page.Path, o.note)
		}
		for _, d := range o.envDiff {
			fmt.Fprintf(w, "%s: environment changed since capture: %s\n", o.page.Path, d)
		}
		for _, r := range o.results {
			switch r.status {
			case "ok":
				passed++
			case "skipped", "not run":
				skipped++
			default:
				failed++
				fmt.Fprintf(w, "%s:%d: %s: %s\n", o.page.Path, r.b.Line, r.status, r.message)
				if r.status == "drift" {
					fmt.Fprintf(w, "--- page\n+++ terminal\n-%s\n+%s\n", strings.Join(r.want, "\n-"), strings.Join(r.got, "\n+"))
				}
			}
		}
	}
	fmt.Fprintf(w, "%d passed, %d failed, %d skipped\n", passed, failed, skipped)
	return nil
}
