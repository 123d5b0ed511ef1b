// Package results turns finished jobs into files on disk and a manifest:
// every output file of every succeeded job downloaded into one directory
// under a name abtop chooses (never the server), verified against its
// size_bytes and sha256, and DIR/manifest.jsonl saying which file came
// from which input line (issue 12, items 2–4).
//
// It does not talk to /v1 itself: file links live on the file host, and
// the one /v1 read it may need (fresh links for an expired one) is a
// function the caller supplies, so it goes through the caller's scheduler
// and budget.
package results

import (
	"encoding/json"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
)

// Final statuses a Finished carries; anything else is "not final yet".
const (
	StatusSucceeded = apiclient.StatusSucceeded
	StatusFailed    = apiclient.StatusFailed
	StatusCanceled  = apiclient.StatusCanceled
)

// Finished is one job at its final status, as the queue's tracking
// reports it (and its journal replays it after a crash). It is the only
// thing this package needs to know about the queue.
type Finished struct {
	Key        string          // Idempotency-Key of the operation
	Line       int             // input line (1-based); 0 when unknown
	Retry      int             // 0 for the line's first operation, n for its n-th resubmission (--retry-failed)
	Model      string          // as submitted (user text: sanitized before it names a file)
	Input      json.RawMessage // as submitted
	JobID      string          // server text
	Status     string          // succeeded, failed or canceled
	Credits    float64         // charged (0 once refunded)
	CreatedAt  time.Time
	FinishedAt time.Time
	Attempts   int // create requests it took
	// Files are a succeeded job's output files (apiclient.Job.OutputFiles),
	// in output order. Size and sha256 are required; a URL may be missing
	// or expired (a journal keeps no links): Options.Refresh gets fresh
	// ones, and only for files not already on disk.
	Files   []apiclient.OutputFile
	Problem *Problem // why it failed (status failed), or why it could not be created
}

// Problem is the part of an RFC 9457 problem the manifest keeps.
type Problem struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Pending is an input line not finished yet: enough for its manifest line.
type Pending struct {
	Key   string
	Line  int
	Retry int
	Model string
	Input json.RawMessage
	JobID string // "" until created
	State string // the queue's word for where it is ("queued", "created", "running"…)
}
