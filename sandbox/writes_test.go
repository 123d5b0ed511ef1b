package sandbox_test

import (
	"bytes"
	"encoding/json"
	"strconv"
	"testing"
	"testing/synctest"
	"time"

	"github.com/abtop-dev/abtop/sandbox"
)

// API.md Idempotency and seed 000: a replay returns the cached response
// (same status, same job) without a new job or charge; another body is
// 422 idempotency_mismatch; keys expire after 24 h of sandbox time.
func TestIdempotency(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, sandbox.Options{}, sandbox.OrgOptions{Credits: 10})
		key := hdr{"Idempotency-Key": "7b0a3c52-5f39-4c1e-9d0e-2f6a1c9b8e41"}
		first := e.do("POST", "/v1/jobs", fluxBody, key)
		if first.status != 201 {
			t.Fatalf("first: %d", first.status)
		}
		wantHeader(t, first.header, "X-Credits-Remaining", "9")
		time.Sleep(5 * time.Second) // the job has finished meanwhile
		// Same body, other whitespace and member order: a replay.
		replay := e.do("POST", "/v1/jobs", `{ "input": {"prompt": "a red fox in snow"}, "model": "flux-schnell" }`, key)
		if replay.status != 201 || !bytes.Equal(replay.body, first.body) {
			t.Errorf("replay: %d %s, want 201 and the first body %s", replay.status, replay.body, first.body)
		}
		wantHeader(t, replay.header, "Idempotency-Replayed", "true")
		wantHeader(t, replay.header, "X-Credits-Remaining", "9")
		wantHeader(t, replay.header, "X-Quota-Remaining", "24999")
		mismatch := e.do("POST", "/v1/jobs", `{"model":"flux-schnell","input":{"prompt":"a blue fox"}}`, key)
		if mismatch.status != 422 || mismatch.code(t) != "idempotency_mismatch" {
			t.Errorf("other body: %d %s, want 422 idempotency_mismatch", mismatch.status, mismatch.body)
		}
		// The same key on another endpoint is another request too.
		if r := e.do("POST", "/v1/jobs/job_x/cancel", "", key); r.status != 422 {
			t.Errorf("same key on cancel: %d, want 422", r.status)
		}
		s := e.sb.Stats()
		if s.JobsCreated != 1 || s.IdempotentReplays != 1 || s.IdempotencyMismatches != 2 || s.CreditsCharged != 1 {
			t.Errorf("stats %+v: want 1 job, 1 replay, 2 mismatches, 1 credit", s)
		}
		time.Sleep(24 * time.Hour)
		again := e.do("POST", "/v1/jobs", fluxBody, key)
		if again.status != 201 || bytes.Equal(again.body, first.body) {
			t.Errorf("after 24 h the key is new: %d %s", again.status, again.body)
		}
		if got := e.sb.Stats().JobsCreated; got != 2 {
			t.Errorf("jobs created = %d, want 2", got)
		}
	})
}

// A rejected write is not cached: after a top-up the same key succeeds.
func TestIdempotencyDoesNotCacheRejections(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, sandbox.Options{}, sandbox.OrgOptions{Credits: 0})
		key := hdr{"Idempotency-Key": "k"}
		if r := e.do("POST", "/v1/jobs", fluxBody, key); r.status != 402 || r.code(t) != "insufficient_credits" {
			t.Fatalf("%d %s, want 402 insufficient_credits", r.status, r.body)
		}
		_ = e.sb.SetCredits(e.org, 3)
		r := e.do("POST", "/v1/jobs", fluxBody, key)
		if r.status != 201 {
			t.Fatalf("after top-up: %d %s", r.status, r.body)
		}
		wantHeader(t, r.header, "X-Credits-Remaining", "2")
	})
}

// Issue 3 item 6: duplicate_jobs counts a job whose input.ref was already
// used by another job (another key, or none).
func TestDuplicateJobs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, sandbox.Options{}, sandbox.OrgOptions{Credits: 10})
		body := `{"model":"flux-schnell","input":{"prompt":"x","ref":"row-17"}}`
		e.createJob(body, hdr{"Idempotency-Key": "a"})
		e.createJob(body, hdr{"Idempotency-Key": "a"}) // replay: not a duplicate
		e.createJob(body, hdr{"Idempotency-Key": "b"}) // duplicate
		e.createJob(`{"model":"flux-schnell","input":{"prompt":"x","ref":"row-18"}}`, nil)
		if got := e.sb.Stats().DuplicateJobs; got != 1 {
			t.Errorf("duplicate_jobs = %d, want 1", got)
		}
	})
}

// API.md jobs: queued → running → succeeded with a realistic output;
// cancel is 409 unless queued; a canceled job is refunded.
func TestJobLifecycleAndCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, sandbox.Options{}, sandbox.OrgOptions{Credits: 10})
		a := e.createJob(fluxBody, nil)
		b := e.createJob(fluxBody, nil)
		if got := e.jobStatus(a); got != "queued" {
			t.Fatalf("new job is %s, want queued", got)
		}
		r := e.do("POST", "/v1/jobs/"+b+"/cancel", "", nil)
		if r.status != 200 || r.json(t)["status"] != "canceled" || r.json(t)["finished_at"] == nil {
			t.Fatalf("cancel queued: %d %s", r.status, r.body)
		}
		wantHeader(t, r.header, "X-Credits-Remaining", "9")
		time.Sleep(time.Second)
		if got := e.jobStatus(a); got != "running" {
			t.Fatalf("after 1 s job is %s, want running", got)
		}
		if r := e.do("POST", "/v1/jobs/"+a+"/cancel", "", nil); r.status != 409 || r.code(t) != "conflict" {
			t.Errorf("cancel running: %d %s, want 409 conflict", r.status, r.body)
		}
		time.Sleep(5 * time.Second)
		j := e.do("GET", "/v1/jobs/"+a, "", nil).json(t)
		if j["status"] != "succeeded" || j["finished_at"] == nil || j["error"] != nil {
			t.Fatalf("after 6 s: %v", j)
		}
		out, _ := json.Marshal(j["output"])
		var o struct {
			Images []struct {
				URL           string
				Width, Height int
			}
		}
		if json.Unmarshal(out, &o) != nil || len(o.Images) != 1 || o.Images[0].Width != 64 || o.Images[0].URL == "" {
			t.Errorf("output %s: want one 64×64 image (a 1024×1024 request's thumbnail) with a URL", out)
		}
		if r := e.do("POST", "/v1/jobs/"+a+"/cancel", "", nil); r.status != 409 {
			t.Errorf("cancel finished: %d, want 409", r.status)
		}
		list := e.do("GET", "/v1/jobs", "", nil).json(t)["data"].([]any)
		if len(list) != 2 || list[0].(map[string]any)["id"] != b {
			t.Errorf("list is not newest first: %v", list)
		}
		if r := e.do("GET", "/v1/jobs?status=done", "", nil); r.status != 400 || r.code(t) != "invalid_request" {
			t.Errorf("bad status filter: %d %s", r.status, r.body)
		}
	})
}

// Failed jobs carry a problem and are refunded.
func TestFailedJobsRefund(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, sandbox.Options{FailureRate: 1}, sandbox.OrgOptions{Credits: 10})
		id := e.createJob(`{"model":"flux-dev","input":{"prompt":"x"}}`, nil)
		time.Sleep(time.Minute)
		r := e.do("GET", "/v1/jobs/"+id, "", nil)
		j := r.json(t)
		if j["status"] != "failed" || j["output"] != nil {
			t.Fatalf("job %v: want failed with no output", j)
		}
		if p, _ := j["error"].(map[string]any); p["code"] != "internal_error" {
			t.Errorf("error %v: want a problem with a code", j["error"])
		}
		wantHeader(t, r.header, "X-Credits-Remaining", "10")
		if s := e.sb.Stats(); s.CreditsCharged != 3 || s.CreditsRefunded != 3 {
			t.Errorf("charged %v refunded %v, want 3 and 3", s.CreditsCharged, s.CreditsRefunded)
		}
	})
}

// Issue 3 item 2: beyond the concurrency limit jobs wait as queued and
// start when a slot frees.
func TestConcurrencyQueueing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, sandbox.Options{StartDelay: -1}, sandbox.OrgOptions{Plan: sandbox.PlanFree, Credits: 10})
		ids := []string{e.createJob(fluxBody, nil), e.createJob(fluxBody, nil), e.createJob(fluxBody, nil)}
		want := []string{"running", "running", "queued"}
		for i, id := range ids {
			if got := e.jobStatus(id); got != want[i] {
				t.Errorf("job %d: %s, want %s", i, got, want[i])
			}
		}
		time.Sleep(3 * time.Second) // flux-schnell runs 1.6–2.4 s
		for i, id := range ids {
			if got := e.jobStatus(id); got == "queued" {
				t.Errorf("job %d still queued after a slot freed", i)
			}
		}
		time.Sleep(5 * time.Second)
		j := e.do("GET", "/v1/jobs/"+ids[2], "", nil).json(t)
		started, _ := time.Parse(time.RFC3339Nano, j["started_at"].(string))
		created, _ := time.Parse(time.RFC3339Nano, j["created_at"].(string))
		if j["status"] != "succeeded" || !started.After(created) {
			t.Errorf("third job %v: want succeeded, started after a slot freed", j)
		}
		if got := e.sb.Stats().PeakRunningJobs; got != 2 {
			t.Errorf("peak_running_jobs = %d, want 2 (the Free plan's limit)", got)
		}
	})
}

// Seed 002: the predictions dialect rejects the job over the limit with
// the nested body, word for word, and a Retry-After.
func TestPredictionsConcurrencyRejection(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, sandbox.Options{Dialect: sandbox.DialectPredictions}, sandbox.OrgOptions{Plan: sandbox.PlanTeam, Credits: 100})
		for range 5 {
			e.createJob(fluxBody, nil)
		}
		r := e.do("POST", "/v1/jobs", fluxBody, nil)
		if r.status != 429 {
			t.Fatalf("sixth job: %d, want 429", r.status)
		}
		want := `{"error":{"code":"CONCURRENT_LIMIT_EXCEEDED","details":{"active":5,"limit":5},"message":"Concurrent prediction limit exceeded. 5/5 predictions running.","type":"rate_limit_error"}}`
		if got := string(bytes.TrimSpace(r.body)); got != want {
			t.Errorf("body\n%s\nwant\n%s", got, want)
		}
		wantHeader(t, r.header, "Content-Type", "application/json")
		if secs, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || secs < 1 || secs > 3 {
			t.Errorf("Retry-After %q: want the 1–3 s until a job ends", r.header.Get("Retry-After"))
		}
		if _, err := strconv.ParseInt(r.header.Get("X-RateLimit-Reset"), 10, 64); err != nil {
			t.Errorf("X-RateLimit-Reset %q: want Unix seconds", r.header.Get("X-RateLimit-Reset"))
		}
		time.Sleep(3 * time.Second)
		e.createJob(fluxBody, nil)
	})
}

// Monthly quota (X-Quota-*): exhausted → 429 quota_exceeded with
// Retry-After until the first of next month; back at the reset.
func TestMonthlyQuotaExhaustionAndReset(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, sandbox.Options{}, sandbox.OrgOptions{Plan: sandbox.PlanTeam, Credits: 100,
			Limits: &sandbox.Limits{Requests: 60, Points: 300, MonthlyWrites: 2}})
		time.Sleep(30*24*time.Hour + 23*time.Hour) // 2000-01-31 23:00 UTC
		e.createJob(fluxBody, nil)
		r := e.do("POST", "/v1/jobs", fluxBody, nil)
		wantHeader(t, r.header, "X-Quota-Remaining", "0")
		r = e.do("POST", "/v1/jobs", fluxBody, nil)
		if r.status != 429 || r.code(t) != "quota_exceeded" {
			t.Fatalf("third write: %d %s, want 429 quota_exceeded", r.status, r.body)
		}
		wantHeader(t, r.header, "Retry-After", "3600")
		wantHeader(t, r.header, "X-Quota-Reset", "Tue, 01 Feb 2000 00:00:00 GMT")
		if r := e.do("GET", "/v1/balance", "", nil); r.status != 200 {
			t.Errorf("reads are not writes: %d", r.status)
		}
		time.Sleep(time.Hour)
		r = e.do("POST", "/v1/jobs", fluxBody, nil)
		if r.status != 201 {
			t.Fatalf("after the reset: %d %s", r.status, r.body)
		}
		wantHeader(t, r.header, "X-Quota-Remaining", "1")
		wantHeader(t, r.header, "X-Quota-Reset", "Wed, 01 Mar 2000 00:00:00 GMT")
	})
}

// Credits: charged by model cost, 402 when short, live in X-Credits-Remaining.
func TestCreditExhaustion(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, sandbox.Options{}, sandbox.OrgOptions{Credits: 4})
		r := e.do("POST", "/v1/jobs", `{"model":"flux-dev","input":{"prompt":"x"}}`, nil)
		wantHeader(t, r.header, "X-Credits-Remaining", "1")
		r = e.do("POST", "/v1/jobs", `{"model":"sdxl","input":{"prompt":"x"}}`, nil)
		if r.status != 402 || r.code(t) != "insufficient_credits" {
			t.Fatalf("sdxl with 1 credit: %d %s", r.status, r.body)
		}
		e.createJob(fluxBody, nil)
		b := e.do("GET", "/v1/balance", "", nil)
		wantHeader(t, b.header, "X-Credits-Remaining", "0")
		if got := b.json(t)["credits"]; got != 0.0 {
			t.Errorf("balance credits = %v, want 0", got)
		}
	})
}
