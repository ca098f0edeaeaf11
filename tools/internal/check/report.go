package check

import (
	"fmt"
	"io"
	"os"

	"github.com/labdocs/dockerlab/tools/internal/report"
)

// ReportOptions say how Report writes.
type ReportOptions struct {
	Format  string // "human", or "github" for annotations too
	JUnit   string // also write JUnit XML to this file
	Verbose bool   // every block's status
	Name    string // the test suite's name in JUnit
}

// Report prints each page's notes, errors and environment changes, then
// the blocks' report in the chosen format, and writes the JUnit file if
// asked.
func Report(w io.Writer, outs []*Outcome, o ReportOptions) error {
	var all []report.Result
	for _, out := range outs {
		if out.Err != nil {
			fmt.Fprintln(w, out.Err)
		}
		if out.Note != "" {
			fmt.Fprintf(w, "%s: %s\n", out.Page.Path, out.Note)
		}
		for _, d := range out.EnvDiff {
			fmt.Fprintf(w, "%s: the environment changed since capture: %s\n", out.Page.Path, d)
		}
		all = append(all, out.Results...)
	}
	if o.Format == "github" {
		if err := report.WriteGitHub(w, all); err != nil {
			return err
		}
	}
	if o.JUnit != "" {
		f, err := os.Create(o.JUnit)
		if err != nil {
			return err
		}
		if err := report.WriteJUnit(f, all, report.JUnitOptions{Name: o.Name}); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	return report.WriteText(w, all, report.TextOptions{Color: report.UseColor(w), Verbose: o.Verbose})
}
