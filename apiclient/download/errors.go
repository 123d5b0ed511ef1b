package download

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Kinds of failure, for errors.Is. Every error Fetch returns is an *Error
// matching exactly one of them.
var (
	// ErrExpired: the file host answered 403 or 410. The link expired (or
	// its signature no longer holds): get a fresh one with GetJob, then retry.
	ErrExpired = errors.New("link expired")
	// ErrCutShort: the body ended before size_bytes (a dropped connection).
	// Retry.
	ErrCutShort = errors.New("download cut short")
	// ErrChecksum: the bytes are not what size_bytes and sha256 promise.
	// Retry once; a second mismatch means the server's metadata is wrong.
	ErrChecksum = errors.New("checksum mismatch")
	// ErrTransient: 5xx, 429 or a transport failure. Retry with backoff,
	// no sooner than RetryAfter.
	ErrTransient = errors.New("transient failure")
	// ErrRefused: nothing was sent: the URL is not http(s), is plain http
	// to a remote host, or the name would leave the output directory.
	ErrRefused = errors.New("refused")
	// ErrFailed: any other answer (404, 400…) or a local file-system
	// failure. Retrying the same link will not help.
	ErrFailed = errors.New("download failed")
)

// Error is one failed download.
type Error struct {
	Kind       error         // one of the Err… kinds
	URL        string        // without its query (the signature)
	Status     int           // HTTP status, 0 when none
	RetryAfter time.Duration // the server's Retry-After on ErrTransient, 0 when none
	Err        error         // the cause, when there is one
}

func (e *Error) Error() string {
	msg := e.Kind.Error()
	if e.Status != 0 {
		msg += fmt.Sprintf(" (%d %s)", e.Status, http.StatusText(e.Status))
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return fmt.Sprintf("download %s: %s", e.URL, msg)
}

// Is matches the kind.
func (e *Error) Is(target error) bool { return target == e.Kind }

// Unwrap gives the cause (context.Canceled, a *fs.PathError…).
func (e *Error) Unwrap() error { return e.Err }

// Retryable reports whether trying again (after a fresh link for
// ErrExpired) can succeed.
func Retryable(err error) bool {
	return errors.Is(err, ErrExpired) || errors.Is(err, ErrCutShort) || errors.Is(err, ErrChecksum) || errors.Is(err, ErrTransient)
}
