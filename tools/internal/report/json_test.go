package report

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// What ToJSON makes goes through encoding/json and back through FromJSON
// as it was (durations to the millisecond); an empty output stays
// distinct from no output.
func TestJSONRoundTrip(t *testing.T) {
	in := []Result{
		{Page: "content/a.md", Block: 2, Line: 10, OutputLine: 11, Title: "Run <it>", Command: "docker ps\necho & done",
			Status: Drift, Message: "differs", Want: []string{"<container-1>  web"}, Got: []string{"<container-1>  db"},
			WantRaw: []string{"3f4e8c1a9b2d  web"}, GotRaw: []string{"77aa8c1a9b2d  db"}, Duration: 1500 * time.Millisecond},
		{Page: "content/a.md", Block: 3, Line: 20, Status: Skipped, Message: "alone", Want: []string{}, WantRaw: []string{}},
	}
	var b bytes.Buffer
	if err := json.NewEncoder(&b).Encode(ToJSON(in)); err != nil {
		t.Fatal(err)
	}
	var back []JSONResult
	if err := json.NewDecoder(&b).Decode(&back); err != nil {
		t.Fatal(err)
	}
	if out := FromJSON(back); !reflect.DeepEqual(in, out) {
		t.Errorf("read back:\n%#v\nwant:\n%#v", out, in)
	}
}
