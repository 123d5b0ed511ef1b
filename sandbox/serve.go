package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/abtop-dev/abtop/config"
	"github.com/abtop-dev/abtop/sandbox/memnet"
)

// maxBody caps request bodies; a longer one is invalid_request.
const maxBody = 1 << 20

// Handler serves /v1/…, the file host under /files/ and /_sandbox/stats. With faults on, "drop" and
// "truncate" abort the handler with http.ErrAbortHandler, which a real
// http.Server (httptest.NewServer, Start, ServeInMemory) turns into a
// closed connection; do not call it with a bare ResponseRecorder then.
func (s *Sandbox) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

func (s *Sandbox) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/_sandbox/stats" {
		s.serveStats(w, r)
		return
	}
	if strings.HasPrefix(r.URL.Path, filesPrefix) {
		s.serveFile(w, r)
		return
	}
	if r.Method == http.MethodPost {
		s.mu.Lock()
		s.stats.Writes++
		s.mu.Unlock()
	}
	start := s.now()
	body, bodyErr := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	fault := s.pickFault()
	var resp response
	var tok *token
	switch fault {
	case Fault502, Fault503:
		code, _ := strconv.Atoi(string(fault))
		resp = proxyPage(code)
		resp.header.Set("Date", s.now().Format(http.TimeFormat))
		tok = s.peekToken(r.Header)
	case FaultStall:
		timer := time.NewTimer(s.opts.StallFor)
		select {
		case <-r.Context().Done():
			timer.Stop()
			s.count(0)
			s.log(r, 0, s.peekToken(r.Header), fault, start)
			return
		case <-timer.C:
		}
	}
	if resp.status == 0 {
		resp, tok = s.serveAPI(s.newAPIRequest(r, body, bodyErr), fault == Fault500)
	}
	switch fault {
	case FaultBadHeaders:
		garble(resp)
	case FaultNoHeaders:
		strip(resp)
	}
	for k, v := range resp.header {
		w.Header()[k] = v
	}
	switch fault {
	case FaultDrop:
		s.count(0)
		s.log(r, 0, tok, fault, start)
		panic(http.ErrAbortHandler)
	case FaultTruncate:
		s.count(resp.status)
		s.log(r, resp.status, tok, fault, start)
		w.Header().Set("Content-Length", strconv.Itoa(len(resp.body)+64))
		w.WriteHeader(resp.status)
		_, _ = w.Write(resp.body[:len(resp.body)/2])
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		panic(http.ErrAbortHandler)
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(resp.body)))
	w.WriteHeader(resp.status)
	_, _ = w.Write(resp.body) // a write error means the client left
	s.count(resp.status)
	s.log(r, resp.status, tok, fault, start)
}

// peekToken finds the request's token without counting anything.
func (s *Sandbox) peekToken(h http.Header) *token {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.authenticate(h)
}

// log writes the one line per request. Tokens are masked; an unknown
// token is masked too (it may be someone's real one).
func (s *Sandbox) log(r *http.Request, status int, tok *token, fault FaultKind, start time.Time) {
	if s.opts.Logger == nil {
		return
	}
	_, sent, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	who := config.MaskToken(strings.TrimSpace(sent))
	if tok != nil {
		who = config.MaskToken(tok.value)
	}
	attrs := []any{"method", r.Method, "path", r.URL.RequestURI(), "status", status, "token", who,
		"duration", s.now().Sub(start)}
	if fault != "" {
		attrs = append(attrs, "fault", string(fault))
	}
	s.opts.Logger.Info("request", attrs...)
}

// Start serves the sandbox on addr (e.g. "127.0.0.1:0") and returns its
// base URL (no /v1) and a stop function that shuts it down, ending stalled
// requests, within ctx.
func (s *Sandbox) Start(addr string) (baseURL string, stop func(context.Context) error, err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("sandbox: listen on %s: %w", addr, err)
	}
	base, cancel := context.WithCancel(context.Background())
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return base },
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	stop = func(ctx context.Context) error {
		cancel() // releases stalled handlers
		s.Close()
		err := srv.Shutdown(ctx)
		if err != nil {
			err = errors.Join(err, srv.Close())
		}
		if serr := <-done; !errors.Is(serr, http.ErrServerClosed) {
			err = errors.Join(err, serr)
		}
		return err
	}
	return "http://" + ln.Addr().String(), stop, nil
}

// ServeInMemory serves the sandbox over an in-memory network, for tests
// inside a testing/synctest bubble: the returned client reaches it at
// baseURL (a loopback URL, so clients that refuse plain http elsewhere
// accept it; the address is not dialled). Call stop before the test ends so no goroutine is left behind.
func (s *Sandbox) ServeInMemory() (client *http.Client, baseURL string, stop func()) {
	ln := memnet.Listen()
	base, cancel := context.WithCancel(context.Background())
	srv := &http.Server{Handler: s.Handler(), BaseContext: func(net.Listener) context.Context { return base }}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln) // ends with ErrServerClosed or memnet.ErrClosed at stop
	}()
	tr := &http.Transport{DialContext: ln.DialContext}
	stop = func() {
		cancel()
		s.Close()
		tr.CloseIdleConnections()
		_ = srv.Close()
		<-done
	}
	return &http.Client{Transport: tr}, "http://127.0.0.1", stop
}
