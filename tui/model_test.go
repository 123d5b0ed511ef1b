package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/apiclient/problem"
	"github.com/abtop-dev/abtop/apiclient/usage"
	"github.com/abtop-dev/abtop/tui/data"
	"github.com/abtop-dev/abtop/tui/logview"
)

func plain(m *Model) string {
	return stripANSI(m.Render())
}

func stripANSI(s string) string {
	var b strings.Builder
	in := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == 0x1b:
			in = true
		case in && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'):
			in = false
		case !in:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// run executes a command (and batches) synchronously and returns the messages.
func run(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, run(c)...)
		}
		return out
	}
	return []tea.Msg{msg}
}

func TestPollTicksCannotMultiply(t *testing.T) {
	mon := &fakeMonitor{}
	m := New(Options{Monitor: mon, Now: func() time.Time { return t0 }})
	m.Update(windowSizeMsg(100, 30))

	// the first tick starts a poll
	_, cmd := m.Update(pollTickMsg{gen: 0})
	if !m.inFlight || cmd == nil {
		t.Fatal("first tick did not start a poll")
	}
	// a second tick of the same generation while in flight does nothing
	if _, c := m.Update(pollTickMsg{gen: 0}); c != nil {
		t.Fatal("a tick during an in-flight poll started another one")
	}
	// R while in flight is ignored
	if _, c := m.Update(keyMsg("R")); c != nil {
		t.Fatal("R during an in-flight poll started another one")
	}
	if !strings.Contains(plain(m), "refresh already in flight") {
		t.Fatal("ignored refresh not explained")
	}
	msgs := run(cmd)
	done, ok := msgs[0].(pollDoneMsg)
	if !ok || mon.Polls() != 1 {
		t.Fatalf("poll cmd gave %T, polls %d", msgs[0], mon.Polls())
	}
	_, next := m.Update(done)
	if next == nil || m.inFlight {
		t.Fatal("poll completion did not schedule the next tick")
	}
	// R now starts a new generation: the pending tick of gen 0 is stale
	if _, c := m.Update(keyMsg("R")); c == nil || m.pollGen != 1 {
		t.Fatal("R did not refresh")
	}
	m.inFlight = false
	if _, c := m.Update(pollTickMsg{gen: 0}); c != nil {
		t.Fatal("stale tick from before the refresh started a poll")
	}
	if _, c := m.Update(pollTickMsg{gen: 1}); c == nil {
		t.Fatal("current tick ignored")
	}
}

func TestPollingStopsDuringRetryAfterAndSlowsWhenShort(t *testing.T) {
	mon := &fakeMonitor{}
	m := New(Options{Monitor: mon, Now: func() time.Time { return t0 }, PollInterval: 5 * time.Second})
	m.Update(windowSizeMsg(100, 30))
	s := snap(t0, 3, 100, 10)
	s.RetryAfter = dur(30 * time.Second)
	m.Update(obsMsg{{Method: "GET", Path: "/v1/balance", Status: 429, Snapshot: s}})
	if _, cmd := m.Update(pollTickMsg{gen: 0}); cmd == nil || m.inFlight {
		t.Fatal("a tick during a Retry-After embargo must reschedule, not poll")
	}
	if _, cmd := m.Update(keyMsg("R")); cmd != nil {
		t.Fatal("R during an embargo sent a request")
	}
	// 3/60 left: polling slows to 4× the interval
	if got := m.pollInterval(); got != 20*time.Second {
		t.Fatalf("interval with 5%% budget left = %v, want 20s", got)
	}
	if !strings.Contains(plain(m), "Retry-After") {
		t.Fatal("embargo not shown")
	}
}

func TestQueueKeysCallTheQueueInCommands(t *testing.T) {
	m, q := scenario(100, 30, true, 40)
	// pause
	_, cmd := m.Update(keyMsg("space"))
	if len(q.Calls()) != 0 {
		t.Fatal("Update called the queue directly; it must only return a command")
	}
	for _, msg := range run(cmd) {
		m.Update(msg)
	}
	if got := q.Calls(); len(got) != 1 || got[0] != "pause" {
		t.Fatalf("calls = %v", got)
	}
	if !strings.Contains(plain(m), "queue paused") {
		t.Fatal("pause not shown")
	}
	// p resumes
	_, cmd = m.Update(keyMsg("p"))
	for _, msg := range run(cmd) {
		m.Update(msg)
	}
	if got := q.Calls(); got[1] != "resume" {
		t.Fatalf("calls = %v", got)
	}
	// cancel the selected (4th: pending) job; the server says 409
	m.Update(keyMsg("down"))
	m.Update(keyMsg("down"))
	m.Update(keyMsg("down"))
	q.cancelEr = &apiclient.Error{Status: 409, Code: problem.CodeConflict, Title: "Conflict", Detail: "job is already running"}
	_, cmd = m.Update(keyMsg("x"))
	if v := plain(m); !strings.Contains(v, "canceling the job (not sent yet)…") {
		t.Fatalf("no feedback while the cancel is on its way:\n%s", v)
	}
	for _, msg := range run(cmd) {
		m.Update(msg)
	}
	if got := q.Calls(); got[2] != "cancel k-00003-5b1e2c" {
		t.Fatalf("calls = %v", got)
	}
	if v := plain(m); !strings.Contains(v, "409 conflict: job is already running") {
		t.Fatalf("409 not shown:\n%s", v)
	}
	// retry failed
	_, cmd = m.Update(keyMsg("r"))
	for _, msg := range run(cmd) {
		m.Update(msg)
	}
	if got := q.Calls(); got[3] != "retry" {
		t.Fatalf("calls = %v", got)
	}
}

func TestQuitAsksOnceWhenJobsAreInFlight(t *testing.T) {
	m, _ := scenario(100, 30, true, 40)
	if _, cmd := m.Update(keyMsg("q")); cmd != nil {
		t.Fatal("quit with unfinished jobs did not ask")
	}
	if v := plain(m); !strings.Contains(v, "unfinished — the journal keeps them") {
		t.Fatalf("no question shown:\n%s", v)
	}
	_, cmd := m.Update(keyMsg("ctrl+c"))
	if msgs := run(cmd); len(msgs) != 1 || msgs[0] != (tea.QuitMsg{}) {
		t.Fatalf("second quit gave %v", msgs)
	}
	// nothing in flight: quits at once
	m2 := New(Options{Now: func() time.Time { return t0 }})
	if _, cmd := m2.Update(keyMsg("q")); cmd == nil {
		t.Fatal("idle quit asked")
	}
}

func TestRemappedKeysWorkAndShowInHelp(t *testing.T) {
	q := newFakeQueue(nil)
	m := New(Options{Keys: map[string][]string{"pause": {"P"}, "bogus": {"z"}}, Queue: q, Now: func() time.Time { return t0 }, NoColor: true})
	m.Update(windowSizeMsg(100, 30))
	if _, cmd := m.Update(keyMsg("space")); cmd != nil {
		t.Fatal("space still pauses after remapping pause to P")
	}
	if _, cmd := m.Update(keyMsg("P")); cmd == nil {
		t.Fatal("P does not pause")
	}
	m.Update(keyMsg("?"))
	v := plain(m)
	if !strings.Contains(v, "P pause/resume") || strings.Contains(v, "space/p") {
		t.Fatalf("help does not show the remapped key:\n%s", v)
	}
	m.Update(keyMsg("l")) // any key closes help
	m.Update(keyMsg("l"))
	if v := plain(m); !strings.Contains(v, "keys.bogus: unknown action") {
		t.Fatalf("bad remap not reported in the log:\n%s", v)
	}
}

func TestFilterShowsOnlyMatchingJobs(t *testing.T) {
	m, _ := scenario(100, 30, true, 40)
	m.Update(keyMsg("/"))
	typeText(m, "failed")
	m.Update(keyMsg("enter"))
	v := plain(m)
	if strings.Contains(v, "✓ done") || !strings.Contains(v, "✗ failed") {
		t.Fatalf("filter not applied:\n%s", v)
	}
	if !strings.Contains(v, "5 of 40 match") {
		t.Fatalf("match count missing:\n%s", v)
	}
	m.Update(keyMsg("esc"))
	if v := plain(m); !strings.Contains(v, "✓ done") {
		t.Fatal("esc did not clear the filter")
	}
}

func TestOpenFileShowsErrorsByLine(t *testing.T) {
	m, q := scenario(100, 30, true, 0)
	q.loadErr = &FileError{Path: "bad.jsonl", Lines: []LineError{{Line: 3, Msg: `model "nope" is not in /v1/models`}, {Line: 7, Msg: "input: missing"}}}
	m.Update(keyMsg("o"))
	typeText(m, "bad.jsonl")
	_, cmd := m.Update(keyMsg("enter"))
	for _, msg := range run(cmd) {
		m.Update(msg)
	}
	v := plain(m)
	for _, want := range []string{"2 invalid lines; nothing was queued", `line 3: model "nope" is not in /v1/models`, "line 7: input: missing"} {
		if !strings.Contains(v, want) {
			t.Fatalf("missing %q:\n%s", want, v)
		}
	}
	q.loadErr = nil
	_, cmd = m.Update(keyMsg("enter"))
	for _, msg := range run(cmd) {
		m.Update(msg)
	}
	if v := plain(m); !strings.Contains(v, "queued 50 jobs from bad.jsonl") {
		t.Fatalf("load result not shown:\n%s", v)
	}
}

func TestAddJobForm(t *testing.T) {
	q := newFakeQueue(nil)
	mon := &fakeMonitor{models: []apiclient.Model{{ID: "flux-schnell", Kind: "image", Credits: 1}, {ID: "kling-2.6", Kind: "video", Credits: 20}}}
	m := New(Options{Monitor: mon, Queue: q, Now: func() time.Time { return t0 }, NoColor: true})
	m.Update(windowSizeMsg(100, 30))
	_, cmd := m.Update(keyMsg("a"))
	for _, msg := range run(cmd) {
		m.Update(msg)
	}
	m.Update(keyMsg("down")) // pick kling-2.6
	m.Update(keyMsg("tab"))
	typeText(m, "a cat")
	m.Update(keyMsg("tab"))
	typeText(m, `{"seed": 7`)
	m.Update(keyMsg("enter"))
	if v := plain(m); !strings.Contains(v, "params: not a JSON object") {
		t.Fatalf("bad params not reported:\n%s", v)
	}
	typeText(m, "}")
	_, cmd = m.Update(keyMsg("enter"))
	for _, msg := range run(cmd) {
		m.Update(msg)
	}
	if got := q.Calls(); len(got) != 1 || got[0] != `enqueue kling-2.6 {"prompt":"a cat","seed":7}` {
		t.Fatalf("calls = %v", got)
	}
}

func TestQueueEventsUpdateTheTable(t *testing.T) {
	m, _ := scenario(100, 30, true, 0)
	j := data.Job{Key: "k1", Model: "flux-dev", State: data.StatePending, Wait: "credits", Enqueued: t0}
	m.Update(queueMsg{{At: t0, Job: &j}})
	if v := plain(m); !strings.Contains(v, "◷ waiting") || !strings.Contains(v, "credits") {
		t.Fatalf("event not shown:\n%s", v)
	}
	j.State, j.Wait = data.StateFailed, ""
	j.Problem = &problem.Problem{Status: 402, Code: problem.CodeInsufficientCredits, Title: "Insufficient credits", Detail: "Balance 0.5, job costs 20."}
	j.Next = "paused until credits are added"
	m.Update(queueMsg{{At: t0, Job: &j, State: &data.QueueState{Paused: true, Reason: "paused: out of credits"}}})
	m.Update(keyMsg("tab")) // detail pane
	v := plain(m)
	for _, want := range []string{"insufficient_credits", "Balance 0.5, job costs 20.", "abtop will: paused until credits are added", "⏸ paused: out of credits"} {
		if !strings.Contains(v, want) {
			t.Fatalf("missing %q:\n%s", want, v)
		}
	}
}

func TestTenThousandJobsScrollAndStayInFrame(t *testing.T) {
	m, _ := scenario(100, 30, true, 10000)
	m.Update(tea.KeyPressMsg{Code: tea.KeyEnd})
	if j, _ := m.jobs.Selected(); j.Key != "k-09999-5b1e2c" {
		t.Fatalf("End selected %s, want the last job", j.Key)
	}
	// The detail pane shows the selected (last, pending) job whether or
	// not the table scrolled, so look for the row above it, which only
	// the table shows, and for the first rows being gone.
	v := plain(m)
	if !strings.Contains(v, "job_8f2a9998") || strings.Contains(v, "job_8f2a0000") {
		t.Fatalf("table did not scroll to the end:\n%s", v)
	}
	if n := strings.Count(v, "\n") + 1; n != 30 {
		t.Fatalf("%d lines", n)
	}
	m.Update(tea.MouseWheelMsg{Button: tea.MouseWheelUp})
	if j, _ := m.jobs.Selected(); j.Key != "k-09996-5b1e2c" {
		t.Fatalf("wheel up selected %s", j.Key)
	}
}

func TestResizeRedrawsEveryLayout(t *testing.T) {
	m, _ := scenario(100, 30, true, 40)
	for _, sz := range [][2]int{{40, 10}, {59, 19}, {60, 20}, {99, 40}, {100, 30}, {200, 60}} {
		m.Update(windowSizeMsg(sz[0], sz[1]))
		lines := strings.Split(m.Render(), "\n")
		if len(lines) != sz[1] {
			t.Fatalf("%v: %d lines", sz, len(lines))
		}
	}
	m.Update(windowSizeMsg(50, 15))
	if v := plain(m); strings.Contains(v, "STATE") || !strings.Contains(v, "Monthly writes") {
		t.Fatalf("below 60×20 should show gauges only:\n%s", v)
	}
}

func TestPollErrorShowsInHeader(t *testing.T) {
	mon := &fakeMonitor{err: &apiclient.Error{Status: 401, Code: problem.CodeUnauthorized, Title: "Unauthorized"}}
	m := New(Options{Monitor: mon, Now: func() time.Time { return t0 }, NoColor: true})
	m.Update(windowSizeMsg(100, 30))
	_, cmd := m.Update(pollTickMsg{})
	for _, msg := range run(cmd) {
		m.Update(msg)
	}
	if v := plain(m); !strings.Contains(v, "✖ 401 unauthorized: Unauthorized · retry 15:42:05") {
		t.Fatalf("poll error not in header:\n%s", v)
	}
	// The next successful poll clears it.
	mon.mu.Lock()
	mon.err = nil
	mon.mu.Unlock()
	_, cmd = m.Update(pollTickMsg{})
	for _, msg := range run(cmd) {
		m.Update(msg)
	}
	if v := plain(m); strings.Contains(v, "401") {
		t.Fatalf("poll error still in the header after a successful poll:\n%s", v)
	}
}

func TestNoQueueSaysSo(t *testing.T) {
	m := New(Options{Now: func() time.Time { return t0 }, NoColor: true})
	m.Update(windowSizeMsg(100, 30))
	m.Update(keyMsg("a"))
	if v := plain(m); !strings.Contains(v, "not available") {
		t.Fatalf("missing queue not explained:\n%s", v)
	}
}

func TestStaleValuesAreDimmedWithAge(t *testing.T) {
	now := t0
	m := New(Options{Now: func() time.Time { return now }, NoColor: true, PollInterval: 5 * time.Second})
	m.Update(windowSizeMsg(100, 30))
	m.Update(obsMsg{{Method: "GET", Path: "/v1/balance", Status: 200, Snapshot: snap(t0, 50, 100, 10)}})
	now = t0.Add(42 * time.Second)
	m.Update(frameMsg{})
	if v := plain(m); !strings.Contains(v, "42s ago") || !strings.Contains(v, "stale") {
		t.Fatalf("stale data not marked:\n%s", v)
	}
	_ = usage.Snapshot{}
}

// r resends failed jobs under their original keys and says so; a job the
// server created and then failed is not resent (that is a new job, a new
// key), and the status line says which is which.
func TestRetrySaysWhichJobsKeepTheirKeys(t *testing.T) {
	q := newFakeQueue(nil)
	m := New(Options{Queue: q, Now: func() time.Time { return t0 }, NoColor: true})
	m.Update(windowSizeMsg(120, 30))
	refused := data.Job{Key: "k-refused", Model: "flux-schnell", State: data.StateFailed, Attempts: 1,
		Problem: &problem.Problem{Status: 402, Code: "plan_required"}}
	onServer := data.Job{Key: "k-server", ID: "job_f00", Model: "flux-schnell", State: data.StateFailed, Attempts: 1}
	m.Update(queueInitMsg{jobs: []data.Job{refused, onServer}})
	_, cmd := m.Update(keyMsg("r"))
	for _, msg := range run(cmd) {
		m.Update(msg)
	}
	v := plain(m)
	for _, want := range []string{"retrying 1 failed job with its original key", "1 failed on the server after it was created: not resent"} {
		if !strings.Contains(v, want) {
			t.Errorf("status lacks %q:\n%s", want, v)
		}
	}
}

// With a shared budget, a Retry-After another process received reaches
// this dashboard only through the poll: it must show as the embargo.
func TestSharedEmbargoReachesTheDashboard(t *testing.T) {
	m, _ := scenario(160, 48, true, 3)
	if v := plain(m); strings.Contains(v, "Retry-After: no requests") {
		t.Fatalf("embargo before any was reported:\n%s", v)
	}
	m.Update(pollDoneMsg{gen: 0, res: PollResult{
		Balance: &apiclient.Balance{Credits: 1204.5, Plan: "team"}, Requests: 1,
		Limiter: budget.Sharing{Shared: true, Peers: 2, Text: "shared via redis · 2 submitters · share 1/2"},
		Embargo: t0.Add(40 * time.Second),
	}})
	if !m.usage.Embargoed(t0) || !m.usage.EmbargoUntil.Equal(t0.Add(40*time.Second)) {
		t.Fatalf("embargo until %v, want %v", m.usage.EmbargoUntil, t0.Add(40*time.Second))
	}
	if v := plain(m); !strings.Contains(v, "40s") || !strings.Contains(v, "shared via redis") {
		t.Errorf("the shared embargo is not on screen:\n%s", v)
	}
}

// Issue 11 item 6: when the queue could not be opened, the dashboard says
// why and what to do, on screen, at start and on every queue key; not
// "not available in this build".
func TestNoQueueSaysTheCauseOnScreen(t *testing.T) {
	why := "the job queue is unavailable: /s/queue.db is in use by another abtop (a running abtop submit?); wait for it, or pass --journal FILE"
	m := New(Options{NoQueueReason: why, Now: func() time.Time { return t0 }, NoColor: true})
	m.Update(windowSizeMsg(220, 30))
	if v := plain(m); !strings.Contains(v, "in use by another abtop") {
		t.Fatalf("the cause is not on screen at start:\n%s", v)
	}
	m.Update(keyMsg("a"))
	if v := plain(m); !strings.Contains(v, "pass --journal FILE") || strings.Contains(v, "in this build") {
		t.Fatalf("a queue key does not say the cause:\n%s", v)
	}
}

// In the log pane g/Home go to the oldest entry and G/End back to the
// newest (following the tail), as in the jobs table.
func TestLogPaneTopAndBottom(t *testing.T) {
	m, _ := scenario(100, 30, true, 10)
	for i := range 200 {
		m.log.Add(logview.Entry{At: t0, Text: fmt.Sprintf("entry %03d", i)})
	}
	m.Update(keyMsg("l"))
	if v := plain(m); strings.Contains(v, "entry 000") || !strings.Contains(v, "entry 199") {
		t.Fatalf("the log does not start at its tail:\n%s", v)
	}
	for _, k := range []string{"g", "home"} {
		m.Update(keyMsg(k))
		if v := plain(m); strings.Contains(v, "entry 199") {
			t.Fatalf("%s: still at the tail:\n%s", k, v)
		}
		m.Update(keyMsg("G"))
		if v := plain(m); !strings.Contains(v, "entry 199") {
			t.Fatalf("G: not back at the tail:\n%s", v)
		}
	}
}

// y copies the selected job's id to the clipboard through the terminal.
func TestYCopiesTheJobID(t *testing.T) {
	m, _ := scenario(100, 30, true, 10)
	_, cmd := m.Update(keyMsg("y"))
	msgs := run(cmd)
	if len(msgs) != 1 || fmt.Sprint(msgs[0]) != "job_8f2a0000" {
		t.Fatalf("y gave %v, want the clipboard set to job_8f2a0000", msgs)
	}
	if v := plain(m); !strings.Contains(v, "copied job id job_8f2a0000") {
		t.Errorf("no word on screen:\n%s", v)
	}
}

func TestSKeySortsTheJobs(t *testing.T) {
	m, _ := scenario(100, 30, true, 10)
	m.Update(keyMsg("s"))
	if v := plain(m); !strings.Contains(v, "jobs sorted by state") {
		t.Fatalf("no sort:\n%s", v)
	}
}
