// Package data holds the plain values the dashboard's components display:
// a job as the queue describes it, queue events and state, a job typed in
// the add-job form, and a file's bad lines. No component computes any of
// these; they arrive from the queue and client through the adapters.
package data

import (
	"encoding/json"
	"time"

	"github.com/abtop-dev/abtop/apiclient/problem"
)

// State is a job's state, with the queue's names for them (the adapter
// converts queue.State; the dashboard does not import the queue).
type State string

// Job states, as the queue names them.
const (
	StatePending   State = "pending"
	StateSending   State = "sending"
	StateCreated   State = "created"
	StateRunning   State = "running"
	StateSucceeded State = "succeeded"
	StateFailed    State = "failed"
	StateCanceled  State = "canceled"
)

// Finished reports whether a state is terminal.
func (s State) Finished() bool {
	return s == StateSucceeded || s == StateFailed || s == StateCanceled
}

// Job is one job of the session, as the queue reports it.
type Job struct {
	Key      string // local id (the idempotency key); stable for the job's life
	ID       string // server job id; "" until created
	Model    string
	State    State
	Attempts int
	// Wait says why a pending job is not being sent yet, in words
	// ("rate window 12 s", "Retry-After 30 s", "quota until 1 Dec"); "" when none.
	Wait string
	// WaitUntil is when that wait ends, when known.
	WaitUntil time.Time
	Enqueued  time.Time
	Updated   time.Time
	Credits   float64
	// Input is the job's input as queued (its prompt or text), so the
	// filter can find a job by what it asked for.
	Input  json.RawMessage
	Output json.RawMessage
	// Problem is the last problem this job met (kept after a retry succeeds
	// only if the queue says so).
	Problem *problem.Problem
	// Err is a failure that is not a problem body (transport, local validation).
	Err string
	// Next says what abtop will do about the problem ("retry at 12:04:31",
	// "paused until credits are added", "no retry: fix the input").
	Next  string
	Batch string // batch name (file) the job came from; "" when typed in
	// Outputs are a succeeded job's files as the server described them
	// (content type, size); where each is on disk comes in File events.
	Outputs []Output
}

// FileStatus is where an output file is on the way to disk.
type FileStatus string

const (
	FileRemote   FileStatus = ""         // on the server only (no output directory)
	FilePending  FileStatus = "pending"  // queued or downloading
	FileVerified FileStatus = "verified" // on disk, size and sha256 checked
	FileFailed   FileStatus = "failed"   // given up on (Err says why)
)

// Output is one output file of a job.
type Output struct {
	// Path is the file's name inside the output directory ('/'-separated);
	// "" until it is named. Abs is the same file on this machine (what
	// the system opener gets).
	Path, Abs   string
	ContentType string
	Bytes       int64
	Status      FileStatus
	Err         string
}

// FileNews is a change of one output file of job Key (Index in output order).
type FileNews struct {
	Key    string
	Index  int
	Output Output
}

// Downloads is what the output downloads have done so far.
type Downloads struct {
	Dir                        string // the output directory
	FilesTotal, FilesDone      int
	FilesFailed, FilesInFlight int
	BytesDone, BytesInFlight   int64
}

// QueueState is the queue as a whole.
type QueueState struct {
	Paused      bool
	Reason      string // why it is paused or waiting ("credits", "quota until 1 Dec", "by you")
	Running     int    // jobs counting against concurrency
	Concurrency int    // limit; 0 when unknown
	// Owner, when set, says the jobs shown are a batch another abtop
	// process runs, e.g. "pid 4242 · jobs.jsonl": pause, resume and
	// cancel act there.
	Owner string
}

// Event is one change the queue reports. Job or State (or both) is set,
// or File or Downloads: news of the output downloads.
type Event struct {
	At        time.Time
	Job       *Job
	State     *QueueState
	File      *FileNews
	Downloads *Downloads
	Note      string // a line for the request log, e.g. "POST /v1/jobs 429"
}

// LineError is one invalid line of a JSONL file.
type LineError struct {
	Line int
	Msg  string
}

// Spec is a job typed in the add-job form.
type Spec struct {
	Model string
	Input json.RawMessage
}
