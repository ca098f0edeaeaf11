package main

import (
	"fmt"
	"io"
	"os"

	"github.com/labdocs/dockerlab/tools/internal/report"
)

// writeReport prints page-level notes, then the blocks' report in the
// chosen format, and writes the JUnit file if asked.
func writeReport(cfg *config, outs []*outcome, w io.Writer) error {
	var all []report.Result
	for _, o := range outs {
		if o.err != nil {
			fmt.Fprintln(w, o.err)
		}
		if o.note != "" {
			fmt.Fprintf(w, "%s: %s\n", o.page.Path, o.note)
		}
		for _, d := range o.envDiff {
			fmt.Fprintf(w, "%s: the environment changed since capture: %s\n", o.page.Path, d)
		}
		all = append(all, o.results...)
	}
	if cfg.format == "github" {
		if err := report.WriteGitHub(w, all); err != nil {
			return err
		}
	}
	if cfg.junit != "" {
		f, err := os.Create(cfg.junit)
		if err != nil {
			return err
		}
		if err := report.WriteJUnit(f, all, report.JUnitOptions{Name: "labrun " + cfg.cmd}); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	return report.WriteText(w, all, report.TextOptions{Color: report.UseColor(w), Verbose: cfg.verbose})
}
