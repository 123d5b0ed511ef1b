package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/abtop-dev/abtop/apiclient/queue"
	"github.com/abtop-dev/abtop/results"
	"github.com/abtop-dev/abtop/session"
	"github.com/spf13/cobra"
)

type resultsFlags struct {
	out       string
	name      string
	downloads int
	list      bool
	json      bool
}

func newResultsCmd(a *app) *cobra.Command {
	var f resultsFlags
	cmd := &cobra.Command{
		Use:   "results --out DIR [BATCH]",
		Short: "Finish or re-download an earlier batch from the journal: files and manifest",
		Long: `results follows the jobs of a batch in the journal (BATCH is its number in
"abtop results --list", 1 the latest, the default) to their end and
downloads every output file of every succeeded job into DIR, with
DIR/manifest.jsonl: after "submit --no-wait", after an interruption, on
another day or into another directory. Files already in DIR and verified
are not fetched again; expired links are renewed with one read per job.

Exit status: as "abtop submit": 0 everything succeeded and is on disk; 3
some jobs failed; 4 some files could not be downloaded; 5 incomplete.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			sel := "1"
			if len(args) == 1 {
				sel = args[0]
			}
			return a.runResults(cmd.Context(), sel, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.out, "out", "", "the output directory (required unless --list)")
	fl.StringVar(&f.name, "name", "", `file name template inside --out (default "`+results.DefaultName+`")`)
	fl.IntVar(&f.downloads, "downloads", 4, "files downloaded at once")
	fl.BoolVar(&f.list, "list", false, "list the journal's batches, latest first")
	fl.BoolVar(&f.json, "json", false, "print the summary as one JSON object")
	return cmd
}

// batchInfo is one batch of the journal: the jobs enqueued together.
type batchInfo struct {
	At     time.Time
	Jobs   int
	States map[queue.State]int
}

func batches(jobs []queue.Job) []batchInfo {
	by := map[int64]*batchInfo{}
	for _, j := range jobs {
		k := j.Enqueued.UnixNano()
		b := by[k]
		if b == nil {
			b = &batchInfo{At: j.Enqueued, States: map[queue.State]int{}}
			by[k] = b
		}
		b.Jobs++
		b.States[j.State]++
	}
	out := make([]batchInfo, 0, len(by))
	for _, b := range by {
		out = append(out, *b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].At.After(out[j].At) })
	return out
}

func (a *app) runResults(ctx context.Context, sel string, f resultsFlags) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if !f.list && f.out == "" {
		return errors.New("results: --out DIR is required")
	}
	if f.downloads < 1 {
		return fmt.Errorf("results: --downloads %d must be at least 1", f.downloads)
	}
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	sess, err := session.Open(ctx, session.Options{Config: cfg, Version: version, Log: limiterLog(a.errOut), Queue: session.QueueRequired})
	if err != nil {
		return err
	}
	defer sess.Close()
	q := sess.Queue
	bs := batches(q.List())
	if f.list {
		for i, b := range bs {
			fmt.Fprintf(a.out, "%d\t%s\t%d job(s)\t%v\n", i+1, b.At.Local().Format(time.DateTime), b.Jobs, b.States)
		}
		return nil
	}
	n, err := strconv.Atoi(sel)
	if err != nil || n < 1 || n > len(bs) {
		return fmt.Errorf("results: no batch %q in %s (%d batches; see --list)", sel, sess.Journal.Path(), len(bs))
	}
	inBatch := batchAt(bs[n-1].At)
	out, err := a.openOut(ctx, q, f.out, f.name, f.downloads, inBatch)
	if err != nil {
		return fmt.Errorf("results: %w", err)
	}
	events, unsub := q.Subscribe(4096)
	done := make(chan struct{})
	go func() { defer close(done); results.Follow(events, out, inBatch) }()
	runErr := q.Finish(ctx) // sends what is unsent, follows what runs
	unsub()
	<-done
	results.Reconcile(q.List(), out, inBatch)
	s, err := out.Close(ctx)
	if err != nil {
		fmt.Fprintf(a.errOut, "abtop: %v\n", err)
	}
	s.Interrupted = s.Interrupted || ctx.Err() != nil || (runErr != nil && !errors.Is(runErr, context.Canceled))
	if f.json {
		if err := json.NewEncoder(a.out).Encode(s); err != nil {
			return err
		}
	} else {
		printResults(a, s)
	}
	if code := results.ExitCode(s.Outcome()); code != 0 {
		return exitError{code: code}
	}
	return nil
}

func printResults(a *app, s results.Summary) {
	fmt.Fprintf(a.out, "%d file(s), %.1f MB in %s", s.Files, float64(s.Bytes)/1e6, s.Dir)
	if s.FilesSkipped > 0 {
		fmt.Fprintf(a.out, " (%d already there)", s.FilesSkipped)
	}
	fmt.Fprintln(a.out)
	if s.FilesFailed > 0 || s.FilesMissing > 0 {
		fmt.Fprintf(a.out, "%d file(s) failed, %d not fetched yet: see %s\n", s.FilesFailed, s.FilesMissing, s.Manifest)
	}
	keys := make([]string, 0, len(s.ByStatus))
	for k := range s.ByStatus {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(a.out, "  %s: %d\n", k, s.ByStatus[k])
	}
}
