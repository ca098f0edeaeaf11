package handout

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// buildPDF writes a PDF whose objects are given by number (1…), with a
// correct cross-reference table, as Chromium's Skia backend lays one out.
func buildPDF(objs []string, root int) []byte {
	var b strings.Builder
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<</Size %d\n/Root %d 0 R>>\nstartxref\n%d\n%%%%EOF", len(objs)+1, root, xref)
	return []byte(b.String())
}

func TestReadPDF(t *testing.T) {
	pdf := buildPDF([]string{
		/* 1 */ `<</Type /Catalog /Pages 2 0 R /Dests 3 0 R /Names <</Dests 4 0 R>>>>`,
		/* 2 */ `<</Type /Pages /Count 3 /Kids [5 0 R 6 0 R]>>`,
		// Chromium escapes characters of an id that a name cannot hold.
		/* 3 */ `<</p-lab [7 0 R /XYZ 0 841.9 0]
/p-lab--caf#C3#A9#20bar [8 0 R /XYZ 0 400 0]
/p-d <</D [9 0 R /Fit]>>>>`,
		/* 4 */ `<</Kids [10 0 R]>>`,
		/* 5 */ `<</Type /Pages /Count 2 /Kids [7 0 R 8 0 R] /Parent 2 0 R>>`,
		/* 6 */ `<</Type /Pages /Count 1 /Kids [9 0 R] /Parent 2 0 R>>`,
		/* 7 */ `<</Type /Page /Parent 5 0 R /Annots [11 0 R 12 0 R] /Contents 14 0 R>>`,
		/* 8 */ `<</Type /Page /Parent 5 0 R>>`,
		/* 9 */ `<</Type /Page /Parent 6 0 R /Annots 13 0 R>>`,
		/* 10 */ `<</Names [(from-tree) [9 0 R /XYZ 0 0 0]]>>`,
		/* 11 */ `<</Type /Annot /Subtype /Link /Rect [0 0 1 1] /Dest /p-lab--caf#C3#A9#20bar>>`,
		/* 12 */ `<</Type /Annot /Subtype /Link /A <</Type /Action /S /URI /URI (https://example.org/a\(b\)?q=1)>>>>`,
		/* 13 */ `[<</Type /Annot /Subtype /Text /Contents (a note)>> <</Subtype /Link /A <</S /GoTo /D (p-d)>>>>]`,
		// A stream whose bytes look like objects must not confuse the reader.
		/* 14 */ "<</Length 30>> stream\n9 0 obj << /Type /Page >> endobj\nendstream",
	}, 1)
	got, err := ReadPDF(pdf)
	if err != nil {
		t.Fatal(err)
	}
	want := &PDF{
		Pages: 3,
		Dests: map[string]int{"p-lab": 1, "p-lab--café bar": 2, "p-d": 3, "from-tree": 3},
		Links: []Link{
			{Page: 1, Dest: "p-lab--café bar"},
			{Page: 1, URI: "https://example.org/a(b)?q=1"},
			{Page: 3, Dest: "p-d"},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ReadPDF:\n got %+v\nwant %+v", got, want)
	}
}

func TestReadPDFRefusesWhatItCannotRead(t *testing.T) {
	for name, b := range map[string]string{
		"not a PDF":          "hello",
		"xref stream":        "%PDF-1.5\n1 0 obj\n<</Type /XRef>>\nendobj\nstartxref\n9\n%%EOF",
		"missing page":       string(buildPDF([]string{`<</Type /Catalog /Pages 2 0 R>>`, `<</Type /Pages /Kids [3 0 R]>>`}, 1)),
		"dest to no page":    string(buildPDF([]string{`<</Type /Catalog /Pages 2 0 R /Dests <</x [9 0 R]>>>>`, `<</Type /Pages /Kids [3 0 R]>>`, `<</Type /Page>>`}, 1)),
		"unterminated array": string(buildPDF([]string{`<</Type /Catalog /Pages [1 2`}, 1)),
	} {
		if _, err := ReadPDF([]byte(b)); err == nil {
			t.Errorf("%s: no error", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
}
