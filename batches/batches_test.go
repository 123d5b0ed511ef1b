package batches

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient/queue"
	"github.com/abtop-dev/abtop/internal/localstate"
)

func rec(org string, states ...queue.State) Record {
	r := Record{Profile: "default", Org: org, Source: "jobs.jsonl", Journal: "/tmp/queue.db", Started: time.Now()}
	for i, s := range states {
		r.Jobs = append(r.Jobs, queue.Job{Key: string(rune('a' + i)), State: s, Updated: time.Unix(int64(i), 0)})
	}
	r.Counts = CountJobs(r.Jobs)
	return r
}

// publishRecord publishes r with its rows, held whole: a test's batch.
func publishRecord(dir string, r Record) (*Publisher, error) {
	jobs := r.Jobs
	r.Jobs = nil
	return Publish(dir, r, slices.Values(jobs), nil)
}

// updateRecord replaces p's record with r and its rows.
func updateRecord(p *Publisher, r Record) error {
	jobs := r.Jobs
	r.Jobs = nil
	return p.Stream(r, slices.Values(jobs), nil)
}

// A published batch is listed alive with its counts, only for its org, and
// is gone once its owner closes it.
func TestPublishListClose(t *testing.T) {
	dir := t.TempDir()
	p, err := publishRecord(dir, rec("h/default", queue.StatePending, queue.StateCreated, queue.StateFailed))
	if err != nil {
		t.Fatal(err)
	}
	list, err := List(dir, "h/default")
	if err != nil || len(list) != 1 {
		t.Fatalf("List = %v, %v", list, err)
	}
	got := list[0]
	if !got.Alive || got.ID != p.ID() || got.Counts != (Counts{Total: 3, Finished: 2, Created: 1, Failed: 1, Pending: 1}) || len(got.Jobs) != 3 {
		t.Fatalf("listed %+v", got)
	}
	if other, _ := List(dir, "h/other"); len(other) != 0 {
		t.Fatalf("another org sees %v", other)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if list, _ := List(dir, ""); len(list) != 0 {
		t.Fatalf("after Close: %v", list)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("files left behind: %v", ents)
	}
}

// An owner that dies keeps its file but loses its lock: watchers see the
// batch as gone, and their probe leaves the lock free (it blocks nobody).
func TestDeadOwnerIsGone(t *testing.T) {
	dir := t.TempDir()
	p, err := publishRecord(dir, rec("o", queue.StatePending))
	if err != nil {
		t.Fatal(err)
	}
	p.lock.Release() // what the kernel does when the owner is killed
	p.lock = nil
	list, _ := List(dir, "o")
	if len(list) != 1 || list[0].Alive || list[0].State != StateGone {
		t.Fatalf("dead owner listed as %+v", list)
	}
	// the probe let go: a new owner could take the lock at once
	l, err := localstate.TryAcquire(recordPath(dir, p.ID()))
	if err != nil {
		t.Fatalf("the probe kept the lock: %v", err)
	}
	l.Release()
	again, _ := List(dir, "o")
	if len(again) != 1 || again[0].Alive {
		t.Fatalf("second look: %+v", again)
	}
}

// Commands reach the owner in order, once each; a command for a batch
// that ended is refused rather than recreating its directory.
func TestCommands(t *testing.T) {
	dir := t.TempDir()
	p, err := publishRecord(dir, rec("o"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []Command{{Op: OpPause, PID: 7}, {Op: OpCancel, Key: "k", PID: 7}, {Op: OpResume, PID: 7}} {
		if err := Send(dir, p.ID(), c); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(commandDir(dir, p.ID()), "zz.json"), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	got := p.Take()
	if len(got) != 3 || got[0].Op != OpPause || got[1].Key != "k" || got[2].Op != OpResume {
		t.Fatalf("took %+v", got)
	}
	if got[0].Describe() != "paused by the dashboard (pid 7)" {
		t.Errorf("describe %q", got[0].Describe())
	}
	if again := p.Take(); len(again) != 0 {
		t.Fatalf("taken twice: %+v", again)
	}
	if err := Send(dir, p.ID(), Command{Op: "explode"}); err == nil {
		t.Error("an unknown command was sent")
	}
	p.Close()
	if err := Send(dir, p.ID(), Command{Op: OpPause}); !errors.Is(err, ErrEnded) {
		t.Fatalf("Send after the owner left: %v", err)
	}
	if _, err := os.Stat(commandDir(dir, p.ID())); !os.IsNotExist(err) {
		t.Fatalf("command dir recreated: %v", err)
	}
}

// The follower reports each job change once, and the batch's end.
func TestFollower(t *testing.T) {
	dir := t.TempDir()
	r := rec("o", queue.StatePending, queue.StatePending)
	r.Journal = filepath.Join(dir, "queue.db")
	p, err := publishRecord(dir, r)
	if err != nil {
		t.Fatal(err)
	}
	f := Follow(dir, r.Journal)
	if _, ch, ok := f.Poll(); !ok || len(ch) != 2 {
		t.Fatalf("first poll: %d changed, ok %v", len(ch), ok)
	}
	if _, ch, _ := f.Poll(); len(ch) != 0 {
		t.Fatalf("unchanged batch reported %d changes", len(ch))
	}
	r.Jobs[1].State, r.Jobs[1].Updated = queue.StateCreated, time.Unix(99, 0)
	if err := updateRecord(p, r); err != nil {
		t.Fatal(err)
	}
	cur, ch, ok := f.Poll()
	if !ok || len(ch) != 1 || ch[0].Key != "b" || cur.ID != p.ID() {
		t.Fatalf("after one change: %+v ok %v", ch, ok)
	}
	other := Follow(dir, filepath.Join(dir, "other.db"))
	if _, _, ok := other.Poll(); ok {
		t.Error("a batch on another journal was followed")
	}
	p.Close()
	last, _, ok := f.Poll()
	if ok || last.Alive || last.State != StateGone || last.ID != p.ID() {
		t.Fatalf("after the owner left: %+v ok %v", last, ok)
	}
}

// A batch whose owner ended between two publications is settled from its
// journal: the watcher sees the jobs the owner sent last, and "done".
func TestFollowerSettlesFromTheJournal(t *testing.T) {
	dir := t.TempDir()
	r := rec("o", queue.StatePending, queue.StatePending)
	r.Journal = filepath.Join(dir, "queue.db")
	j, err := queue.OpenJournal(r.Journal)
	if err != nil {
		t.Fatal(err)
	}
	final := append([]queue.Job(nil), r.Jobs...)
	for i := range final {
		final[i].State, final[i].Updated = queue.StateCreated, time.Unix(100, 0)
	}
	if err := j.Put(final...); err != nil {
		t.Fatal(err)
	}
	j.Close()
	p, err := publishRecord(dir, r) // published while both were still pending
	if err != nil {
		t.Fatal(err)
	}
	f := Follow(dir, r.Journal)
	if _, _, ok := f.Poll(); !ok {
		t.Fatal("not followed")
	}
	p.Close()
	last, ch, ok := f.Poll()
	if ok || len(ch) != 2 || last.State != StateDone || last.Counts.Created != 2 || last.Counts.Pending != 0 {
		t.Fatalf("settled %+v, changed %d, ok %v", last, len(ch), ok)
	}
}

// A dead owner's batch is pruned once it is older than KeepGone.
func TestGoneBatchesArePruned(t *testing.T) {
	dir := t.TempDir()
	p, err := publishRecord(dir, rec("o", queue.StatePending))
	if err != nil {
		t.Fatal(err)
	}
	p.lock.Release()
	p.lock = nil
	r, _ := Get(dir, p.ID())
	r.Updated = time.Now().Add(-KeepGone - time.Minute)
	data, _ := json.Marshal(r)
	if err := os.WriteFile(recordPath(dir, p.ID()), data, 0o600); err != nil {
		t.Fatal(err)
	}
	if list, _ := List(dir, ""); len(list) != 1 || list[0].Alive {
		t.Fatalf("the stale batch is listed once more as gone: %+v", list)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("left behind: %v", ents)
	}
}

// Recent lists other processes' batches, keeps one that ended cleanly
// (its file removed) as "ended" until Keep passes, and never lists this
// process's own.
func TestRecentKeepsEndedBatches(t *testing.T) {
	dir := t.TempDir()
	mine := rec("o", queue.StatePending)
	mine.PID = 7
	other := rec("o", queue.StatePending, queue.StateCreated)
	other.PID, other.Source, other.Started = 8, "big.jsonl", time.Now().Add(time.Second)
	pm, err := publishRecord(dir, mine)
	if err != nil {
		t.Fatal(err)
	}
	defer pm.Close()
	po, err := publishRecord(dir, other)
	if err != nil {
		t.Fatal(err)
	}
	r := &Recent{Dir: dir, Org: "o", Self: 7, Keep: time.Hour}
	now := time.Now()
	list, err := r.List(now)
	if err != nil || len(list) != 1 || list[0].PID != 8 || !list[0].Alive || list[0].Jobs != nil {
		t.Fatalf("List = %+v, %v; want the other process's batch alone, without its jobs", list, err)
	}
	po.Close()
	list, _ = r.List(now)
	if len(list) != 1 || list[0].Alive || list[0].State != StateEnded || list[0].Counts.Total != 2 {
		t.Fatalf("after a clean exit: %+v", list)
	}
	if list, _ = r.List(now.Add(2 * time.Hour)); len(list) != 0 {
		t.Fatalf("an ended batch outlived Keep: %+v", list)
	}
}

// FollowID follows one batch by id, and reads a batch whose owner had
// already died from what it published and then its journal.
func TestFollowIDOfADeadOwner(t *testing.T) {
	dir := t.TempDir()
	r := rec("o", queue.StatePending, queue.StatePending)
	r.Journal = filepath.Join(dir, "queue.db")
	p, err := publishRecord(dir, r)
	if err != nil {
		t.Fatal(err)
	}
	f := FollowID(dir, p.ID())
	if cur, ch, ok := f.Poll(); !ok || len(ch) != 2 || cur.ID != p.ID() {
		t.Fatalf("live: %+v, %d changed, ok %v", cur, len(ch), ok)
	}
	p.lock.Release() // killed: the file stays, the lock goes
	p.lock = nil
	late := FollowID(dir, p.ID())
	cur, ch, ok := late.Poll()
	if ok || len(ch) != 2 || cur.ID != p.ID() || cur.State != StateGone {
		t.Fatalf("dead owner: %+v, %d changed, ok %v", cur, len(ch), ok)
	}
}

// A big batch's first record has its counts but no rows. Its owner killed
// before the first tick, with the journal held by a new owner, leaves a
// batch whose end is unknown: its counts stay and it is gone, never done
// with no job.
func TestFollowerKeepsTheCountsOfABatchWithoutRows(t *testing.T) {
	dir := t.TempDir()
	r := rec("o", queue.StatePending, queue.StatePending, queue.StateCreated)
	r.Journal = filepath.Join(dir, "queue.db")
	r.Jobs = nil // published as Own does a big batch: counts, no rows
	j, err := queue.OpenJournal(r.Journal)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close() // the new owner's: settle cannot open it
	p, err := publishRecord(dir, r)
	if err != nil {
		t.Fatal(err)
	}
	f := Follow(dir, r.Journal)
	if _, _, ok := f.Poll(); !ok {
		t.Fatal("not followed")
	}
	p.lock.Release() // killed: the file stays, the lock goes
	p.lock = nil
	last, _, ok := f.Poll()
	if ok || last.State != StateGone || last.Counts != r.Counts {
		t.Fatalf("settled %+v (state %q), ok %v; want the published counts %+v, gone", last.Counts, last.State, ok, r.Counts)
	}
}
