package sandbox

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Webhooks (API.md): when a job with a "webhook" URL ends, the sandbox
// POSTs the job to it, signed per Standard Webhooks with the org's secret,
// and retries non-2xx answers with backoff for a little over a day. The
// hook_* faults duplicate, drop or delay a delivery.
//
// Job lifecycles are lazy, so a dispatcher goroutine wakes at the next
// lifecycle event of every org with a pending webhook job, advances it,
// and sends what is due. It runs only while something is pending and exits
// when nothing is, so a synctest bubble ends cleanly; Close stops it.

// hookRetries are the waits after each failed attempt (Standard Webhooks'
// suggested schedule); after the last, the delivery is given up.
var hookRetries = []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour}

type delivery struct {
	id      string // webhook-id: the same for every attempt and duplicate
	org     *org
	job     *job
	url     string
	body    []byte // rendered at the first attempt
	attempt int
	due     time.Time
}

// hookQueue is the dispatcher's state, guarded by Sandbox.mu.
type hookQueue struct {
	pending []*delivery
	running bool
	wake    chan struct{}
	stop    chan struct{}
	done    chan struct{}
}

// checkWebhookURL returns "" for an acceptable webhook URL, else why not:
// https anywhere, plain http only to a loopback host (tests, tunnels).
func checkWebhookURL(raw string) string {
	if len(raw) > 2048 {
		return "is longer than 2048 characters"
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "must be an absolute https:// URL"
	}
	if u.User != nil {
		return "must not carry credentials"
	}
	switch u.Scheme {
	case "https":
		return ""
	case "http":
		host := u.Hostname()
		if ip := net.ParseIP(host); strings.EqualFold(host, "localhost") || (ip != nil && ip.IsLoopback()) {
			return ""
		}
		return "plain http:// is accepted for loopback hosts only; use https://"
	}
	return "must be an https:// URL"
}

// orgHookKey is the org's webhook secret, drawn on first use. s.mu held.
func (s *Sandbox) orgHookKey(o *org) []byte {
	if o.hookKey == nil {
		o.hookKey = make([]byte, 24)
		for i := range o.hookKey {
			o.hookKey[i] = byte(s.hookRng.Uint32())
		}
	}
	return o.hookKey
}

func (s *Sandbox) webhookSecret(o *org) string {
	return "whsec_" + base64.StdEncoding.EncodeToString(s.orgHookKey(o))
}

// signWebhook is the Standard Webhooks v1 signature of one delivery:
// "v1," + base64(HMAC-SHA256(key, id + "." + timestamp + "." + body)).
func signWebhook(key []byte, id string, timestamp int64, body []byte) string {
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "%s.%d.", id, timestamp)
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// jobCreated notes a job with a webhook so the dispatcher watches its org.
// s.mu held.
func (s *Sandbox) jobCreated(o *org, j *job) {
	if j.webhook == "" {
		return
	}
	o.hookJobs++
	s.kickHooks()
}

// jobEnded queues the webhook of a job that just reached a final status,
// as the hook_* faults say. s.mu held.
func (s *Sandbox) jobEnded(o *org, j *job) {
	if j.webhook == "" {
		return
	}
	o.hookJobs--
	d := &delivery{id: "msg_" + s.hookString(24), org: o, job: j, url: j.webhook, due: j.finished}
	switch s.drawFault(s.hookRng, hookFaultKinds()) {
	case FaultHookDrop:
		return
	case FaultHookLate:
		d.due = d.due.Add(30*time.Second + time.Duration(s.hookRng.IntN(90))*time.Second)
	case FaultHookDup:
		twin := *d
		twin.due = d.due.Add(time.Second)
		s.hooks.pending = append(s.hooks.pending, &twin)
	}
	s.hooks.pending = append(s.hooks.pending, d)
	s.kickHooks()
}

func (s *Sandbox) hookString(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphanum[s.hookRng.IntN(len(alphanum))]
	}
	return string(b)
}

// kickHooks starts the dispatcher, or wakes it to look again. s.mu held.
func (s *Sandbox) kickHooks() {
	q := &s.hooks
	if q.running {
		select {
		case q.wake <- struct{}{}:
		default:
		}
		return
	}
	q.running = true
	q.wake, q.stop, q.done = make(chan struct{}, 1), make(chan struct{}), make(chan struct{})
	go s.dispatchHooks(q.wake, q.stop, q.done)
}

// Close stops webhook delivery (pending deliveries stay queued and resume
// when a new webhook job is created). Start's and ServeInMemory's stop
// functions call it.
func (s *Sandbox) Close() {
	s.mu.Lock()
	q := &s.hooks
	if !q.running {
		s.mu.Unlock()
		return
	}
	stop, done := q.stop, q.done
	q.running = false
	s.mu.Unlock()
	close(stop)
	<-done
}

func (s *Sandbox) dispatchHooks(wake, stop, done chan struct{}) {
	defer close(done)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	for {
		due, next, more := s.dueHooks()
		for _, d := range due {
			s.attempt(ctx, d)
		}
		if ctx.Err() != nil {
			return
		}
		if len(due) > 0 {
			continue
		}
		if !more {
			s.mu.Lock()
			// Re-check under the lock: a job created since dueHooks would
			// otherwise wait for a dispatcher that is leaving.
			if len(s.hooks.pending) == 0 && !s.anyHookJobs() {
				if s.hooks.stop == stop {
					s.hooks.running = false
				}
				s.mu.Unlock()
				return
			}
			s.mu.Unlock()
			// Something changed since dueHooks looked; if not, only a new
			// job (a wake) can give the dispatcher work, so never spin.
			select {
			case <-wake:
			case <-ctx.Done():
				return
			}
			continue
		}
		t := time.NewTimer(next.Sub(s.now()))
		select {
		case <-t.C:
		case <-wake:
			t.Stop()
		case <-ctx.Done():
			t.Stop()
			return
		}
	}
}

func (s *Sandbox) anyHookJobs() bool {
	for _, o := range s.orgs {
		if o.hookJobs > 0 {
			return true
		}
	}
	return false
}

// dueHooks advances every watched org to now and takes the deliveries due;
// next is when to look again, more whether anything is left to wait for.
func (s *Sandbox) dueHooks() (due []*delivery, next time.Time, more bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	consider := func(t time.Time) {
		if !more || t.Before(next) {
			next, more = t, true
		}
	}
	for _, o := range s.orgs {
		if o.hookJobs == 0 {
			continue
		}
		s.advance(o, now)
		if t, ok := s.nextEvent(o); ok {
			consider(t)
		}
	}
	keep := s.hooks.pending[:0]
	for _, d := range s.hooks.pending {
		if d.due.After(now) {
			keep = append(keep, d)
			consider(d.due)
			continue
		}
		due = append(due, d)
	}
	s.hooks.pending = keep
	slices.SortStableFunc(due, func(a, b *delivery) int { return a.due.Compare(b.due) })
	for _, d := range due {
		if d.body == nil {
			d.body, _ = json.Marshal(s.view(d.job, now)) // our own type always marshals
		}
	}
	return due, next, more
}

// nextEvent is when o's lifecycle next changes: a running job finishing,
// or the head of the queue starting in a free slot. s.mu held.
func (s *Sandbox) nextEvent(o *org) (time.Time, bool) {
	var at time.Time
	for _, j := range o.running {
		if at.IsZero() || j.finishAt().Before(at) {
			at = j.finishAt()
		}
	}
	if limit := s.concurrencyLimit(o); len(o.queued) > 0 && (limit == 0 || len(o.running) < limit) {
		start := o.queued[0].eligible
		if o.cursor.After(start) {
			start = o.cursor
		}
		if at.IsZero() || start.Before(at) {
			at = start
		}
	}
	return at, !at.IsZero()
}

// attempt POSTs one delivery and books the outcome.
func (s *Sandbox) attempt(ctx context.Context, d *delivery) {
	s.mu.Lock()
	now := s.now()
	key := s.orgHookKey(d.org)
	s.stats.WebhookAttempts++
	s.mu.Unlock()

	ts := now.Unix()
	ok := false
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.url, bytes.NewReader(d.body))
	if err == nil {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", "abstrakt-webhooks (sandbox)")
		req.Header.Set("webhook-id", d.id)
		req.Header.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
		req.Header.Set("webhook-signature", signWebhook(key, d.id, ts, d.body))
		resp, err := s.opts.WebhookClient.Do(req)
		if err == nil {
			ok = resp.StatusCode/100 == 2
			resp.Body.Close()
		}
	}
	s.logHook(d, ok)

	s.mu.Lock()
	defer s.mu.Unlock()
	if ok {
		s.stats.WebhooksSent++
		return
	}
	s.stats.WebhooksFailed++
	if ctx.Err() != nil {
		s.hooks.pending = append(s.hooks.pending, d) // stopped mid-attempt: try again after a restart
		return
	}
	if d.attempt >= len(hookRetries) {
		s.stats.WebhooksGivenUp++
		return
	}
	d.due = s.now().Add(hookRetries[d.attempt])
	d.attempt++
	s.hooks.pending = append(s.hooks.pending, d)
}

func (s *Sandbox) logHook(d *delivery, ok bool) {
	if s.opts.Logger != nil {
		s.opts.Logger.Info("webhook", "id", d.id, "job", d.job.id, "attempt", d.attempt+1, "delivered", ok)
	}
}
