package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/jobfile"
	"github.com/abtop-dev/abtop/apiclient/queue"
	"github.com/abtop-dev/abtop/results"
	"github.com/abtop-dev/abtop/session"
	"github.com/spf13/cobra"
)

type submitFlags struct {
	json        bool
	dryRun      bool
	maxCredits  float64
	resume      bool
	skipInvalid bool
	again       bool
	workers     int
	follow      followFlags
}

func newSubmitCmd(a *app) *cobra.Command {
	var f submitFlags
	cmd := &cobra.Command{
		Use:   "submit [FILE]",
		Short: "Submit a batch of jobs at the full allowed rate, never early, never twice",
		Long: `submit reads jobs from FILE (standard input when absent): JSON Lines of
{"model": "flux-schnell", "input": {…}}, or one JSON array of them. The whole
file is checked against GET /v1/models first; every bad line is reported with
its line number and nothing is sent (unless --skip-invalid).

Each job gets its Idempotency-Key when it is queued, in a journal on disk,
before any request. Jobs go out as fast as the rate limit, the Retry-After of
a 429, the monthly quota, the credits and the concurrency limit allow, and
not one request faster. After a crash or ctrl+c, "abtop submit --resume"
sends what is left with the same keys, so no job is created twice; a new
submit also resumes unfinished jobs first.

Every abtop process of the organization on this machine (submits, the
dashboard) shares one budget with no setup; "--limiter memory" opts out.
With --limiter redis://…?org=NAME, submitters on any number of machines
split one organization's budget through Redis (see "Several machines" in
the README); the output says how many share it, or that Redis is
unreachable and this process runs at a conservative local share.

submit then follows every job to its end (one list read per tick for the
whole batch, through the same budget) and, with --out DIR, downloads every
output file into DIR (verified against its size and sha256, never a partial
file under its final name) and keeps DIR/manifest.jsonl, one line per input
line. --no-wait returns once every job is created; "abtop results" finishes
later. A --resume that finds every job final follows the latest batch again
(with --out, fetching the files it still lacks): its outcome, not "nothing
to do", is the exit status.

Exit status: 0 every job succeeded and every file is on disk, verified
(with --no-wait: every job was created); 1 abtop could not run; 2 the input
has bad lines or no jobs at all; 3 some jobs failed or were canceled; 4 some files could not
be downloaded or verified; 5 incomplete (interrupted, paused): run
"abtop submit --resume" or "abtop results"; 6 a spending cap stopped the
batch ("abtop submit --resume" continues once it lifts or is raised).

With --dry-run nothing is sent: two reads (/v1/models, /v1/balance) price
the batch per model and check it against the balance, the monthly quota
and the rate now observed. --max-credits N stops the batch before it
spends more than N credits; the profile's caps (caps: in the config) hold
across every abtop sharing its budget.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			file := ""
			if len(args) == 1 {
				file = args[0]
			}
			return a.runSubmit(cmd.Context(), file, f)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.json, "json", false, "print one JSON summary object at the end instead of a human summary")
	fl.BoolVar(&f.resume, "resume", false, "continue the unfinished jobs of an interrupted batch (no FILE)")
	fl.BoolVar(&f.skipInvalid, "skip-invalid", false, "send the valid jobs even when some lines are bad")
	fl.BoolVar(&f.again, "again", false, "submit jobs even when the same ones (same model and input) were submitted before")
	fl.String("limiter", "", "where the organization's budget is shared: empty or \"local\" (every abtop process of this machine, the default), \"memory\" (this process only), redis://[user:pass@]host:port/db[?org=NAME] (several machines; config key limiter)")
	fl.BoolVar(&f.dryRun, "dry-run", false, "estimate the batch (credits per model, limits, duration) and send nothing")
	fl.Float64Var(&f.maxCredits, "max-credits", 0, "stop before this batch spends more than N credits (0: no cap)")
	fl.IntVar(&f.workers, "workers", 4, "requests that may be in flight at once (the budget still decides when each leaves)")
	f.follow.register(fl)
	return cmd
}

func (a *app) runSubmit(ctx context.Context, file string, f submitFlags) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if f.resume && file != "" {
		return errors.New("submit: give either FILE or --resume, not both")
	}
	if f.workers < 1 {
		return fmt.Errorf("submit: --workers %d must be at least 1", f.workers)
	}
	if f.maxCredits < 0 || f.maxCredits != f.maxCredits {
		return fmt.Errorf("submit: --max-credits %v must be a number ≥ 0", f.maxCredits)
	}
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	if f.follow.out == "" && !f.follow.noWait {
		f.follow.out = cfg.Out // the profile's out: (--no-wait downloads nothing)
	}
	if err := f.follow.check(); err != nil {
		return fmt.Errorf("submit: %w", err)
	}
	if f.dryRun {
		return a.runDryRun(ctx, cfg, file, f)
	}
	// The profile's alerts: a failed job, a cap, the batch's end, and the
	// limits its responses show, on the config's channels (desktop,
	// command, webhook); a failing channel is logged, never fatal.
	var tty io.Writer
	if isTerminal(a.errOut) {
		tty = a.errOut
	}
	pa := a.alertsFor(cfg, cfg.Alerts, slog.New(slog.NewTextHandler(a.errOut, &slog.HandlerOptions{Level: slog.LevelWarn})), tty)
	defer pa.wait(alertsGrace) // what was fired is sent before exiting, on every path
	if n, ok := journalJobs(cfg.JournalPath); ok {
		a.limitMemory(n, 0) // loading a big journal is the first peak (its size counts the inputs)
	}
	sess, err := session.Open(ctx, session.Options{
		Config: cfg, Version: version, Log: limiterLog(a.errOut), StateDir: a.stateDir(),
		Observers: []func(apiclient.Observation){pa.observe},
		Queue:     session.QueueRequired, Workers: f.workers, Track: f.follow.track(),
		History: a.historyPath(), MaxCredits: f.maxCredits, ClockOffset: testClockOffset(),
	})
	if errors.Is(err, queue.ErrJournalInUse) {
		return journalHolder(err, cfg.JournalPath)
	}
	if err != nil {
		return err
	}
	defer sess.Close()
	if sh := sess.Sharing(); sh.Shared {
		fmt.Fprintf(a.errOut, "abtop: limiter: %s (org %q)\n", sh.Text, sh.Org)
	}
	q, journal, sched := sess.Queue, sess.Journal, sess.Scheduler
	mine := session.OwnerOf(sess.Config)
	held := q.Held()
	printHeld(a.errOut, journal.Path(), mine, held)

	// The batch is every job of an earlier run not final yet (still to
	// send, or created and still to follow: a run killed while tracking
	// left only those) plus the new ones; the files and manifest of --out
	// are the new ones' (or, with --resume, the latest resumed batch's).
	var enqueued time.Time
	batch := map[string]bool{}
	var jobs []jobRef // what picking the batch needs, not a copy of every job
	var inputBytes int64
	q.Each(func(j queue.Job) {
		jobs = append(jobs, jobRef{key: j.Key, enqueued: j.Enqueued})
		inputBytes += int64(len(j.Input))
		if !j.State.Final() {
			batch[j.Key] = true
		}
	})
	queued := len(jobs)
	a.limitMemory(queued, inputBytes)
	if len(batch) > 0 {
		fmt.Fprintf(a.errOut, "abtop: resuming %d unfinished job(s) from %s with their original keys\n", len(batch), journal.Path())
	}

	name := "the journal (--resume)"
	if !f.resume {
		var in io.Reader
		var done func()
		if in, name, done, err = a.jobInput(file); err != nil {
			return fmt.Errorf("submit: %w", err)
		}
		defer done()
		if (file == "" || file == "-") && isTerminal(a.in) {
			if len(batch) == 0 {
				return errors.New("submit: no jobs: give a FILE or pipe JSON Lines into standard input")
			}
			in = nil
		}
		if in != nil {
			jobs, err := a.readJobs(ctx, sess, in, name, f.skipInvalid)
			if err != nil {
				return err
			}
			if n := q.Duplicates(jobs); n > 0 && !f.again {
				// the same file twice is paid for twice: ask first
				fmt.Fprintf(a.errOut, "abtop: %d of the %d job(s) in %s were already submitted (same model and input, in %s); nothing was sent\n", n, len(jobs), name, journal.Path())
				fmt.Fprintf(a.errOut, "  to send them again (and pay again): abtop submit --again %s\n", name)
				return exitError{code: 2}
			}
			for _, j := range jobs {
				inputBytes += int64(len(j.Input))
			}
			a.limitMemory(queued+len(jobs), inputBytes)
			keys, at, err := q.Add(jobs...) // keys, not a copy of every job
			if err != nil {
				return err
			}
			enqueued = at
			for _, k := range keys {
				batch[k] = true
			}
			if !f.json {
				fmt.Fprintf(a.errOut, "abtop: queued %d job(s) from %s (journal %s)\n", len(keys), name, journal.Path())
			}
		}
	} else if len(batch) == 0 {
		// Every job is final in the journal, yet a batch ends with its
		// files: a run killed after its last tracking read left them (and
		// the manifest's last rewrite) undone. The latest batch is followed
		// again, so its outcome, not an empty one, decides the exit status.
		if keys, at := lastBatch(jobs); len(keys) > 0 {
			batch, enqueued = keys, at
			what := "its outcome"
			if f.follow.out != "" {
				what = "its outcome and files in " + f.follow.out
			}
			fmt.Fprintf(a.errOut, "abtop: the %d job(s) of the latest batch in %s are final; checking %s\n", len(keys), journal.Path(), what)
		} else {
			fmt.Fprintf(a.errOut, "abtop: nothing to resume for %s in %s\n", describeOwner(mine), journal.Path())
			if len(held) > 0 {
				// --resume was asked for, and the jobs that wait are another
				// endpoint's: that is not a success
				return exitError{code: 1}
			}
		}
	}

	// Other abtop processes (the dashboard, status) see the batch through
	// what it publishes and steer it through its owner, this process.
	owner, perr := a.publishBatch(cfg, sess, name, batch)
	if perr != nil {
		fmt.Fprintf(a.errOut, "abtop: the batch is not visible to other abtop processes: %v\n", perr)
	}
	defer owner.Close()

	if enqueued.IsZero() {
		var n int
		if enqueued, n = latestBatch(jobs, batch); n > 1 && f.follow.out != "" {
			fmt.Fprintf(a.errOut, "abtop: %d earlier batches are unfinished; --out follows the latest (\"abtop results\" fetches the others)\n", n)
		}
	}
	out, err := a.openOut(ctx, q, f.follow.out, f.follow.name, f.follow.downloads, batchAt(enqueued))
	if err != nil {
		return fmt.Errorf("submit: %w", err)
	}
	if f.follow.webhookURL != "" && !f.follow.noWait {
		stop, err := a.serveWebhooks(ctx, sess, f.follow.webhookListen)
		if err != nil {
			return fmt.Errorf("submit: %w", err)
		}
		defer stop()
	}

	start := time.Now()
	prog := newProgress(a.errOut, isTerminal(a.errOut), q, sched, batch)
	prog.sharing = sess.Sharing
	events, unsub := q.Subscribe(1024)
	progDone := make(chan struct{})
	go func() { defer close(progDone); prog.run(ctx, events) }()
	followDone := make(chan struct{})
	unfollow := func() {}
	if out != nil {
		var fev <-chan queue.Event
		fev, unfollow = q.Subscribe(4096)
		go func() { defer close(followDone); results.Follow(fev, out, batchAt(enqueued)) }()
	} else {
		close(followDone)
	}
	stopAlerts, alertsDone := pa.follow(ctx, q)
	defer func() { stopAlerts(); <-alertsDone }() // the batch's end is fired before the wait above
	var runErr error
	if f.follow.noWait {
		runErr = q.Run(ctx, true)
	} else {
		runErr = q.Finish(ctx)
	}
	unsub()
	unfollow()
	<-progDone
	<-followDone
	_ = owner.Close() // the summary is final; watchers read the journal from now on

	sum := a.summarize(q, sched, sess.Store, batch, start, runErr)
	if out != nil {
		results.Reconcile(q.List(), out, batchAt(enqueued)) // events a slow reader lost
		rs, err := out.Close(ctx)
		if err != nil {
			fmt.Fprintf(a.errOut, "abtop: %v\n", err)
		}
		rs.Interrupted = rs.Interrupted || ctx.Err() != nil
		sum.Results = &rs
	}
	sum.Sharing = sess.Sharing()
	sum.Limiter = sum.Sharing.Detail
	if f.json {
		enc := json.NewEncoder(a.out)
		if err := enc.Encode(sum); err != nil {
			return err
		}
	} else {
		a.printSummary(sum)
	}
	var be *queue.BlockedError
	switch {
	case errors.As(runErr, &be) && be.Reached != nil:
		fmt.Fprintf(a.errOut, "abtop: %s; %d job(s) left: \"abtop submit --resume\" continues\n", sum.Paused, sum.Pending)
		return exitError{code: exitCap}
	case ctx.Err() != nil:
		fmt.Fprintf(a.errOut, "abtop: interrupted with %d job(s) left; run \"abtop submit --resume\" to continue\n", sum.Pending)
		return exitError{code: results.ExitIncomplete}
	case runErr != nil && sum.Paused == "":
		return runErr
	}
	o := results.Outcome{JobsFailed: sum.Failed + sum.Canceled, NotFinal: sum.Pending}
	if sum.Results != nil {
		ro := sum.Results.Outcome()
		o.FilesFailed, o.FilesMissing, o.Interrupted = ro.FilesFailed, ro.FilesMissing, ro.Interrupted
		o.NotFinal = max(o.NotFinal, ro.NotFinal)
	}
	if code := results.ExitCode(o); code != 0 {
		return exitError{code: code}
	}
	return nil
}

// exitCap is submit's exit status when a spending cap stopped the batch.
const exitCap = 6

// readJobs fetches the model list (through the budget) and validates the
// whole input before anything is queued.
func (a *app) readJobs(ctx context.Context, sess *session.Session, in io.Reader, name string, skipInvalid bool) ([]queue.NewJob, error) {
	parsed, _, err := a.parseJobs(ctx, sess, in, name, skipInvalid)
	if err != nil {
		return nil, err
	}
	return session.Jobs(parsed), nil
}

// parseJobs reads the models (one read) and checks every line against
// them, reporting each bad one.
func (a *app) parseJobs(ctx context.Context, sess *session.Session, in io.Reader, name string, skipInvalid bool) ([]jobfile.Job, []apiclient.Model, error) {
	models, err := sess.ModelsWaiting(ctx, func(w queue.Wait) {
		if sayWait(w) {
			fmt.Fprintf(a.errOut, "abtop: listing models: %s\n", w.Text)
		}
	})
	if err != nil {
		return nil, nil, fmt.Errorf("submit: listing models to check the jobs: %w", err)
	}
	parsed, probs, err := jobfile.Parse(in, models)
	if err != nil {
		return nil, nil, fmt.Errorf("submit: %s: %w", name, err)
	}
	for _, p := range probs {
		fmt.Fprintf(a.errOut, "%s: %s\n", name, p)
	}
	if len(probs) > 0 && !skipInvalid {
		fmt.Fprintf(a.errOut, "abtop: %d bad line(s) in %s; nothing was sent (fix them, or use --skip-invalid)\n", len(probs), name)
		return nil, nil, exitError{code: 2}
	}
	if len(probs) > 0 {
		fmt.Fprintf(a.errOut, "abtop: skipping %d bad line(s)\n", len(probs))
	}
	if len(parsed) == 0 {
		// nothing to queue is a mistake to report, and no reason to send
		// anything else either (leftovers wait for --resume)
		if len(probs) == 0 {
			fmt.Fprintf(a.errOut, "abtop: %s has no jobs; nothing was sent\n", name)
		} else {
			fmt.Fprintf(a.errOut, "abtop: %s has no valid jobs; nothing was sent\n", name)
		}
		return nil, nil, exitError{code: 2}
	}
	return parsed, models, nil
}
