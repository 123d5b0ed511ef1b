package queue

import (
	"context"
	"github.com/abtop-dev/abtop/caps"

	"github.com/abtop-dev/abtop/apiclient"
)

// News is what the server said about created jobs: a list page, a GET, a
// create answer or a webhook delivery. Every path lands in absorb, so each
// transition is journaled once, in one transaction per batch of news, and
// emitted once.

// isNews says whether g tells something the record does not hold yet. A
// list entry at exactly the cursor comes again (updated_since is at or
// after), and a delivery may come twice, late or out of order: an entry no
// newer than what the record holds is not news.
func isNews(cur Job, g apiclient.Job) bool {
	if cur.State.Final() && cur.ServerStatus == cur.State.serverStatus() {
		return false // nothing happens to a job after its end
	}
	if g.UpdatedAt.IsZero() || cur.ServerUpdated.IsZero() {
		return g.Status != cur.ServerStatus
	}
	if g.UpdatedAt.Before(cur.ServerUpdated) {
		return false
	}
	return g.Status != cur.ServerStatus || g.UpdatedAt.After(cur.ServerUpdated)
}

// serverStatus is the API status a final state stands for.
func (s State) serverStatus() string {
	switch s {
	case StateSucceeded:
		return apiclient.StatusSucceeded
	case StateFailed:
		return apiclient.StatusFailed
	case StateCanceled:
		return apiclient.StatusCanceled
	}
	return ""
}

// fromServer copies what the server says of the job into the record and
// returns the output files with their (expiring) links, which the journal
// does not keep.
func fromServer(j *Job, g apiclient.Job) []apiclient.OutputFile {
	j.ServerStatus = g.Status
	j.State = stateOf(g.Status)
	switch {
	case !g.UpdatedAt.IsZero():
		j.ServerUpdated = g.UpdatedAt
	case j.ServerUpdated.IsZero():
		j.ServerUpdated = g.CreatedAt
	}
	if !g.CreatedAt.IsZero() {
		j.Created = g.CreatedAt
	}
	if g.FinishedAt != nil {
		j.Finished = *g.FinishedAt
	}
	j.Charged = g.Credits
	switch g.Status {
	case apiclient.StatusSucceeded:
		files, err := g.OutputFiles()
		if err != nil {
			// The job succeeded but its files cannot be verified: say
			// so on the job rather than pretend it has none.
			j.Problem = &Problem{Code: "bad_output", Detail: err.Error()}
			return nil
		}
		j.Outputs = make([]OutputMeta, 0, len(files))
		for _, f := range files {
			j.Outputs = append(j.Outputs, OutputMeta{Slot: f.Slot, Index: f.Index, ContentType: f.ContentType, SizeBytes: f.SizeBytes, SHA256: f.SHA256})
		}
		return files
	case apiclient.StatusFailed:
		j.Problem = jobProblem(g)
	}
	return nil
}

// jobProblem is a failed job's error as the journal keeps it.
func jobProblem(g apiclient.Job) *Problem {
	p := g.Problem()
	if p == nil {
		return &Problem{Code: "failed", Detail: "the server gives no reason"}
	}
	out := &Problem{Status: p.Status, Code: p.Code, Title: p.Title, Detail: p.Detail}
	if out.Detail == "" {
		out.Detail = p.Message
	}
	for _, f := range p.Fields {
		out.Fields = append(out.Fields, FieldError{Pointer: f.Pointer, Detail: f.Detail})
	}
	return out
}

// absorb applies news about jobs of this queue (others' jobs are ignored)
// in one journal transaction, then emits an event per changed job. A job
// that ended failed by a server fault is rerun here when MaxRetryFailed
// allows, in the same transaction.
func (q *Queue) absorb(ctx context.Context, got []apiclient.Job) error {
	now := q.opts.Now()
	q.mu.Lock()
	var (
		changed []Job
		files   [][]apiclient.OutputFile
		at      = map[string]int{} // key → index in changed (a job twice in one read)
		gives   = map[string]caps.Reservation{}
	)
	for _, g := range got {
		key, ok := q.trk.byID[g.ID]
		if !ok {
			continue
		}
		q.trk.heard[key] = now
		cur := *q.jobs[key]
		i, again := at[key]
		if again {
			cur = changed[i]
		}
		if !isNews(cur, g) {
			continue
		}
		prev := cur
		f := fromServer(&cur, g)
		cur.Updated = now
		if refunded(prev, cur) { // its caps are given back below
			gives[key], cur.Cap = cur.Cap, caps.Reservation{}
		}
		if again {
			changed[i], files[i] = cur, f
			continue
		}
		at[key] = len(changed)
		changed = append(changed, cur)
		files = append(files, f)
	}
	var reruns []Job
	for i := range changed {
		if nj, ok := q.autoRerunLocked(&changed[i]); ok {
			reruns = append(reruns, nj)
		}
	}
	if len(changed) == 0 {
		q.mu.Unlock()
		return nil
	}
	if err := q.opts.Journal.Put(append(append([]Job(nil), changed...), reruns...)...); err != nil {
		q.mu.Unlock()
		return err
	}
	ended := false
	for _, j := range changed {
		*q.jobs[j.Key] = j
		q.trk.index(j)
		ended = ended || j.State.Final()
	}
	q.addLocked(reruns)
	q.signalLocked()
	q.mu.Unlock()
	for key, r := range gives {
		q.refund(key, r)
	}
	for i, j := range changed {
		q.hub.publish(Event{Type: EventJob, Job: j, Files: files[i]})
		if j.State.Final() {
			q.releaseSlot(ctx, j.Key)
		}
	}
	for _, j := range reruns {
		q.hub.publish(Event{Type: EventJob, Job: j})
	}
	if ended {
		q.trk.poke()
	}
	return nil
}

// addLocked puts new records (already journaled) at the end of the queue.
func (q *Queue) addLocked(jobs []Job) {
	for i := range jobs {
		j := jobs[i]
		q.jobs[j.Key] = &j
		q.order = append(q.order, j.Key)
		q.nextSeq = max(q.nextSeq, j.Seq+1)
		q.trk.index(j)
	}
	if len(jobs) > 0 {
		q.scan = 0
	}
}

// Links asks the server for the job's output files with fresh links (one
// GET /v1/jobs/{id} through the budget), records what it says, and
// returns them: for a download after a link expired, or after a resume.
func (q *Queue) Links(ctx context.Context, key string) ([]apiclient.OutputFile, error) {
	j := q.get(key)
	if j.JobID == "" {
		return nil, errNoServerID(key)
	}
	got, err := q.getJob(ctx, j.JobID, Call{Kind: KindRead, Retry: true})
	if err != nil {
		return nil, err
	}
	if err := q.absorb(ctx, []apiclient.Job{got}); err != nil {
		return nil, err
	}
	return got.OutputFiles()
}

// webhookAPI sends the webhook URL with every create.
type webhookAPI struct {
	API
	url string
}

func (w webhookAPI) CreateJob(ctx context.Context, req apiclient.JobRequest, key string) (apiclient.Job, apiclient.Meta, error) {
	req.Webhook = w.url
	return w.API.CreateJob(ctx, req, key)
}

// ListJobsPage passes list reads through to the API when it lists.
func (w webhookAPI) ListJobsPage(ctx context.Context, p apiclient.ListJobsParams) (apiclient.JobPage, apiclient.Meta, error) {
	l, ok := w.API.(PageLister)
	if !ok {
		return apiclient.JobPage{}, apiclient.Meta{}, errNoList
	}
	return l.ListJobsPage(ctx, p)
}
