package report

import (
	"encoding/json"
	"io"
	"time"
)

// jsonResult is one block in the JSON report: what a program reading a
// run needs (the matrix of engines reads a run on another engine so).
type jsonResult struct {
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

// WriteJSON writes every result, in order, as one JSON array: the page's
// and the run's lines both normalised and as displayed.
func WriteJSON(w io.Writer, results []Result) error {
	out := make([]jsonResult, len(results))
	for i, r := range results {
		out[i] = jsonResult{Page: r.Page, Block: r.Block, Line: r.Line, OutputLine: r.OutputLine, Title: r.Title,
			Command: r.Command, Status: r.Status, Message: r.Message, Want: r.Want, Got: r.Got,
			WantRaw: r.WantRaw, GotRaw: r.GotRaw, DurationMS: r.Duration.Milliseconds()}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

// ReadJSON reads what WriteJSON wrote.
func ReadJSON(r io.Reader) ([]Result, error) {
	var in []jsonResult
	if err := json.NewDecoder(r).Decode(&in); err != nil {
		return nil, err
	}
	out := make([]Result, len(in))
	for i, j := range in {
		out[i] = Result{Page: j.Page, Block: j.Block, Line: j.Line, OutputLine: j.OutputLine, Title: j.Title,
			Command: j.Command, Status: j.Status, Message: j.Message, Want: j.Want, Got: j.Got,
			WantRaw: j.WantRaw, GotRaw: j.GotRaw, Duration: time.Duration(j.DurationMS) * time.Millisecond}
	}
	return out, nil
}
