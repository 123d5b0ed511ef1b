package sandbox

import (
	"cmp"
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// List paging (API.md "Following jobs to their end"): limit 1..100
// (default 20), an opaque after cursor, and {"data","has_more","next"}.
// Plain lists go newest first; with updated_since, oldest change first, so
// a job that changes between pages moves behind the cursor and shows up
// again on a later page instead of being skipped.

const (
	defaultListLimit = 20
	maxListLimit     = 100
)

type listPage struct {
	Data    []jobJSON `json:"data"`
	HasMore bool      `json:"has_more"`
	Next    *string   `json:"next"`
}

// listCursor is where a page ended: the last job's change time (updated
// listings) and creation sequence.
type listCursor struct {
	updated bool
	at      time.Time
	seq     int
}

func (c listCursor) encode() string {
	raw := "c." + strconv.Itoa(c.seq)
	if c.updated {
		raw = "u." + strconv.FormatInt(c.at.UnixNano(), 10) + "." + strconv.Itoa(c.seq)
	}
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

func decodeCursor(s string) (listCursor, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return listCursor{}, false
	}
	parts := strings.Split(string(b), ".")
	num := func(s string) (int64, bool) {
		n, err := strconv.ParseInt(s, 10, 64)
		return n, err == nil && n >= 0
	}
	switch {
	case len(parts) == 2 && parts[0] == "c":
		seq, ok := num(parts[1])
		return listCursor{seq: int(seq)}, ok
	case len(parts) == 3 && parts[0] == "u":
		at, ok1 := num(parts[1])
		seq, ok2 := num(parts[2])
		return listCursor{updated: true, at: time.Unix(0, at).UTC(), seq: int(seq)}, ok1 && ok2
	}
	return listCursor{}, false
}

// updatedOrder orders jobs the way an updated listing walks them.
func updatedOrder(a, b *job) int { return cmpChange(a.updated(), a.seq, b.updated(), b.seq) }

func cmpChange(at1 time.Time, seq1 int, at2 time.Time, seq2 int) int {
	if c := at1.Compare(at2); c != 0 {
		return c
	}
	return cmp.Compare(seq1, seq2)
}

func (s *Sandbox) listJobs(o *org, req apiRequest, now time.Time) response {
	s.stats.ListReads++
	bad := func(format string, a ...any) response {
		return problemResponse(http.StatusBadRequest, codeInvalidRequest, fmt.Sprintf(format, a...), req.path, nil)
	}
	statuses := []string{statusQueued, statusRunning, statusSucceeded, statusFailed, statusCanceled}
	want := ""
	if v, ok := req.query["status"]; ok {
		want = v[0]
		if !slices.Contains(statuses, want) {
			return bad("query parameter status=%q is not one of %s", want, strings.Join(statuses, ", "))
		}
	}
	limit := defaultListLimit
	if v, ok := req.query["limit"]; ok {
		n, err := strconv.Atoi(v[0])
		if err != nil || n < 1 || n > maxListLimit {
			return bad("query parameter limit=%q must be an integer from 1 to %d", v[0], maxListLimit)
		}
		limit = n
	}
	var since time.Time
	v, updated := req.query["updated_since"]
	if updated {
		t, err := time.Parse(time.RFC3339Nano, v[0])
		if err != nil {
			return bad("query parameter updated_since=%q is not an RFC 3339 time", v[0])
		}
		since = t
	}
	var cur *listCursor
	if v, ok := req.query["after"]; ok {
		c, valid := decodeCursor(v[0])
		if !valid || c.updated != updated {
			return bad("query parameter after=%q is not a cursor of this listing; pass the next value of the previous page with the same filters", v[0])
		}
		cur = &c
	}

	var match []*job
	if updated {
		for _, j := range o.jobs {
			if (want == "" || j.status == want) && !j.updated().Before(since) &&
				(cur == nil || cmpChange(j.updated(), j.seq, cur.at, cur.seq) > 0) {
				match = append(match, j)
			}
		}
		slices.SortFunc(match, updatedOrder)
	} else {
		end := len(o.jobs)
		if cur != nil {
			end = min(cur.seq, end)
		}
		for i := end - 1; i >= 0 && len(match) <= limit; i-- {
			if j := o.jobs[i]; want == "" || j.status == want {
				match = append(match, j)
			}
		}
	}
	page := listPage{Data: []jobJSON{}}
	if len(match) > limit {
		page.HasMore = true
		last := match[limit-1]
		next := listCursor{updated: updated, at: last.updated(), seq: last.seq}.encode()
		page.Next = &next
		match = match[:limit]
	}
	for _, j := range match {
		page.Data = append(page.Data, s.view(j, now))
	}
	return jsonResponse(http.StatusOK, page)
}
