package check

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"time"

	"github.com/labdocs/dockerlab/tools/internal/atomicfile"
	"github.com/labdocs/dockerlab/tools/internal/blocks"
	"github.com/labdocs/dockerlab/tools/internal/hostfacts"
	"github.com/labdocs/dockerlab/tools/internal/record"
	"github.com/labdocs/dockerlab/tools/internal/report"
	"github.com/labdocs/dockerlab/tools/internal/run"
)

// Capture writes a run back: the output of the blocks whose meaning
// changed into the page, and the page's record beside it. A page whose
// inputs key and blocks are those recorded does not run unless Force.
type Capture struct {
	Force bool
}

// Name is "capture".
func (Capture) Name() string { return "capture" }

func (c Capture) before(o *Outcome, _ *Env) {
	if !c.Force && o.rec != nil && o.rec.Inputs == o.inputs && o.rec.Shows(o.Page) {
		o.Note = "unchanged since capture (use -force to re-run)"
	}
}

// after takes the new output, but only where its meaning changed: a
// block whose normalised output is the page's keeps the page's text, so
// a capture elsewhere rewrites nothing it need not.
func (Capture) after(o *Outcome, e *Env) {
	// Output that shows the lab images' bookkeeping is never written.
	failStandIns(o, true)
	changed := map[int]bool{}
	drifted := map[int]report.Result{}
	for i := range o.Results {
		if o.Results[i].Status == report.Drift {
			drifted[i] = o.Results[i]
			o.Results[i].Status, o.Results[i].Message = report.OK, "updated"
			changed[i] = true
		}
	}
	res := o.Run
	// A record written anew names this machine. Blocks kept from another
	// machine would then show that machine's kernel, data root or host
	// name under a record that names this one's, and the next verify
	// would take them for drift: the whole page is taken from this run.
	if o.rec != nil && renews(o.rec, e, len(changed) > 0, o.inputs) && !sameMachine(o.rec.Host, e.Facts) {
		for i, r := range res.Blocks {
			if r.Block.Kind == blocks.Console && r.Status == run.OK {
				changed[i] = true
			}
		}
	}
	if len(changed) > 0 && !mixable(res, changed, capturedOn(o.rec), e.Facts) {
		// Kept and new text would disagree about which values are the
		// same: the whole page is taken from this run.
		for i, r := range res.Blocks {
			if r.Block.Kind == blocks.Console && r.Status == run.OK {
				changed[i] = true
			}
		}
	}
	if o.Failed() || o.Err != nil {
		// Nothing is written: what differs is reported as drift, not
		// as updated.
		for i, r := range drifted {
			o.Results[i] = r
		}
		return
	}
	if kept, err := writeBack(o, changed, e); err != nil {
		o.Err = err
	} else {
		o.Note = fmt.Sprintf("captured: %d blocks kept, %d rewritten", kept, len(changed))
	}
}

// writeBack writes the output of the changed blocks into the page
// (atomically, and only if it changed) and the page's record beside it.
// It keeps every other block's text, and leaves the record alone when no
// block changed and the record already describes every block. It returns
// how many console blocks it kept.
func writeBack(o *Outcome, changed map[int]bool, e *Env) (kept int, err error) {
	p, rec, res := o.Page, o.rec, o.Run
	outputs := map[*blocks.Block]blocks.Output{}
	hosts := mirrorHosts()
	for i, r := range res.Blocks {
		if r.Block.Kind != blocks.Console || r.Status != run.OK {
			continue
		}
		if !changed[i] {
			kept++
			continue
		}
		out := blocks.Output{Leading: redactHosts(r.Output.Leading, hosts)}
		for _, c := range r.Output.Commands {
			out.Commands = append(out.Commands, redactHosts(c, hosts))
		}
		outputs[r.Block] = out
	}
	ran := make([]record.Ran, len(res.Blocks))
	for i, r := range res.Blocks {
		ran[i].Inside = r.Inside
		if r.Typed != nil {
			ran[i].Typed, ran[i].Cmd, ran[i].From = true, r.Typed.Cmd, r.Typed.From
		}
	}
	if len(outputs) == 0 && !renews(rec, e, false, o.inputs) && reflect.DeepEqual(rec.Blocks, record.BlocksOf(p, ran)) {
		return kept, nil
	}
	np, rewritten, err := p.Rewrite(outputs)
	if err != nil {
		return kept, fmt.Errorf("%s: %w", p.Path, err)
	}
	inputs, images := o.inputs, o.images
	if rewritten {
		info, err := os.Stat(p.Path)
		if err != nil {
			return kept, err
		}
		if err := atomicfile.Write(p.Path, np.Src, info.Mode().Perm()); err != nil {
			return kept, fmt.Errorf("%s: %w", p.Path, err)
		}
		// The inputs include the page's blocks, which now hold new output.
		if inputs, images, err = inputsKey(np, e); err != nil {
			return kept, err
		}
	}
	// The new page's blocks are the old ones with new output: same order.
	nrec := &record.Record{Page: filepath.ToSlash(p.Path), Captured: time.Now().UTC().Truncate(time.Second),
		DurationMS: res.Duration.Milliseconds(), Docker: e.Versions, Host: e.Facts, Images: images, ImageSet: e.ImageSet,
		Blocks: record.BlocksOf(np, ran), Inputs: inputs}
	for _, b := range np.Blocks {
		switch b.Kind {
		case blocks.Skipped:
			nrec.Skipped++
		case blocks.Console:
			nrec.Ran++
		}
	}
	return kept, nrec.Save()
}

// renews reports whether a capture writes the page's record anew, before
// looking at the blocks' positions: a block changed, or the record does
// not name the machine, or names another engine or image set, or, on the
// machine that captured it, holds another inputs key (an image rebuilt,
// a bundle file edited, the page's images read anew) than the page's now.
// A record that already says all this is left alone: nothing changed
// means nothing is written. On another machine the key differs anyway (it
// holds the machine's facts) and the record stays. A page that ran again
// on another engine or image set and printed the same gets a record
// naming them, or its provenance would name an engine it no longer ran
// on; one whose inputs moved on its own machine gets their key, or every
// capture after would run it again.
func renews(rec *record.Record, e *Env, blocksChanged bool, inputs string) bool {
	return blocksChanged || rec == nil || rec.Host.Kernel == "" || rec.Docker != e.Versions || rec.ImageSet != e.ImageSet ||
		rec.Inputs != inputs && sameMachine(rec.Host, e.Facts)
}

// sameMachine reports whether two machines' facts that show in output
// (normalize.Known: kernel, data root, host name) are the same.
func sameMachine(a, b hostfacts.Facts) bool {
	return a.Kernel == b.Kernel && a.DockerRoot == b.DockerRoot && a.Hostname == b.Hostname
}
