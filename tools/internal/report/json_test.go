package report

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"
)

// What WriteJSON writes, ReadJSON reads back as it was (durations to the
// millisecond); lines keep their HTML characters and an empty output
// stays distinct from no output.
func TestJSONRoundTrip(t *testing.T) {
	in := []Result{
		{Page: "content/a.md", Block: 2, Line: 10, OutputLine: 11, Title: "Run <it>", Command: "docker ps\necho & done",
			Status: Drift, Message: "differs", Want: []string{"<container-1>  web"}, Got: []string{"<container-1>  db"},
			WantRaw: []string{"3f4e8c1a9b2d  web"}, GotRaw: []string{"77aa8c1a9b2d  db"}, Duration: 1500 * time.Millisecond},
		{Page: "content/a.md", Block: 3, Line: 20, Status: Skipped, Message: "alone", Want: []string{}, WantRaw: []string{}},
	}
	var b bytes.Buffer
	if err := WriteJSON(&b, in); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"Run <it>"`) || !strings.Contains(b.String(), `echo & done`) {
		t.Errorf("HTML characters escaped:\n%s", b.String())
	}
	out, err := ReadJSON(&b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Errorf("read back:\n%#v\nwant:\n%#v", out, in)
	}
}
