package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"

	"github.com/abtop-dev/abtop/apiclient"
)

// DefaultMaxBody bounds a delivery's body: a job object is a few KiB.
const DefaultMaxBody = 1 << 20

// Receiver is the endpoint the API posts finished jobs to: it verifies
// each delivery (signature in constant time, timestamp within the
// Verifier's tolerance), acts once per webhook-id, and hands the job to
// Deliver. A bad delivery is refused with its reason in the log and never
// reaches Deliver; nothing a sender does can crash it.
type Receiver struct {
	verifier *Verifier
	dedup    *Dedup
	deliver  DeliverFunc
	log      *slog.Logger
	// MaxBody bounds a body; larger ones get 413. Default DefaultMaxBody.
	MaxBody int64

	mu    sync.Mutex
	stats ReceiverStats
}

// ReceiverStats counts deliveries by what became of them.
type ReceiverStats struct {
	Accepted   int            // verified, new, handed to Deliver
	Duplicates int            // verified, but a webhook-id already acted on
	Refused    map[string]int // by reason (see the Reason… constants)
}

// Reasons a delivery is refused, as logged and counted.
const (
	ReasonMethod    = "not a POST"
	ReasonTooLarge  = "body too large"
	ReasonUnread    = "body unreadable"
	ReasonHeaders   = "missing headers"
	ReasonTimestamp = "bad or stale timestamp"
	ReasonSignature = "bad signature"
	ReasonBody      = "not a job object"
	ReasonDeliver   = "deliver failed" // an error or a panic: the sender retries
)

// DeliverFunc takes one verified, new delivery (the queue's Deliver). An
// error answers 500 and forgets the webhook-id, so the sender's retry is
// acted on; it should return quickly: the sender waits for the answer.
type DeliverFunc func(ctx context.Context, job apiclient.Job) error

// NewReceiver hands verified jobs to deliver. dedup nil: a fresh Dedup.
// log nil: no log.
func NewReceiver(v *Verifier, dedup *Dedup, deliver DeliverFunc, log *slog.Logger) (*Receiver, error) {
	if v == nil || deliver == nil {
		return nil, errors.New("webhook: a receiver needs a verifier and a deliver function")
	}
	if dedup == nil {
		dedup = &Dedup{}
	}
	return &Receiver{verifier: v, dedup: dedup, deliver: deliver, log: log}, nil
}

// Stats returns the counters.
func (rc *Receiver) Stats() ReceiverStats {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	s := rc.stats
	s.Refused = make(map[string]int, len(rc.stats.Refused))
	for k, v := range rc.stats.Refused {
		s.Refused[k] = v
	}
	return s
}

func (rc *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		rc.refuse(w, r, http.StatusMethodNotAllowed, ReasonMethod, nil)
		return
	}
	limit := rc.MaxBody
	if limit <= 0 {
		limit = DefaultMaxBody
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			rc.refuse(w, r, http.StatusRequestEntityTooLarge, ReasonTooLarge, fmt.Errorf("over %d bytes", limit))
			return
		}
		rc.refuse(w, r, http.StatusBadRequest, ReasonUnread, err)
		return
	}
	d, err := rc.verifier.Verify(r.Header, body)
	switch {
	case errors.Is(err, ErrMissingHeaders):
		rc.refuse(w, r, http.StatusBadRequest, ReasonHeaders, err)
		return
	case errors.Is(err, ErrBadTimestamp), errors.Is(err, ErrTooOld), errors.Is(err, ErrTooNew):
		rc.refuse(w, r, http.StatusBadRequest, ReasonTimestamp, err)
		return
	case err != nil:
		rc.refuse(w, r, http.StatusUnauthorized, ReasonSignature, err)
		return
	}
	// Verified: the body is the server's. Parse it before remembering the
	// id, so a body we cannot read is not swallowed as "seen".
	var job apiclient.Job
	if err := json.Unmarshal(body, &job); err != nil || job.ID == "" || job.Status == "" {
		if err == nil {
			err = errors.New("no id or status")
		}
		rc.refuse(w, r, http.StatusBadRequest, ReasonBody, err)
		return
	}
	if !rc.dedup.First(d.ID) {
		rc.count(func(s *ReceiverStats) { s.Duplicates++ })
		rc.logf(slog.LevelInfo, "webhook replay ignored", r, "webhook_id", apiclient.Printable(d.ID), "job", apiclient.Printable(job.ID))
		w.WriteHeader(http.StatusOK) // acknowledged: a sender's retry must stop
		return
	}
	if err := rc.safeDeliver(r.Context(), job); err != nil {
		rc.dedup.Forget(d.ID)
		rc.refuse(w, r, http.StatusInternalServerError, ReasonDeliver, err)
		return
	}
	rc.count(func(s *ReceiverStats) { s.Accepted++ })
	w.WriteHeader(http.StatusNoContent)
}

// safeDeliver turns a panic in deliver into an error: one bad job must
// not take the receiver (and the batch) down.
func (rc *Receiver) safeDeliver(ctx context.Context, job apiclient.Job) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return rc.deliver(ctx, job)
}

func (rc *Receiver) refuse(w http.ResponseWriter, r *http.Request, status int, reason string, err error) {
	rc.count(func(s *ReceiverStats) {
		if s.Refused == nil {
			s.Refused = map[string]int{}
		}
		s.Refused[reason]++
	})
	args := []any{"reason", reason, "webhook_id", apiclient.Printable(shorten(r.Header.Get(HeaderID)))}
	if err != nil {
		args = append(args, "detail", apiclient.Printable(err.Error()))
	}
	rc.logf(slog.LevelWarn, "webhook refused", r, args...)
	http.Error(w, reason, status)
}

func (rc *Receiver) count(fn func(*ReceiverStats)) {
	rc.mu.Lock()
	fn(&rc.stats)
	rc.mu.Unlock()
}

func (rc *Receiver) logf(level slog.Level, msg string, r *http.Request, args ...any) {
	if rc.log != nil {
		rc.log.Log(r.Context(), level, msg, append(args, "remote", r.RemoteAddr)...)
	}
}

// shorten keeps a sender's header from flooding the log.
func shorten(s string) string {
	if len(s) > 100 {
		return s[:100] + "…"
	}
	return s
}
