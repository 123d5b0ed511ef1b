// Package download fetches output files from the file host: signed links
// outside /v1, fetched with a plain HTTP client that never carries the API
// token. A file is streamed to a temporary file beside its final name,
// checked against size_bytes and sha256, synced and only then renamed, so
// no partial file ever carries a final name.
package download

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// File is what to fetch and what it must be.
type File struct {
	URL    string
	Size   int64  // size_bytes
	SHA256 string // lower-case hex
}

// Result is a verified file on disk.
type Result struct {
	Path  string
	Bytes int64
}

// Fetcher downloads files. The zero value works: a fresh http.Client and
// https (or loopback http) only.
type Fetcher struct {
	// Client does the requests. It must be a plain client: never the
	// API client's, never one whose transport adds Authorization. Nil: a
	// client with a 10-minute timeout.
	Client *http.Client
	// AllowInsecureHTTP permits plain http:// links to non-loopback hosts.
	AllowInsecureHTTP bool
}

// Fetch downloads f to dir/name. name is a relative path inside dir (a
// server-supplied name must never choose where a file lands: Fetch
// refuses one that is absolute or climbs out with ".."); missing
// directories under dir are created. On success the file is complete,
// verified and synced under its final name; on failure nothing is left
// but what was there before.
func (d *Fetcher) Fetch(ctx context.Context, f File, dir, name string) (Result, error) {
	shown := redact(f.URL)
	fail := func(kind error, status int, err error) (Result, error) {
		return Result{}, &Error{Kind: kind, URL: shown, Status: status, Err: err}
	}
	if !filepath.IsLocal(name) {
		return fail(ErrRefused, 0, fmt.Errorf("name %q is not a relative path inside the output directory", name))
	}
	want, err := hex.DecodeString(f.SHA256)
	if err != nil || len(want) != sha256.Size || f.Size < 0 {
		return fail(ErrRefused, 0, fmt.Errorf("no usable size_bytes (%d) and sha256 (%q) to verify against", f.Size, f.SHA256))
	}
	if err := d.checkURL(f.URL); err != nil {
		return fail(ErrRefused, 0, err)
	}
	final := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return fail(ErrFailed, 0, err)
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.URL, nil)
	if err != nil {
		return fail(ErrRefused, 0, err)
	}
	req.Header.Set("User-Agent", "abtop")
	resp, err := d.client().Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return fail(ErrFailed, 0, ctx.Err())
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // it repeats the signed URL
		}
		if errors.Is(err, errBadRedirect) {
			return fail(ErrRefused, 0, err)
		}
		return fail(ErrTransient, 0, err)
	}
	defer resp.Body.Close()
	switch s := resp.StatusCode; {
	case s == http.StatusOK:
	case s == http.StatusForbidden || s == http.StatusGone:
		return fail(ErrExpired, s, nil)
	case s >= 500 || s == http.StatusTooManyRequests || s == http.StatusRequestTimeout:
		return Result{}, &Error{Kind: ErrTransient, URL: shown, Status: s, RetryAfter: retryAfter(resp.Header.Get("Retry-After"), time.Now())}
	default:
		return fail(ErrFailed, s, nil)
	}

	tmp, err := os.CreateTemp(filepath.Dir(final), "."+filepath.Base(final)+".part-*")
	if err != nil {
		return fail(ErrFailed, 0, err)
	}
	keep := false
	defer func() {
		if !keep {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	// One byte past size_bytes is enough to know the body is too long.
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(resp.Body, f.Size+1))
	if err != nil {
		if ctx.Err() != nil {
			return fail(ErrFailed, 0, ctx.Err())
		}
		var pe *os.PathError
		if errors.As(err, &pe) { // the disk, not the network
			return fail(ErrFailed, 0, err)
		}
		return fail(ErrCutShort, 0, fmt.Errorf("after %d of %d bytes: %w", n, f.Size, unwrapURL(err)))
	}
	if err := verify(n, h, f); err != nil {
		if n < f.Size {
			return fail(ErrCutShort, 0, err)
		}
		return fail(ErrChecksum, 0, err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(ErrFailed, 0, err)
	}
	if err := tmp.Close(); err != nil {
		return fail(ErrFailed, 0, err)
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return fail(ErrFailed, 0, err)
	}
	keep = true
	syncDir(filepath.Dir(final))
	return Result{Path: final, Bytes: n}, nil
}

// Verify checks an existing file against f, so a resumed batch skips
// complete files: nil when it is whole and right.
func Verify(path string, f File) error {
	fh, err := os.Open(path)
	if err != nil {
		return err
	}
	defer fh.Close()
	h := sha256.New()
	n, err := io.Copy(h, io.LimitReader(fh, f.Size+1))
	if err != nil {
		return err
	}
	return verify(n, h, f)
}

func verify(n int64, h hash.Hash, f File) error {
	if n != f.Size {
		if n > f.Size {
			return fmt.Errorf("more than size_bytes %d", f.Size)
		}
		return fmt.Errorf("%d bytes, size_bytes says %d", n, f.Size)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != f.SHA256 {
		return fmt.Errorf("sha256 %s, want %s", got, f.SHA256)
	}
	return nil
}

func (d *Fetcher) client() *http.Client {
	base := d.Client
	if base == nil {
		base = &http.Client{Timeout: 10 * time.Minute}
	}
	c := *base // a copy: the caller's redirect policy is not changed
	next := base.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if err := d.checkURL(req.URL.String()); err != nil {
			return fmt.Errorf("%w: %w", errBadRedirect, err)
		}
		// A redirect keeps the original request's headers; there is no
		// Authorization among them, and none is allowed to appear.
		req.Header.Del("Authorization")
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return &c
}

// errBadRedirect marks a redirect checkURL refused.
var errBadRedirect = errors.New("refusing a redirect")

// checkURL allows https, and http to loopback hosts (or anywhere with
// AllowInsecureHTTP).
func (d *Fetcher) checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("not a URL: %w", unwrapURL(err))
	}
	if u.User != nil {
		return errors.New("the link carries credentials")
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !d.AllowInsecureHTTP && !isLoopback(u.Hostname()) {
			return fmt.Errorf("refusing plain http:// to %s (allow_insecure_http permits it)", u.Host)
		}
	default:
		return fmt.Errorf("scheme %q: only http(s) links are downloaded", u.Scheme)
	}
	if u.Host == "" {
		return errors.New("the link has no host")
	}
	return nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// retryAfter reads delta-seconds or an HTTP-date; 0 when absent or bad.
func retryAfter(v string, now time.Time) time.Duration {
	if secs, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil && secs > 0 && secs < 86400 {
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// redact drops the query (the signature) from a link for messages.
func redact(raw string) string {
	if i := strings.IndexAny(raw, "?#"); i >= 0 {
		return raw[:i]
	}
	return raw
}

// syncDir makes the rename durable; some file systems refuse to sync a
// directory, and the file itself is already synced, so errors are ignored.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
