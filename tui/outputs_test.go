package tui

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/abtop-dev/abtop/apiclient/problem"
	"github.com/abtop-dev/abtop/tui/data"
)

// outputsModel is a dashboard with no jobs yet, its opener recorded.
func outputsModel(w, h int) (*Model, *[]string) {
	var opened []string
	m := New(Options{
		Profile: "default", NoColor: true, Monitor: &fakeMonitor{}, Queue: newFakeQueue(nil),
		Now:    func() time.Time { return t0 },
		Opener: func(p string) error { opened = append(opened, p); return nil },
	})
	m.Update(windowSizeMsg(w, h))
	m.Update(queueInitMsg{})
	return m, &opened
}

func jobEvent(j data.Job) QueueEvent { return QueueEvent{At: t0, Job: &j} }

// Rows move through every state as the queue's events arrive, with no
// listing of their own: queued → created → running → succeeded, and a
// failed job with its problem on its row; the bar counts final jobs.
func TestEventsMoveARowThroughEveryState(t *testing.T) {
	m, _ := outputsModel(100, 30)
	a := data.Job{Key: "k-a", Model: "flux-schnell", Attempts: 1, Enqueued: t0, Updated: t0}
	b := data.Job{Key: "k-b", Model: "flux-dev", Attempts: 1, Enqueued: t0, Updated: t0}
	steps := []struct {
		a, b data.State
		want []string
	}{
		{data.StatePending, data.StatePending, []string{"· queued", "2 to go of 2", "0%"}},
		{data.StateCreated, data.StateSending, []string{"▹ created", "↑ sending"}},
		{data.StateRunning, data.StateCreated, []string{"▸ running", "▹ created"}},
		{data.StateSucceeded, data.StateRunning, []string{"✓ done", "✓ 1 succeeded", "1 to go of 2", "50%"}},
		{data.StateSucceeded, data.StateFailed, []string{"✓ done", "✗ failed", "internal_error: Generation failed", "the model crashed", "0 to go of 2", "100%"}},
	}
	for i, s := range steps {
		a.State, b.State = s.a, s.b
		if s.a != data.StatePending {
			a.ID = "job_a"
		}
		if s.b == data.StateFailed {
			b.ID = "job_b"
			b.Problem = &problem.Problem{Status: 500, Code: "internal_error", Title: "Generation failed", Detail: "the model crashed"}
		}
		m.Update(queueMsg{jobEvent(a), jobEvent(b)})
		v := plain(m)
		for _, w := range s.want {
			if !strings.Contains(v, w) {
				t.Fatalf("step %d (%s, %s): %q not on screen:\n%s", i, s.a, s.b, w, v)
			}
		}
		if got := m.jobs.Total(); got != 2 {
			t.Fatalf("step %d: %d rows, want 2 (an event updates its row)", i, got)
		}
	}
}

// twoFileJob is a succeeded job with two images.
func twoFileJob() data.Job {
	return data.Job{Key: "k-img", ID: "job_img", Model: "flux-schnell", State: data.StateSucceeded, Attempts: 1,
		Enqueued: t0, Updated: t0, Credits: 1,
		Outputs: []data.Output{{ContentType: "image/png", Bytes: 1_234_567}, {ContentType: "image/png", Bytes: 900_000}}}
}

func fileNews(i int, o data.Output) QueueEvent {
	return QueueEvent{At: t0, File: &data.FileNews{Key: "k-img", Index: i, Output: o}}
}

// The detail pane lists each output file with its size and where it is:
// verified, downloading, or failed with the reason (escaped: the reason
// may quote the server).
func TestDetailListsOutputFiles(t *testing.T) {
	m, _ := outputsModel(160, 48)
	m.Update(queueMsg{jobEvent(twoFileJob())})
	if v := plain(m); !strings.Contains(v, "on the server: set out: to download") || !strings.Contains(v, "image/png · 1.2 MB") {
		t.Fatalf("files without an output directory not listed as remote:\n%s", v)
	}
	m.Update(queueMsg{{Downloads: &data.Downloads{Dir: "/out", FilesTotal: 2}},
		fileNews(0, data.Output{Path: "1-flux-schnell-1.png", Abs: "/out/1-flux-schnell-1.png", Bytes: 1_234_567, Status: data.FileVerified}),
		fileNews(1, data.Output{Path: "1-flux-schnell-2.png", Abs: "/out/1-flux-schnell-2.png", Bytes: 900_000, Status: data.FilePending})})
	v := plain(m)
	for _, w := range []string{"output files (2) · enter opens ▸ · f marks the next", "▸ 1-flux-schnell-1.png · 1.2 MB · ✓ verified", "  1-flux-schnell-2.png · 900 kB · ◷ downloading"} {
		if !strings.Contains(v, w) {
			t.Fatalf("%q not in the detail pane:\n%s", w, v)
		}
	}
	m.Update(queueMsg{fileNews(1, data.Output{Path: "1-flux-schnell-2.png", Bytes: 900_000, Status: data.FileFailed, Err: "sha256 mismatch\x1b[2J"})})
	v = plain(m)
	if !strings.Contains(v, "1-flux-schnell-2.png · 900 kB · ✗ failed: sha256 mismatch") || strings.Contains(m.Render(), "\x1b[2J") {
		t.Fatalf("failed file not shown with its reason, or shown raw:\n%s", v)
	}
}

// enter opens the marked file with the opener (in a command, never in
// Update), f marks the next; a file not on disk is not opened, and says why.
func TestEnterOpensTheMarkedOutput(t *testing.T) {
	m, opened := outputsModel(160, 48)
	m.Update(queueMsg{jobEvent(twoFileJob()), {Downloads: &data.Downloads{Dir: "/out"}},
		fileNews(0, data.Output{Path: "a.png", Abs: "/out/a.png", Status: data.FileVerified}),
		fileNews(1, data.Output{Path: "b.png", Abs: "/out/b.png", Status: data.FilePending})})
	_, cmd := m.Update(keyMsg("enter"))
	if len(*opened) != 0 {
		t.Fatal("the opener ran inside Update")
	}
	for _, msg := range run(cmd) {
		m.Update(msg)
	}
	if fmt.Sprint(*opened) != "[/out/a.png]" {
		t.Fatalf("enter opened %v, want [/out/a.png]", *opened)
	}
	if v := plain(m); !strings.Contains(v, "opened /out/a.png") {
		t.Fatalf("no word of the open:\n%s", v)
	}
	m.Update(keyMsg("f"))
	if v := plain(m); !strings.Contains(v, "▸ b.png") {
		t.Fatalf("f did not mark the second file:\n%s", v)
	}
	_, cmd = m.Update(keyMsg("enter"))
	if cmd != nil || !strings.Contains(plain(m), "not on disk yet: b.png is downloading") {
		t.Fatalf("a file still downloading was opened, or no word why:\n%s", plain(m))
	}
	m.Update(queueMsg{fileNews(1, data.Output{Path: "b.png", Abs: "/out/b.png", Status: data.FileVerified})})
	_, cmd = m.Update(keyMsg("enter"))
	run(cmd)
	if fmt.Sprint(*opened) != "[/out/a.png /out/b.png]" {
		t.Fatalf("enter after f opened %v, want the second file", *opened)
	}
	// the opener's error goes to the status line
	m.opts.Opener = func(string) error { return errors.New(`exec: "xdg-open": executable file not found`) }
	_, cmd = m.Update(keyMsg("enter"))
	for _, msg := range run(cmd) {
		m.Update(msg)
	}
	if v := plain(m); !strings.Contains(v, `could not open /out/b.png: exec: "xdg-open"`) {
		t.Fatalf("opener error not shown:\n%s", v)
	}
}

// y copies the marked file's path once it is on disk, the job id before.
func TestYCopiesTheOutputPath(t *testing.T) {
	m, _ := outputsModel(160, 48)
	m.Update(queueMsg{jobEvent(twoFileJob()), {Downloads: &data.Downloads{Dir: "/out"}},
		fileNews(0, data.Output{Path: "a.png", Abs: "/out/a.png", Status: data.FilePending})})
	_, cmd := m.Update(keyMsg("y"))
	if msgs := run(cmd); len(msgs) != 1 || fmt.Sprint(msgs[0]) != "job_img" {
		t.Fatalf("y before the file is on disk gave %v, want the job id", msgs)
	}
	m.Update(queueMsg{fileNews(0, data.Output{Path: "a.png", Abs: "/out/a.png", Status: data.FileVerified})})
	_, cmd = m.Update(keyMsg("y"))
	if msgs := run(cmd); len(msgs) != 1 || fmt.Sprint(msgs[0]) != "/out/a.png" {
		t.Fatalf("y gave %v, want the clipboard set to /out/a.png", msgs)
	}
	if v := plain(m); !strings.Contains(v, "copied path /out/a.png") {
		t.Fatalf("no word of the copy:\n%s", v)
	}
}

// The download line sits beside the progress bar: files done of all,
// files and bytes in flight, failures.
func TestDownloadLine(t *testing.T) {
	for _, sz := range [][2]int{{100, 30}, {60, 20}} {
		m, _ := outputsModel(sz[0], sz[1])
		m.Update(queueMsg{jobEvent(twoFileJob())})
		if v := plain(m); strings.Contains(v, "downloads") {
			t.Fatalf("%v: a download line without an output directory:\n%s", sz, v)
		}
		m.Update(queueMsg{{Downloads: &data.Downloads{Dir: "/out", FilesTotal: 40, FilesDone: 12, FilesInFlight: 3, BytesInFlight: 18_200_000, FilesFailed: 1}}})
		want := "downloads 12/40 files · 3 in flight · 18.2 MB · 1 failed"
		if sz[0] < 100 {
			want = "100%  downloads 12/40 files · 3 in flight · 18.2 MB" // no bar: the line comes first
		}
		if v := plain(m); !strings.Contains(v, want) {
			t.Fatalf("%v: no download line:\n%s", sz, v)
		}
	}
	if got := downloadLine(&data.Downloads{FilesTotal: 2, FilesDone: 2, BytesDone: 2_100_000}); got != "downloads 2/2 files · 2.1 MB on disk" {
		t.Errorf("finished downloads read %q", got)
	}
}

// TestGoldenOutputs is the 160×48 screen of a job with files being
// downloaded: the detail pane's file list and the download line.
// Update with: go test ./tui -run TestGoldenOutputs -update
func TestGoldenOutputs(t *testing.T) {
	m, _ := scenario(160, 48, true, 40)
	j := twoFileJob()
	m.Update(queueMsg{jobEvent(j), {Downloads: &data.Downloads{Dir: "/out", FilesTotal: 2, FilesDone: 1, FilesInFlight: 1, BytesInFlight: 900_000, BytesDone: 1_234_567}},
		fileNews(0, data.Output{Path: "41-flux-schnell-1.png", Abs: "/out/41-flux-schnell-1.png", Bytes: 1_234_567, Status: data.FileVerified}),
		fileNews(1, data.Output{Path: "41-flux-schnell-2.png", Abs: "/out/41-flux-schnell-2.png", Bytes: 900_000, Status: data.FilePending})})
	m.Update(keyMsg("G"))
	golden.RequireEqual(t, []byte(m.Render()))
}

// The system opener is open on macOS and xdg-open on Linux and the BSDs.
func TestOpenerFor(t *testing.T) {
	for goos, want := range map[string]string{"darwin": "open", "linux": "xdg-open", "freebsd": "xdg-open", "windows": "explorer"} {
		if got, _ := openerFor(goos); got != want {
			t.Errorf("openerFor(%q) = %q, want %q", goos, got, want)
		}
	}
}
