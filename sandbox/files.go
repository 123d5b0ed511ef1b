package sandbox

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The file host: output files at /files/{job}/{name}?exp=…&sig=…, signed
// links (HMAC-SHA256 of path and expiry with a key of the sandbox's own),
// outside /v1: no Authorization, no rate limit, no quota, no usage headers.

// filesPrefix is where Handler mounts FileHandler.
const filesPrefix = "/files/"

// FileHandler serves the output files alone, for mounting on a host of its
// own; Handler already serves it under /files/. With file faults on,
// "file_cut" aborts the handler (see Handler).
func (s *Sandbox) FileHandler() http.Handler { return http.HandlerFunc(s.serveFile) }

// fileBase is the scheme and host links point at: Options.FileBaseURL, or
// the host the creating request reached.
func (s *Sandbox) fileBase(r *http.Request) string {
	if s.opts.FileBaseURL != "" {
		return strings.TrimRight(s.opts.FileBaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Sandbox) linkSig(path string, exp int64) string {
	m := hmac.New(sha256.New, s.fileKey)
	fmt.Fprintf(m, "%s\n%d", path, exp)
	return hex.EncodeToString(m.Sum(nil))
}

func (s *Sandbox) signedURL(j *job, f *outFile, exp time.Time) string {
	path := filesPrefix + j.id + "/" + f.name
	e := exp.Unix()
	return fmt.Sprintf("%s%s?exp=%d&sig=%s", j.fileBase, path, e, s.linkSig(path, e))
}

func (s *Sandbox) serveFile(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "use GET", http.StatusMethodNotAllowed)
		return
	}
	now := s.now()
	s.mu.Lock()
	s.stats.FileRequests++
	if r.Header.Get("Authorization") != "" {
		s.stats.FileRequestsWithAuthorization++ // must stay 0: an API token has no business here
	}
	f, status, msg := s.lookupFile(r.URL, now)
	fault := FaultKind("")
	if f != nil {
		fault = s.drawFault(s.fileRng, fileFaultKinds())
		if fault == "" && r.Method == http.MethodGet {
			s.stats.Downloads++
			s.stats.DownloadBytes += int64(f.size)
		}
	}
	var spec outFile
	if f != nil {
		spec = *f
	}
	s.mu.Unlock()

	h := w.Header()
	h.Set("Date", now.Format(http.TimeFormat))
	h.Set("Server", "sandbox-files")
	switch {
	case f == nil:
		http.Error(w, msg, status)
		return
	case fault == FaultFile503:
		h.Set("Retry-After", "1")
		http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
		return
	case fault == FaultFileExpired:
		http.Error(w, "this link has expired; get a fresh one from GET /v1/jobs/{id}", http.StatusGone)
		return
	}
	body := spec.data // never written after measure: safe to read unlocked
	h.Set("Content-Type", spec.contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("ETag", `"`+spec.sum+`"`)
	h.Set("Cache-Control", "private, max-age=3600")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	if fault == FaultFileCut {
		_, _ = w.Write(body[:len(body)/2])
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
		panic(http.ErrAbortHandler)
	}
	_, _ = w.Write(body) // a write error means the client left
}

// lookupFile checks the link and finds its file (nil with an HTTP status
// and message when refused). s.mu held.
func (s *Sandbox) lookupFile(u *url.URL, now time.Time) (*outFile, int, string) {
	rest, _ := strings.CutPrefix(u.Path, filesPrefix)
	jobID, name, ok := strings.Cut(rest, "/")
	q := u.Query()
	exp, err := strconv.ParseInt(q.Get("exp"), 10, 64)
	if !ok || err != nil || q.Get("sig") == "" {
		return nil, http.StatusForbidden, "not a signed link: exp and sig are required"
	}
	if !hmac.Equal([]byte(q.Get("sig")), []byte(s.linkSig(u.Path, exp))) {
		return nil, http.StatusForbidden, "signature does not match"
	}
	if !now.Before(time.Unix(exp, 0)) {
		s.stats.LinksExpired++
		return nil, http.StatusForbidden, "Request has expired; get a fresh link from GET /v1/jobs/{id}"
	}
	j := s.files[jobID]
	if j == nil || j.status != statusSucceeded {
		return nil, http.StatusNotFound, "no such file"
	}
	for _, f := range j.files {
		if f.name == name {
			f.measure()
			return f, 0, ""
		}
	}
	return nil, http.StatusNotFound, "no such file"
}
