package queue

import (
	"sort"

	bolt "go.etcd.io/bbolt"
)

// Owner is whom a job was queued for: the API endpoint and the
// organization (a token is scoped to one organization, API.md, so Org is
// a fingerprint of the token, never the token). A queue sends only its
// owner's jobs: leftovers of a sandbox must never be charged to a real
// account, nor one organization's jobs to another's credits.
type Owner struct {
	Endpoint string `json:"endpoint"`        // base URL, normalised
	Org      string `json:"org"`             // e.g. "sha256:1a2b…" of the token
	Token    string `json:"token,omitempty"` // masked (ab_…wxyz), for messages only
}

// Same reports whether two owners are one (Token is display only).
func (o Owner) Same(p Owner) bool { return o.Endpoint == p.Endpoint && o.Org == p.Org }

// Held is what another owner left unfinished in the journal.
type Held struct {
	Owner      Owner
	Unfinished int
}

// Held lists the other owners' unfinished jobs found in the journal when
// the queue opened: never sent by this queue, kept in the journal for
// their owner, or for "abtop jobs discard".
func (q *Queue) Held() []Held {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]Held(nil), q.held...)
}

// heldBy groups foreign unfinished jobs by owner, largest first.
func heldBy(jobs []Job) []Held {
	n := map[Owner]int{}
	for _, j := range jobs {
		if j.State.Unfinished() {
			o := j.Owner
			n[Owner{Endpoint: o.Endpoint, Org: o.Org, Token: o.Token}]++
		}
	}
	out := make([]Held, 0, len(n))
	for o, c := range n {
		out = append(out, Held{Owner: o, Unfinished: c})
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].Unfinished != out[b].Unfinished {
			return out[a].Unfinished > out[b].Unfinished
		}
		return out[a].Owner.Endpoint < out[b].Owner.Endpoint
	})
	return out
}

// DiscardUnfinished deletes the unfinished jobs whose owner matches, in
// one transaction, and returns how many. It is for jobs nobody will send
// ("abtop jobs discard"); the journal must not be open in a running queue.
func (j *Journal) DiscardUnfinished(match func(Owner) bool) (int, error) {
	n := 0
	err := j.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketJobs)
		var drop [][]byte
		if err := b.ForEach(func(k, v []byte) error {
			job, err := decodeRecord(string(k), v, j) // records are stored through the journal's codec
			if err == nil && job.State.Unfinished() && match(job.Owner) {
				drop = append(drop, append([]byte(nil), k...))
			}
			return nil
		}); err != nil {
			return err
		}
		for _, k := range drop {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		n = len(drop)
		return nil
	})
	return n, err
}
