package queue

import (
	"cmp"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// A record that cannot be read is reported with its key, never skipped in
// silence; the readable ones still load, in order.
func TestJournalReportsUnreadableRecords(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.db")
	j, err := OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Put(Job{Key: "b", Seq: 2, State: StatePending, Input: json.RawMessage(`{}`)}, Job{Key: "a", Seq: 1, State: StateSending, Input: json.RawMessage(`{}`)}); err != nil {
		t.Fatal(err)
	}
	if err := j.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketJobs).Put([]byte("zz"), []byte("{not json")) }); err != nil {
		t.Fatal(err)
	}
	jobs, err := j.Load()
	if err == nil || !strings.Contains(err.Error(), `"zz"`) || !strings.Contains(err.Error(), path) {
		t.Fatalf("err %v, want one naming the file and the bad key", err)
	}
	if len(jobs) != 2 || jobs[0].Key != "a" || jobs[1].Key != "b" {
		t.Fatalf("jobs %+v, want a then b", jobs)
	}
	j.Close()
}

// A second process cannot open a journal in use.
func TestJournalIsExclusive(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.db")
	j, err := OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if _, err := OpenJournalWait(path, 20*time.Millisecond); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("second open: %v, want 'in use'", err)
	}
}

// Load returns jobs by Seq, equal Seqs in key order, whatever order the
// records sit in.
func TestSortBySeq(t *testing.T) {
	for _, seqs := range [][]int64{nil, {1}, {3, 1, 2}, {5, 4, 3, 2, 1}, {2, 2, 1, 1, 3, 0, 7, 6, 6}} {
		jobs := make([]Job, len(seqs))
		for i, s := range seqs {
			jobs[i] = Job{Key: fmt.Sprint(i), Seq: s}
		}
		want := slices.Clone(jobs)
		slices.SortStableFunc(want, func(a, b Job) int { return cmp.Compare(a.Seq, b.Seq) })
		sortBySeq(jobs)
		if !reflect.DeepEqual(jobs, want) {
			t.Errorf("%v: got %v, want %v", seqs, jobs, want)
		}
	}
}
