package queue

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/abtop-dev/abtop/caps"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/problem"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// State of a job in the queue.
type State string

const (
	StatePending   State = "pending"   // waiting to be sent
	StateSending   State = "sending"   // a request may have left: resend with the same key
	StateCreated   State = "created"   // the server answered with a job id (queued)
	StateRunning   State = "running"   // the server says it runs
	StateSucceeded State = "succeeded" // finished on the server
	StateFailed    State = "failed"    // the server refused it, or we gave up
	StateCanceled  State = "canceled"  // canceled locally or on the server
)

// Unfinished reports whether the queue still has to send the job.
func (s State) Unfinished() bool { return s == StatePending || s == StateSending }

// Problem is the last error of a job, as the API stated it.
type Problem struct {
	Status int          `json:"status,omitempty"`
	Code   string       `json:"code,omitempty"`
	Title  string       `json:"title,omitempty"`
	Detail string       `json:"detail,omitempty"`
	Fields []FieldError `json:"fields,omitempty"`
}

// FieldError is one validation error (JSON pointer into the request).
type FieldError struct {
	Pointer string `json:"pointer"`
	Detail  string `json:"detail"`
}

// Job is one queued job as the journal stores it.
type Job struct {
	Key     string          `json:"key"` // Idempotency-Key (UUID), assigned at enqueue
	Seq     int64           `json:"seq"` // position; lower goes first
	Model   string          `json:"model"`
	Input   json.RawMessage `json:"input"`
	Credits float64         `json:"credits,omitempty"` // the model's cost per job
	Line    int             `json:"line,omitempty"`    // source line in the submitted file
	// Owner is the endpoint and organization the job was queued for; only
	// a queue of the same owner sends it.
	Owner Owner  `json:"owner"`
	State State  `json:"state"`
	JobID string `json:"job_id,omitempty"`
	// ServerStatus is the job's last known status on the server.
	ServerStatus string   `json:"server_status,omitempty"`
	Attempts     int      `json:"attempts"`
	Problem      *Problem `json:"problem,omitempty"`
	// Ambiguous is set when the last attempt got no definite answer (a
	// fault): a retry must keep the key, since the job may exist.
	Ambiguous bool      `json:"ambiguous,omitempty"`
	Wait      string    `json:"wait,omitempty"` // why it waits now, for display
	Enqueued  time.Time `json:"enqueued"`
	Updated   time.Time `json:"updated"`
	// Cap is the job's reservation against the profile's caps, given back
	// when the server refunds it (failed, canceled).
	Cap caps.Reservation `json:"cap,omitzero"`

	// What tracking learned of the created job (see track.go).
	// ServerUpdated is its updated_at as last seen: a list entry no newer
	// is not news, and a resumed queue lists changes from the oldest one.
	ServerUpdated time.Time `json:"server_updated,omitzero"`
	Finished      time.Time `json:"finished,omitzero"` // its finished_at
	// Created is the server's created_at, for the manifest: the time the
	// server accepted the job, not when we sent it.
	Created time.Time `json:"created,omitzero"`
	// Charged is the credits the server states for the job (refunded, so
	// not charged, when it failed or was canceled).
	Charged float64 `json:"charged,omitempty"`
	// Outputs describe a succeeded job's files without their links, which
	// expire: Queue.Links asks for fresh ones.
	Outputs []OutputMeta `json:"outputs,omitempty"`

	// A rerun of a job the server ran and failed is a new logical
	// operation under a new key (see rerun.go); the two records point at
	// each other and Rerun counts the generations (0 for the original).
	RetryOf   string `json:"retry_of,omitempty"`
	RetriedAs string `json:"retried_as,omitempty"`
	Rerun     int    `json:"rerun,omitempty"`
}

// OutputMeta is one output file as the journal keeps it: where it sits in
// the output (Slot "images" with Index 0…n-1, or "video"/"audio"), and
// what its bytes must be.
type OutputMeta struct {
	Slot        string `json:"slot"`
	Index       int    `json:"index,omitempty"`
	ContentType string `json:"content_type"`
	SizeBytes   int64  `json:"size_bytes"`
	SHA256      string `json:"sha256"`
}

// Active reports whether the job exists on the server and has not ended:
// tracking follows it.
func (j Job) Active() bool {
	return j.JobID != "" && (j.State == StateCreated || j.State == StateRunning)
}

// Final reports whether nothing more will happen to the job unless someone
// acts: succeeded, failed or canceled.
func (s State) Final() bool {
	return s == StateSucceeded || s == StateFailed || s == StateCanceled
}

var bucketJobs = []byte("jobs")

// Journal is the crash-safe job store: a bbolt file where every write is
// an fsync'd transaction, committed before the state change takes effect.
type Journal struct {
	db   *bolt.DB
	path string

	mu     sync.Mutex // guards owners (journal_owners.go)
	owners owners
}

// ErrJournalInUse: another process holds the journal (one queue per file).
var ErrJournalInUse = errors.New("in use by another abtop process")

// LockWait is how long OpenJournal waits for another process to let go of
// the journal before saying it is in use.
const LockWait = 2 * time.Second

// OpenJournal opens (or creates) the journal at path. Only one process may
// hold it: a second one gets an error naming the file after LockWait.
func OpenJournal(path string) (*Journal, error) { return OpenJournalWait(path, LockWait) }

// OpenJournalWait is OpenJournal waiting lockWait (> 0) for the lock.
func OpenJournalWait(path string, lockWait time.Duration) (*Journal, error) {
	if lockWait <= 0 {
		lockWait = LockWait // bbolt waits forever on 0
	}
	if path == "" {
		return nil, errors.New("queue journal: no path configured")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("queue journal %s: %w", path, err)
	}
	opts := &bolt.Options{Timeout: lockWait}
	if runtime.GOOS != "windows" {
		// Each time a write transaction outgrows the mapping, bbolt remaps
		// and copies every node the transaction touched to the heap: a
		// 100,000-job enqueue remapped a dozen times (840 MB copied). The
		// reservation is address space only, except on Windows, where it
		// would be the file's size.
		opts.InitialMmapSize = 128 << 20
	}
	db, err := bolt.Open(path, 0o600, opts)
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			return nil, fmt.Errorf("queue journal %s is %w", path, ErrJournalInUse)
		}
		return nil, fmt.Errorf("queue journal %s: %w", path, err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		if _, err := tx.CreateBucketIfNotExists(bucketJobs); err != nil {
			return err
		}
		_, err := tx.CreateBucketIfNotExists(bucketOwners)
		return err
	}); err != nil {
		db.Close()
		return nil, fmt.Errorf("queue journal %s: %w", path, err)
	}
	// Past its mapping's first 16 MB bbolt grows the file 16 MB beyond
	// what it needs (with the mapping above, from the start): 160 bytes a
	// job of a 100,000-job journal holding nothing. 4 MB steps cost a few
	// more truncates over a big batch's life.
	db.AllocSize = 4 << 20
	j := &Journal{db: db, path: path}
	if err := j.loadOwners(); err != nil {
		db.Close()
		return nil, fmt.Errorf("queue journal %s: %w", path, err)
	}
	return j, nil
}

// Path is the file.
func (j *Journal) Path() string { return j.path }

// Close closes the file.
func (j *Journal) Close() error { return j.db.Close() }

// Put writes jobs in one durable transaction. Records are keyed by their
// Key; Seq is a field so reordering rewrites two records, not the file.
func (j *Journal) Put(jobs ...Job) error {
	// bbolt inserts into one in-memory node per page and splits only at
	// commit: 100,000 random keys in one transaction shifted that node's
	// slice on every insert (47 s). In key order each insert appends. The
	// order is of indices: a copy of 100,000 jobs is 45 MB.
	order := make([]int, len(jobs))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(jobs[a].Key, jobs[b].Key) })
	var added []Owner
	err := j.db.Update(func(tx *bolt.Tx) error {
		added = nil
		tbl := &txOwners{j: j, tx: tx, added: &added}
		b := tx.Bucket(bucketJobs)
		// A page split while enqueueing is left 60 % full: a pending job's
		// record grows to about 1.7 times its size by the time its job
		// succeeded (id, times, outputs), so the page then holds the
		// grown records without splitting again. Measured on 20,000 jobs
		// tracked to their end: 262 bytes a job at 0.6; 323 at bbolt's
		// 0.5 (half-empty pages); 705 at 0.9 (every page split again,
		// leaving a full page and a nearly empty one).
		b.FillPercent = 0.6
		for _, i := range order {
			job := &jobs[i]
			data, err := encodeRecord(*job, tbl)
			if err != nil {
				return err
			}
			if tbl.err != nil {
				return tbl.err
			}
			if err := b.Put([]byte(job.Key), data); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		j.commitOwners(added)
	}
	if err != nil {
		return fmt.Errorf("queue journal %s: writing %d job(s): %w", j.path, len(jobs), err)
	}
	return nil
}

// Delete removes jobs (finished ones the user cleared).
func (j *Journal) Delete(keys ...string) error {
	return j.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketJobs)
		for _, k := range keys {
			if err := b.Delete([]byte(k)); err != nil {
				return err
			}
		}
		return nil
	})
}

// Load returns every job in queue order. A record that cannot be read is
// reported, never skipped silently.
func (j *Journal) Load() ([]Job, error) {
	var jobs []Job
	var bad []string
	err := j.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketJobs)
		// The queue keeps this slice: sized once, it is not up to twice
		// the jobs (45 MB of a 100,000-job journal) after append's growth.
		jobs = make([]Job, 0, b.Stats().KeyN)
		return b.ForEach(func(k, v []byte) error {
			job, err := decodeRecord(string(k), v, j)
			if err != nil {
				bad = append(bad, string(k))
				return nil
			}
			jobs = append(jobs, job)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("queue journal %s: %w", j.path, err)
	}
	sortBySeq(jobs)
	if len(bad) > 0 {
		return jobs, fmt.Errorf("queue journal %s: %d unreadable record(s), first key %q", j.path, len(bad), bad[0])
	}
	return jobs, nil
}

// sortBySeq puts jobs in queue order (stable). A Job is 450 bytes: the
// sort moves indices and then each job once, cycle by cycle, instead of
// swapping 100,000 jobs n·log n times or copying them all.
func sortBySeq(jobs []Job) {
	idx := make([]int, len(jobs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(jobs[a].Seq, jobs[b].Seq) })
	for i := range idx { // position p takes the job at idx[p]
		if idx[i] == i {
			continue
		}
		held := jobs[i]
		p := i
		for {
			from := idx[p]
			idx[p] = p
			if from == i {
				jobs[p] = held
				break
			}
			jobs[p] = jobs[from]
			p = from
		}
	}
}

// Line is the problem on one line, written as every API problem is
// (apiclient.ProblemLine).
func (p *Problem) Line() string {
	msg := p.Detail
	if msg == "" {
		msg = p.Title
	}
	fields := make([]problem.FieldError, len(p.Fields))
	for i, f := range p.Fields {
		fields[i] = problem.FieldError{Pointer: f.Pointer, Detail: f.Detail}
	}
	return apiclient.ProblemLine(p.Status, p.Code, msg, fields)
}

// Usage is the journal's size: the file, and the pages its records hold
// (the file also keeps free pages for later transactions, and grows in
// steps).
func (j *Journal) Usage() (fileBytes, recordBytes int64, err error) {
	err = j.db.View(func(tx *bolt.Tx) error {
		fileBytes = tx.Size()
		st := tx.Bucket(bucketJobs).Stats()
		recordBytes = int64(st.BranchAlloc + st.LeafAlloc)
		return nil
	})
	return fileBytes, recordBytes, err
}
