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
	JSON    string // also write every block's result as JSON to this file
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
		if err := writeFile(o.JUnit, func(w io.Writer) error {
			return report.WriteJUnit(w, all, report.JUnitOptions{Name: o.Name})
		}); err != nil {
			return err
		}
	}
	if o.JSON != "" {
		if err := writeFile(o.JSON, func(w io.Writer) error { return report.WriteJSON(w, all) }); err != nil {
			return err
		}
	}
	return report.WriteText(w, all, report.TextOptions{Color: report.UseColor(w), Verbose: o.Verbose})
}

// writeFile creates path and writes it with write.
func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
