package check

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/labdocs/dockerlab/tools/internal/hostfacts"
	"github.com/labdocs/dockerlab/tools/internal/record"
	"github.com/labdocs/dockerlab/tools/internal/report"
)

// ReportOptions say how Report writes.
type ReportOptions struct {
	Format  string // "human", or "github" for annotations too
	JUnit   string // also write JUnit XML to this file
	JSON    string // also write the daemons and every block's result as JSON (RunReport) to this file
	Envs    []*Env // the daemons the run used, for the JSON report
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
		if err := writeFile(o.JSON, func(w io.Writer) error { return writeRunReport(w, o.Envs, all) }); err != nil {
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

// RunReport is the JSON report of a run: the daemons it used and every
// block's result.
type RunReport struct {
	Daemons []Daemon            `json:"daemons"`
	Results []report.JSONResult `json:"results"`
}

// Daemon is one daemon of a run, with what a capture on it would record.
type Daemon struct {
	Host    string          `json:"host"`
	Docker  record.Versions `json:"docker"`
	Machine hostfacts.Facts `json:"machine"`
}

func writeRunReport(w io.Writer, envs []*Env, all []report.Result) error {
	r := RunReport{Daemons: []Daemon{}, Results: report.ToJSON(all)}
	for _, e := range envs {
		r.Daemons = append(r.Daemons, Daemon{Host: e.Docker.DaemonHost(), Docker: e.Versions, Machine: e.Facts})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// ReadRunReport reads a JSON report (labrun -json).
func ReadRunReport(path string) (*RunReport, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r RunReport
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &r, nil
}
