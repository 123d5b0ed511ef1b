// Package session assembles what every command that talks to the API
// needs, in one order, and closes it in the reverse: the organization's
// budget store, the client (on the budget's clock), the scheduler, and
// when asked the journal and the queue. "abtop submit", the dashboard and
// later "watch" open a Session instead of wiring these by hand.
//
// It lives above apiclient and config (it reads a config.Config and opens
// every apiclient part), so the client library stays free of both.
package session

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/apiclient/budget/limiter"
	"github.com/abtop-dev/abtop/apiclient/jobfile"
	"github.com/abtop-dev/abtop/apiclient/queue"
	"github.com/abtop-dev/abtop/caps"
	"github.com/abtop-dev/abtop/config"
	"github.com/abtop-dev/abtop/history"
	"github.com/abtop-dev/abtop/internal/secret"
	"github.com/abtop-dev/abtop/statusline/record"
)

// QueueMode says whether a session opens the journal and the queue.
type QueueMode int

const (
	// NoQueue opens the budget, the client and the scheduler only.
	NoQueue QueueMode = iota
	// QueueRequired fails Open when the journal cannot be opened.
	QueueRequired
	// QueueOptional keeps going without a queue when the journal cannot
	// be opened (held by a running submit, a read-only directory):
	// Session.QueueErr says why.
	QueueOptional
)

// Options say what to open.
type Options struct {
	Config  config.Config
	Version string // sent in the User-Agent
	// Observer receives every response the client sees; nil: none.
	Observer func(apiclient.Observation)
	// Observers receive every response too, after Observer (metrics,
	// alerts): the session fans the client's one observer out to all.
	Observers []func(apiclient.Observation)
	// StateDir, when set, keeps the profile's status line state
	// (statusline.Path) up to date from every response: any abtop
	// process that talks to the API refreshes what "abtop statusline"
	// prints. Empty: not recorded.
	StateDir string
	// HTTPClient replaces the client's transport (tests, an in-memory
	// sandbox); nil: the default.
	HTTPClient *http.Client
	// Log receives a shared budget's mode changes (degraded, reconnected);
	// nil discards them (a full-screen view must not be torn by a line).
	Log *slog.Logger
	// OpenBudget opens the budget store; nil: OpenBudget (package limiter).
	OpenBudget BudgetOpener

	Queue QueueMode
	// Workers is how many jobs may be in flight at once (queue default 4).
	Workers int
	// Track configures following created jobs to their end (webhook URL,
	// automatic reruns of internal_error failures).
	Track queue.TrackOptions
	// EphemeralJournal keeps the journal in a temporary directory removed
	// by Close: sandbox jobs must never land in the real journal, where a
	// later "abtop submit --resume" would send them to the real API.
	EphemeralJournal bool

	// History is the history file every response, 429 and job of this
	// session is recorded into (config.DefaultHistory); "" records nothing.
	History string
	// MaxCredits caps what this session's queue may spend (--max-credits).
	MaxCredits float64
	// ClockOffset moves the session's reference clock (tests of day
	// boundaries: see cmd/abtop's ABTOP_TEST_CLOCK_OFFSET). Zero: none.
	ClockOffset time.Duration
}

// Session is one command's open connection to the API and its budget.
type Session struct {
	Config config.Config
	// Budget is the organization budget with how it is shared; Store is
	// its store.
	Budget *limiter.Budget
	Store  budget.Store
	// Now is the clock every budget decision uses: the store's own when it
	// keeps one (budget.Clock), the local clock otherwise.
	Now       func() time.Time
	Client    *apiclient.Client
	Scheduler *queue.Scheduler
	// Journal and Queue are nil without a queue; QueueErr says why when
	// the queue was optional and could not be opened.
	Journal  *queue.Journal
	Queue    *queue.Queue
	QueueErr error
	// History is the store this session records into (nil without
	// Options.History); the dashboard reads its charts from it.
	History *history.Store
	// Statusline records the profile's status line state; nil when
	// Options.StateDir was empty. Callers that learn the number of running
	// jobs or the active alerts tell it.
	Statusline *record.Recorder

	closers []func() error // in opening order; Close runs them backwards
}

// Open assembles a session. On error everything opened so far is closed.
func Open(ctx context.Context, o Options) (*Session, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if o.OpenBudget == nil {
		o.OpenBudget = OpenBudget
	}
	s := &Session{Config: o.Config, Now: time.Now}
	if err := s.open(ctx, o); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Session) open(ctx context.Context, o Options) (err error) {
	if s.Budget, err = o.OpenBudget(ctx, o.Config, o.Log); err != nil {
		return err // names the limiter URL, password masked
	}
	s.Store = s.Budget.Store
	s.closers = append(s.closers, s.Budget.Close) // leaves the peers: their share grows at once
	if s.Budget.Now != nil {
		s.Now = s.Budget.Now
	}
	// The client measures the server's durations (resets) on the real
	// reference clock; only the budget's decisions move with the offset.
	clientNow := s.Now
	if o.ClockOffset != 0 {
		s.Now = func() time.Time { return clientNow().Add(o.ClockOffset) }
	}
	observers := append([]func(apiclient.Observation){o.Observer}, o.Observers...)
	var rec *recorder
	if o.History != "" {
		if rec, err = openHistory(o.History, o.Config.Profile, DefaultOrg(o.Config), o.Log); err != nil {
			return err
		}
		s.History = rec.st
		s.closers = append(s.closers, rec.close)
		observers = append(observers, rec.observe)
	}
	if s.Statusline = Recorder(o.StateDir, o.Config.Profile, o.Log); s.Statusline != nil {
		observers = append(observers, s.Statusline.Observe)
	}
	if s.Client, err = newClient(o.Config, o.Version, FanOut(observers...), clientNow, o.HTTPClient); err != nil {
		return err
	}
	s.Scheduler = queue.NewScheduler(queue.Options{Store: s.Store, Now: s.Now, Caps: profileCaps(o.Config)})
	if o.Queue == NoQueue {
		return nil
	}
	path := o.Config.JournalPath
	if o.EphemeralJournal {
		dir, err := os.MkdirTemp("", "abtop-sandbox-")
		if err != nil {
			return err
		}
		s.closers = append(s.closers, func() error { return os.RemoveAll(dir) })
		path = filepath.Join(dir, "queue.db")
	}
	j, jerr := queue.OpenJournal(path)
	if jerr != nil {
		if o.Queue == QueueOptional {
			s.QueueErr = jerr
			return nil
		}
		return jerr
	}
	s.Journal = j
	s.closers = append(s.closers, j.Close)
	if s.Queue, err = queue.Open(queue.QueueOptions{Journal: j, Scheduler: s.Scheduler, API: s.Client, Workers: o.Workers, Track: o.Track, Owner: OwnerOf(o.Config), Now: s.Now, MaxCredits: o.MaxCredits}); err != nil {
		return err
	}
	if rec != nil {
		rec.follow(s)
	}
	return nil
}

// Close closes what Open opened, last first. Safe to call more than once.
func (s *Session) Close() error {
	var errs []error
	for i := len(s.closers) - 1; i >= 0; i-- {
		errs = append(errs, s.closers[i]())
	}
	s.closers = nil
	return errors.Join(errs...)
}

// Sharing says how the budget is shared (the zero value when it is this
// process's alone). Cheap: no I/O.
func (s *Session) Sharing() budget.Sharing { return s.Budget.Sharing() }

// Local converts an instant on the budget's reference clock (Now) to this
// machine's clock, for display next to local times.
func (s *Session) Local(ref time.Time) time.Time {
	return ref.Add(-time.Until(s.Now()))
}

// Models lists the models (GET /v1/models) through the budget, retrying
// what may be retried.
func (s *Session) Models(ctx context.Context) ([]apiclient.Model, error) {
	return s.ModelsWaiting(ctx, nil)
}

// ModelsWaiting is Models telling onWait (when not nil) each wait as it
// starts (the rate window, a retry after a fault), so a slow load can say
// why it is slow.
func (s *Session) ModelsWaiting(ctx context.Context, onWait func(queue.Wait)) ([]apiclient.Model, error) {
	var ms []apiclient.Model
	err := s.Scheduler.Do(ctx, queue.Call{Kind: queue.KindRead, Retry: true, OnWait: onWait}, func(ctx context.Context) (apiclient.Meta, error) {
		var meta apiclient.Meta
		var err error
		ms, meta, err = s.Client.Models(ctx)
		return meta, err
	})
	return ms, err
}

// WebhookSecret reads the org's webhook signing secret (GET
// /v1/webhooks/secret) through the budget, once per batch.
func (s *Session) WebhookSecret(ctx context.Context) (string, error) {
	var key string
	err := s.Scheduler.Do(ctx, queue.Call{Kind: queue.KindRead, Retry: true}, func(ctx context.Context) (apiclient.Meta, error) {
		var meta apiclient.Meta
		var err error
		key, meta, err = s.Client.WebhookSecret(ctx)
		return meta, err
	})
	return key, err
}

// profileCaps are the caps every create reserves in the budget store; nil
// when the profile sets none.
func profileCaps(cfg config.Config) *caps.Caps {
	c := cfg.Caps
	c.BatchCredits = 0 // a batch's own cap is the queue's (MaxCredits)
	if c.None() {
		return nil
	}
	return &c
}

// NewClient builds the API client for cfg; observer may be nil, now is the
// clock the budget decides on (nil: time.Now), so waits the client
// computes from reset times agree with every peer's. The token was
// validated by config; apiclient checks the URL again (defence in depth).
func NewClient(cfg config.Config, version string, observer func(apiclient.Observation), now func() time.Time) (*apiclient.Client, error) {
	return newClient(cfg, version, observer, now, nil)
}

func newClient(cfg config.Config, version string, observer func(apiclient.Observation), now func() time.Time, hc *http.Client) (*apiclient.Client, error) {
	return apiclient.New(apiclient.Options{
		HTTPClient:        hc,
		Now:               now,
		BaseURL:           cfg.BaseURL,
		Token:             cfg.Token,
		Version:           version,
		Timeout:           cfg.Timeout,
		Observer:          observer,
		AllowInsecureHTTP: cfg.AllowInsecureHTTP,
	})
}

// Jobs turns a job file's accepted entries into jobs to enqueue.
func Jobs(parsed []jobfile.Job) []queue.NewJob {
	out := make([]queue.NewJob, len(parsed))
	for i, p := range parsed {
		out[i] = queue.NewJob{Model: p.Model, Input: p.Input, Credits: p.Credits, Line: p.Line}
	}
	return out
}

// OwnerOf is whom the jobs a session queues belong to: its endpoint and
// the organization of its token (by fingerprint; the token is never
// stored). The queue sends only its owner's jobs.
func OwnerOf(cfg config.Config) queue.Owner {
	return queue.Owner{Endpoint: cfg.BaseURL, Org: secret.Fingerprint(cfg.Token), Token: secret.Mask(cfg.Token)}
}
