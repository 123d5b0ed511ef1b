package tui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/abtop-dev/abtop/tui/data"
)

// fakeBatches is three batches of other processes, each with a queue of
// its own; Follow records which was asked for and how its follow ended.
type fakeBatches struct {
	list   []data.Batch
	queues map[string]*fakeQueue

	mu       sync.Mutex
	followed []string
	ctxs     []context.Context
}

func (f *fakeBatches) Batches(context.Context) ([]data.Batch, error) { return f.list, nil }
func (f *fakeBatches) Follow(ctx context.Context, id string) Queue {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.followed = append(f.followed, id)
	f.ctxs = append(f.ctxs, ctx)
	return f.queues[id]
}

func threeBatches() *fakeBatches {
	f := &fakeBatches{queues: map[string]*fakeQueue{}}
	for _, b := range []data.Batch{
		{ID: "b1", Source: "/data/prompts.jsonl", State: "running", PID: 4101, Finished: 12, Total: 200, Alive: true},
		{ID: "b2", Source: "/data/videos\x1b[2J.jsonl", State: "paused", PID: 4202, Finished: 40, Total: 50, Alive: true},
		{ID: "b3", Source: "/data/old.jsonl", State: "ended", PID: 4303, Finished: 9, Total: 9},
	} {
		f.list = append(f.list, b)
		q := newFakeQueue([]data.Job{{Key: "k-" + b.ID, Model: "model-of-" + b.ID, State: data.StatePending}})
		q.state = data.QueueState{Owner: "pid " + itoa(b.PID) + " · " + b.ID}
		close(q.events) // events arrive in the tests as messages
		f.queues[b.ID] = q
	}
	return f
}

// drive executes cmd synchronously and hands every message it yields
// to m, following the commands m returns. Nothing here waits: the fake
// batches' event streams are closed, so a listen ends at once.
func drive(m *Model, cmd tea.Cmd) {
	for _, msg := range run(cmd) {
		_, next := m.Update(msg)
		drive(m, next)
	}
}

func TestBatchPickerShowsTheChosenBatch(t *testing.T) {
	own := newFakeQueue([]data.Job{{Key: "k-own", Model: "model-of-own", State: data.StatePending}})
	src := threeBatches()
	m := New(Options{Profile: "default", Monitor: &fakeMonitor{}, Queue: own, Batches: src, NoColor: true,
		Now: func() time.Time { return t0 }})
	m.Update(windowSizeMsg(120, 30))
	m.Update(queueInitMsg{jobs: own.Jobs()})
	m.Update(pollDoneMsg{res: PollResult{Batches: "3 other batches: prompts.jsonl 12/200 sent · …"}})
	if h := ansi.Strip(strings.Split(m.Render(), "\n")[0]); !strings.Contains(h, "(b lists them)") {
		t.Fatalf("the header does not say how to list the batches: %q", h)
	}

	_, cmd := m.Update(keyMsg("b"))
	drive(m, cmd)
	screen := ansi.Strip(m.Render())
	for _, want := range []string{"prompts.jsonl", "12/200 sent", "running", "pid 4101",
		"videos.jsonl", "40/50 sent", "paused", "pid 4202", "old.jsonl", "9/9 sent", "ended", "pid 4303"} {
		if !strings.Contains(screen, want) {
			t.Fatalf("picker lacks %q:\n%s", want, screen)
		}
	}
	if strings.Contains(m.Render(), "\x1b[2J") {
		t.Fatal("a file name's escape reached the terminal")
	}

	m.Update(keyMsg("down"))
	_, cmd = m.Update(keyMsg("enter"))
	drive(m, cmd)
	screen = ansi.Strip(m.Render())
	if !strings.Contains(screen, "model-of-b2") || strings.Contains(screen, "model-of-own") || !strings.Contains(screen, "Queue of pid 4202") {
		t.Fatalf("the jobs pane does not show the second batch:\n%s", screen)
	}
	// pause acts on that batch, through its owner
	_, cmd = m.Update(keyMsg("p"))
	drive(m, cmd)
	if got := src.queues["b2"].Calls(); !slices.Contains(got, "pause") && !slices.Contains(got, "resume") {
		t.Fatalf("b2's queue got %v", got)
	}
	if len(own.Calls()) != 0 {
		t.Fatalf("the own queue was steered: %v", own.Calls())
	}

	// the own queue's events while b2 is shown do not reach its pane
	job := data.Job{Key: "k-own-2", Model: "model-of-own-2", State: data.StatePending}
	m.Update(queueMsg{{Job: &job}})
	if strings.Contains(ansi.Strip(m.Render()), "model-of-own-2") {
		t.Fatal("the own queue's event landed in another batch's pane")
	}

	// back: the first row leads to the own queue, and b2's follow ends
	_, cmd = m.Update(keyMsg("b"))
	drive(m, cmd)
	if !strings.Contains(ansi.Strip(m.Render()), "▸ videos.jsonl") {
		t.Fatal("the picker does not start on the batch shown")
	}
	m.Update(keyMsg("home"))
	_, cmd = m.Update(keyMsg("enter"))
	drive(m, cmd)
	screen = ansi.Strip(m.Render())
	if !strings.Contains(screen, "model-of-own") || strings.Contains(screen, "model-of-b2") {
		t.Fatalf("not back on the own queue:\n%s", screen)
	}
	if src.ctxs[0].Err() == nil {
		t.Fatal("b2 is still followed after going back")
	}
}

// q while another process's batch is shown still asks about the own
// queue's unfinished jobs (and not about that batch's).
func TestBatchPickerQuitAsksForTheOwnJobs(t *testing.T) {
	own := newFakeQueue([]data.Job{{Key: "k-own", Model: "model-of-own", State: data.StatePending}})
	m := New(Options{Profile: "default", Monitor: &fakeMonitor{}, Queue: own, Batches: threeBatches(), NoColor: true,
		Now: func() time.Time { return t0 }})
	m.Update(windowSizeMsg(120, 30))
	m.Update(queueInitMsg{jobs: own.Jobs()})
	_, cmd := m.Update(keyMsg("b"))
	drive(m, cmd)
	_, cmd = m.Update(keyMsg("enter"))
	drive(m, cmd)
	_, cmd = m.Update(keyMsg("q"))
	if !strings.Contains(ansi.Strip(m.Render()), "1 job unfinished") {
		t.Fatal("q does not ask about the own queue's job")
	}
	for _, msg := range run(cmd) {
		if _, ok := msg.(tea.QuitMsg); ok {
			t.Fatal("quit without asking")
		}
	}
}

func TestBatchPickerDropsAStaleBatchsEvents(t *testing.T) {
	src := threeBatches()
	m := New(Options{Profile: "default", Monitor: &fakeMonitor{}, Batches: src, NoColor: true,
		Now: func() time.Time { return t0 }})
	m.Update(windowSizeMsg(120, 30))
	_, cmd := m.Update(keyMsg("b"))
	drive(m, cmd)
	_, cmd = m.Update(keyMsg("enter")) // b1
	drive(m, cmd)
	_, cmd = m.Update(keyMsg("b"))
	drive(m, cmd)
	m.Update(keyMsg("end"))
	_, cmd = m.Update(keyMsg("enter")) // b3
	drive(m, cmd)
	stale := data.Job{Key: "late", Model: "late-from-b1", State: data.StateRunning}
	m.Update(batchEventsMsg{gen: 1, events: []QueueEvent{{Job: &stale}}})
	screen := ansi.Strip(m.Render())
	if strings.Contains(screen, "late-from-b1") || !strings.Contains(screen, "model-of-b3") {
		t.Fatalf("after switching to b3:\n%s", screen)
	}
}

// The own queue's file and download news while another batch is shown
// still land: the reload on the way back sends the rows, not the files,
// so a file verified meanwhile would stay "downloading" and enter would
// refuse it. Its job rows are dropped (the pane shows the other batch).
func TestBatchPickerKeepsTheOwnFileNews(t *testing.T) {
	own := newFakeQueue([]data.Job{twoFileJob()})
	var opened []string
	m := New(Options{Profile: "default", Monitor: &fakeMonitor{}, Queue: own, Batches: threeBatches(), NoColor: true,
		Now:    func() time.Time { return t0 },
		Opener: func(p string) error { opened = append(opened, p); return nil }})
	m.Update(windowSizeMsg(160, 48))
	m.Update(queueInitMsg{jobs: own.Jobs()})
	m.Update(queueMsg{{Downloads: &data.Downloads{Dir: "/out", FilesTotal: 2}},
		fileNews(0, data.Output{Path: "a.png", Abs: "/out/a.png", Status: data.FilePending})})

	_, cmd := m.Update(keyMsg("b"))
	drive(m, cmd)
	_, cmd = m.Update(keyMsg("enter")) // b1
	drive(m, cmd)
	row := data.Job{Key: "k-own-2", Model: "model-of-own-2", State: data.StatePending}
	m.Update(queueMsg{{Job: &row}, {Downloads: &data.Downloads{Dir: "/out", FilesTotal: 2, FilesDone: 1}},
		fileNews(0, data.Output{Path: "a.png", Abs: "/out/a.png", Bytes: 1_234_567, Status: data.FileVerified})})
	if strings.Contains(plain(m), "model-of-own-2") {
		t.Fatal("the own queue's job row landed in another batch's pane")
	}

	_, cmd = m.Update(keyMsg("b"))
	drive(m, cmd)
	m.Update(keyMsg("home"))
	_, cmd = m.Update(keyMsg("enter"))
	drive(m, cmd)
	v := plain(m)
	if !strings.Contains(v, "a.png · 1.2 MB · ✓ verified") || strings.Contains(v, "◷ downloading") || !strings.Contains(v, "downloads 1/2 files") {
		t.Fatalf("back on the own queue, the file verified meanwhile is not shown so:\n%s", v)
	}
	_, cmd = m.Update(keyMsg("enter"))
	for _, msg := range run(cmd) {
		m.Update(msg)
	}
	if fmt.Sprint(opened) != "[/out/a.png]" {
		t.Fatalf("enter opened %v, want [/out/a.png]:\n%s", opened, plain(m))
	}
}
