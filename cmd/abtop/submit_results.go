package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/queue"
	"github.com/abtop-dev/abtop/apiclient/webhook"
	"github.com/abtop-dev/abtop/results"
	"github.com/abtop-dev/abtop/session"
	"github.com/spf13/pflag"
)

// followFlags are submit's flags for following a batch to its results.
type followFlags struct {
	out           string
	name          string
	downloads     int
	noWait        bool
	retryFailed   int
	webhookURL    string
	webhookListen string
}

func (f *followFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&f.out, "out", "", "download every output file of every succeeded job into DIR and write DIR/manifest.jsonl (default: the profile's out:)")
	fl.StringVar(&f.name, "name", "", `file name template inside --out (text/template: .Line .Model .N .Ext .JobID .Key; default "`+results.DefaultName+`")`)
	fl.IntVar(&f.downloads, "downloads", 4, "files downloaded at once")
	fl.BoolVar(&f.noWait, "no-wait", false, "return once every job is created; \"abtop results\" fetches the files later")
	fl.IntVar(&f.retryFailed, "retry-failed", 0, "rerun a job the server failed with internal_error up to N times, each under a new Idempotency-Key")
	fl.StringVar(&f.webhookURL, "webhook-url", "", "URL the API can reach that --webhook-listen serves: job ends arrive as signed deliveries instead of polls")
	fl.StringVar(&f.webhookListen, "webhook-listen", "", "host:port to serve webhook deliveries on (with --webhook-url)")
}

func (f *followFlags) check() error {
	switch {
	case f.downloads < 1:
		return fmt.Errorf("--downloads %d must be at least 1", f.downloads)
	case f.retryFailed < 0:
		return fmt.Errorf("--retry-failed %d must not be negative", f.retryFailed)
	case (f.webhookURL == "") != (f.webhookListen == ""):
		return errors.New("--webhook-url and --webhook-listen go together")
	case f.noWait && f.out != "":
		return errors.New("--no-wait returns before any file exists: fetch them later with \"abtop results --out DIR\"")
	case f.name != "" && f.out == "":
		return errors.New("--name needs --out")
	}
	if f.name != "" {
		if _, err := results.ParseName(f.name); err != nil {
			return err
		}
	}
	return nil
}

func (f *followFlags) track() queue.TrackOptions {
	return queue.TrackOptions{WebhookURL: f.webhookURL, MaxRetryFailed: f.retryFailed}
}

// openOut opens the output directory of a batch and fills its manifest
// from the journal; nil without --out.
func (a *app) openOut(ctx context.Context, q *queue.Queue, dir, name string, downloads int, inBatch func(queue.Job) bool) (*results.Batch, error) {
	if dir == "" {
		return nil, nil
	}
	namer, err := results.ParseName(name)
	if err != nil {
		return nil, err
	}
	b, err := results.Open(ctx, results.Options{Dir: dir, Name: namer, Parallel: downloads,
		Refresh: results.QueueRefresh(q), Log: slog.New(slog.NewTextHandler(a.errOut, nil))})
	if err != nil {
		return nil, err
	}
	results.Reconcile(q.List(), b, inBatch)
	return b, nil
}

// serveWebhooks reads the secret once, serves the receiver and turns the
// queue's webhook mode on; stop shuts the receiver down.
func (a *app) serveWebhooks(ctx context.Context, sess *session.Session, listen string) (stop func(), err error) {
	secret, err := sess.WebhookSecret(ctx)
	if err != nil {
		return nil, fmt.Errorf("webhooks: reading the secret: %w", err)
	}
	v, err := webhook.NewVerifier(secret, sess.Now, 0)
	if err != nil {
		return nil, err
	}
	log := slog.New(slog.NewTextHandler(a.errOut, nil))
	q := sess.Queue
	rc, err := webhook.NewReceiver(v, nil, func(ctx context.Context, j apiclient.Job) error {
		_, err := q.Deliver(ctx, j)
		return err
	}, log)
	if err != nil {
		return nil, err
	}
	srv, err := webhook.Listen(listen, rc, log)
	if err != nil {
		return nil, fmt.Errorf("webhooks: %w", err)
	}
	q.SetDeliveries(true)
	fmt.Fprintf(a.errOut, "abtop: receiving webhooks on %s\n", srv.Addr())
	return func() {
		q.SetDeliveries(false)
		_ = srv.Close(context.Background())
	}, nil
}

// batchAt says which journal jobs belong to the batch enqueued at t (one
// Enqueue call shares its time; a rerun keeps it).
func batchAt(t time.Time) func(queue.Job) bool {
	return func(j queue.Job) bool { return j.Enqueued.Equal(t) }
}

// jobRef is what choosing a batch reads of a journal job.
type jobRef struct {
	key      string
	enqueued time.Time
}

// latestBatch is when the most recent batch holding one of keys was
// enqueued, and how many batches hold them.
func latestBatch(jobs []jobRef, keys map[string]bool) (time.Time, int) {
	var last time.Time
	seen := map[int64]bool{}
	for _, j := range jobs {
		if keys[j.key] {
			seen[j.enqueued.UnixNano()] = true
			if j.enqueued.After(last) {
				last = j.enqueued
			}
		}
	}
	return last, len(seen)
}

// lastBatch is the keys of the most recently enqueued batch in jobs and
// when it was enqueued; none when jobs is empty.
func lastBatch(jobs []jobRef) (map[string]bool, time.Time) {
	var last time.Time
	for _, j := range jobs {
		if j.enqueued.After(last) {
			last = j.enqueued
		}
	}
	keys := map[string]bool{}
	for _, j := range jobs {
		if !last.IsZero() && j.enqueued.Equal(last) {
			keys[j.key] = true
		}
	}
	return keys, last
}
