package results_test

import (
	"sync"
	"testing"
	"testing/synctest"

	"github.com/abtop-dev/abtop/results"
	"github.com/abtop-dev/abtop/sandbox"
)

// A live display hears each file twice: named and queued (not verified,
// no error), then verified, in that order; a refused name is news too.
// OnProgress wakes it after every change, so its last read of Progress
// sees every file done.
func TestFileNewsAndProgressReachALiveDisplay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, sandbox.Faults{})
		fs := e.run(t, mixed[:2]...)
		var (
			mu    sync.Mutex
			news  = map[string][]results.Output{} // key#index → its news in order
			b     *results.Batch
			last  results.Progress
			pokes int
		)
		opts := e.options(t.TempDir())
		opts.OnFile = func(n results.FileNews) {
			mu.Lock()
			k := n.Key + "#" + string(rune('0'+n.Index))
			news[k] = append(news[k], n.Output)
			mu.Unlock()
		}
		opts.OnProgress = func() {
			mu.Lock()
			if b != nil {
				last = b.Progress()
			}
			pokes++
			mu.Unlock()
		}
		var err error
		mu.Lock()
		b, err = results.Open(t.Context(), opts)
		mu.Unlock()
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fs {
			b.Add(f)
		}
		if _, err := b.Close(t.Context()); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(news) != 4 { // three images and a wav
			t.Fatalf("news of %d files, want 4: %v", len(news), news)
		}
		for k, ns := range news {
			if len(ns) != 2 || ns[0].Verified || ns[0].Error != "" || ns[0].Path == "" || !ns[1].Verified || ns[1].Path != ns[0].Path || ns[1].Bytes <= 0 {
				t.Errorf("%s: news %+v, want queued then verified", k, ns)
			}
		}
		if pokes == 0 || last.FilesDone != 4 || last.FilesTotal != 4 || last.FilesInFlight != 0 || last.BytesInFlight != 0 {
			t.Errorf("after %d pokes the last progress read %+v", pokes, last)
		}
	})
}
