package report

import (
	"time"
)

// JSONResult is one block in a JSON report: what a program reading a run
// needs (the matrix of engines reads a run on another engine so).
type JSONResult struct {
	Page       string   `json:"page"`
	Block      int      `json:"block"`
	Line       int      `json:"line"`
	OutputLine int      `json:"output_line,omitempty"`
	Title      string   `json:"title,omitempty"`
	Command    string   `json:"command,omitempty"`
	Status     Status   `json:"status"`
	Message    string   `json:"message,omitempty"`
	Want       []string `json:"want"`
	Got        []string `json:"got"`
	WantRaw    []string `json:"want_raw"`
	GotRaw     []string `json:"got_raw"`
	DurationMS int64    `json:"duration_ms"`
}

// ToJSON is every result, in order, as the JSON report holds them: the
// page's and the run's lines both normalised and as displayed.
func ToJSON(results []Result) []JSONResult {
	out := make([]JSONResult, len(results))
	for i, r := range results {
		out[i] = JSONResult{Page: r.Page, Block: r.Block, Line: r.Line, OutputLine: r.OutputLine, Title: r.Title,
			Command: r.Command, Status: r.Status, Message: r.Message, Want: r.Want, Got: r.Got,
			WantRaw: r.WantRaw, GotRaw: r.GotRaw, DurationMS: r.Duration.Milliseconds()}
	}
	return out
}

// FromJSON is what ToJSON made, back as results.
func FromJSON(in []JSONResult) []Result {
	out := make([]Result, len(in))
	for i, j := range in {
		out[i] = Result{Page: j.Page, Block: j.Block, Line: j.Line, OutputLine: j.OutputLine, Title: j.Title,
			Command: j.Command, Status: j.Status, Message: j.Message, Want: j.Want, Got: j.Got,
			WantRaw: j.WantRaw, GotRaw: j.GotRaw, Duration: time.Duration(j.DurationMS) * time.Millisecond}
	}
	return out
}
