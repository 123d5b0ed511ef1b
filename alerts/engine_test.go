package alerts

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient/queue"
	"github.com/abtop-dev/abtop/apiclient/usage"
)

// sendAll collects what an engine sends, synchronously.
type sendAll struct{ got []Alert }

func (s *sendAll) send(a Alert) { s.got = append(s.got, a) }
func (s *sendAll) keys() string {
	var ks []string
	for _, a := range s.got {
		ks = append(ks, a.Key)
	}
	return strings.Join(ks, ",")
}

func newEngine(t *testing.T, cfg Config, store string, s *sendAll) *Engine {
	t.Helper()
	e, err := NewEngine(Options{Config: cfg, Store: NewStore(store), Send: s.send})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func f64(f float64) *float64 { return &f }

var t0 = time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)

// Each `abtop watch --once` from cron is a new process: the shared state
// alone must stop the second run from repeating the first run's alert,
// and a top-up must re-arm it.
func TestCreditsLowAcrossProcesses(t *testing.T) {
	store := filepath.Join(t.TempDir(), StateFile)
	cfg := Default()
	cfg.CreditsBelow = 100
	var s sendAll
	run := func(credits float64, at time.Time) {
		newEngine(t, cfg, store, &s).Observe(Reading{Profile: "acme", At: at, Credits: f64(credits)})
	}
	run(150, t0)
	run(90, t0.Add(time.Hour))
	run(80, t0.Add(2*time.Hour))
	run(101, t0.Add(3*time.Hour)) // back, but inside the 2 % margin
	run(95, t0.Add(4*time.Hour))
	if s.keys() != "credits_low" {
		t.Fatalf("before the top-up: fired %q, want one credits_low", s.keys())
	}
	run(500, t0.Add(5*time.Hour))
	run(90, t0.Add(6*time.Hour))
	if s.keys() != "credits_low,credits_low" {
		t.Fatalf("after the top-up: fired %q, want credits_low twice", s.keys())
	}
	if fi, err := os.Stat(store); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("state file: %v %v", fi, err)
	}
}

// A state file that is not JSON (a crash of an older version, a hand
// edit) costs at most a repeated alert, never an error or a lost one.
func TestCorruptStateStartsAfresh(t *testing.T) {
	store := filepath.Join(t.TempDir(), StateFile)
	if err := os.WriteFile(store, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	var s sendAll
	newEngine(t, Default(), store, &s).Observe(Reading{Profile: "p", At: t0, QuotaLimit: i64(100), QuotaRemaining: i64(4)})
	if s.keys() != "quota_used_80,quota_used_95" {
		t.Fatalf("fired %q", s.keys())
	}
}

func TestCreditsDaysAtCurrentPace(t *testing.T) {
	var s sendAll
	e := newEngine(t, Default(), "", &s)
	// 100 credits a day from 1000: 3 days (300 credits) left after 7 days.
	for m := 0; m <= 11000; m += 5 {
		at := t0.Add(time.Duration(m) * time.Minute)
		e.Observe(Reading{Profile: "p", At: at, Credits: f64(1000 - 100*float64(m)/1440)})
	}
	if len(s.got) != 1 || s.got[0].Rule != RuleCreditsDays {
		t.Fatalf("fired %+v, want one credits_days", s.got)
	}
	a := s.got[0]
	if a.Value >= 3 || a.Value < 2.9 || !strings.Contains(a.Text, "100 a day") {
		t.Fatalf("alert %+v: want just under 3 days at 100 a day", a)
	}
}

func TestEventsOncePerWindow(t *testing.T) {
	var s sendAll
	e := newEngine(t, Default(), "", &s)
	for i := range 5 { // five 429s in one hour, one in the next
		e.Observe(Reading{Profile: "p", At: t0.Add(time.Duration(i) * 10 * time.Minute), Status: 429})
	}
	e.Observe(Reading{Profile: "p", At: t0.Add(61 * time.Minute), Status: 429})
	e.Observe(Reading{Profile: "p", At: t0.Add(62 * time.Minute), Status: 200})
	e.BatchFinished("p", "b1", 9, 1, 0, t0)
	e.BatchFinished("p", "b1", 9, 1, 0, t0.Add(time.Minute))
	e.BatchFinished("p", "b2", 10, 0, 0, t0)
	failed := queue.Event{Type: queue.EventJob, Job: queue.Job{Model: "flux\x1b[2J", State: queue.StateFailed, Updated: t0,
		Problem: &queue.Problem{Code: "invalid_input", Title: "prompt too long"}}}
	e.QueueEvent("p", failed)
	e.QueueEvent("p", failed)
	e.QueueEvent("p", queue.Event{Type: queue.EventJob, Job: queue.Job{State: queue.StateSucceeded}})
	e.CapReached("p", "daily_credits", "2026-11-29", 500, 500, t0)
	e.CapReached("p", "daily_credits", "2026-11-29", 510, 500, t0)
	want := "rate_limited,rate_limited,batch_finished,batch_finished,job_failed,cap_reached_daily_credits"
	if s.keys() != want {
		t.Fatalf("fired %q, want %q", s.keys(), want)
	}
	if txt := s.got[4].Text; strings.ContainsRune(txt, 0x1b) || !strings.Contains(txt, "invalid_input: prompt too long") {
		t.Fatalf("job_failed text %q", txt)
	}
	if s.got[2].Severity != SeverityWarning || s.got[3].Severity != SeverityInfo {
		t.Fatalf("batch severities %q %q", s.got[2].Severity, s.got[3].Severity)
	}
}

func TestEventsCanBeTurnedOff(t *testing.T) {
	cfg := Default()
	cfg.Events = []string{RuleBatchFinished}
	var s sendAll
	e := newEngine(t, cfg, "", &s)
	e.Observe(Reading{Profile: "p", At: t0, Status: 429})
	e.JobFailed("p", "m", "", t0)
	e.BatchFinished("p", "b", 1, 0, 0, t0)
	if s.keys() != "batch_finished" {
		t.Fatalf("fired %q", s.keys())
	}
}

// The window comes from the server's clock, so responses a second apart
// name the same quota window.
func TestReadingOfSnapshot(t *testing.T) {
	reset := 48 * time.Hour
	s := usage.Snapshot{Received: t0.Add(300 * time.Millisecond), ServerDate: t0,
		Quota: &usage.Quota{Limit: i64(10), Remaining: i64(1), ResetAfter: &reset}, Credits: f64(3)}
	r := ReadingOf("p", 429, s)
	if !r.QuotaReset.Equal(t0.Add(reset)) || *r.Credits != 3 || r.Status != 429 || *r.QuotaRemaining != 1 || !r.At.Equal(s.Received) {
		t.Fatalf("%+v", r)
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"default", func(*Config) {}, ""},
		{"percent over 100", func(c *Config) { c.QuotaUsedPercent = []float64{80, 101} }, "quota_used_percent"},
		{"negative credits", func(c *Config) { c.CreditsBelow = -1 }, "credits_below"},
		{"hysteresis", func(c *Config) { c.HysteresisPercent = 60 }, "hysteresis"},
		{"unknown event", func(c *Config) { c.Events = []string{"job_faild"} }, "job_faild"},
		{"webhook http", func(c *Config) { c.Webhook = "http://hooks.example.com/x" }, "in clear"},
		{"webhook scheme", func(c *Config) { c.Webhook = "ftp://x/y" }, "https"},
		{"webhook loopback http", func(c *Config) { c.Webhook = "http://127.0.0.1:9/x" }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			tc.edit(&c)
			err := c.Validate()
			if (err == nil) != (tc.want == "") || err != nil && !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate() = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestActive(t *testing.T) {
	var s sendAll
	e := newEngine(t, Default(), "", &s)
	e.Observe(Reading{Profile: "a", At: t0, QuotaLimit: i64(100), QuotaRemaining: i64(4)})
	e.Observe(Reading{Profile: "b", At: t0, QuotaLimit: i64(100), QuotaRemaining: i64(15)})
	e.Observe(Reading{Profile: "a", At: t0, Status: 429})
	if got := e.Active("a"); len(got) != 2 || got[0].Key != "quota_used_80" || got[1].Key != "quota_used_95" {
		t.Fatalf("active a: %+v", got)
	}
	e.Observe(Reading{Profile: "a", At: t0.Add(time.Hour), QuotaLimit: i64(100), QuotaRemaining: i64(10)}) // 90 %: 95 re-armed
	if got := e.Active("a"); len(got) != 1 || got[0].Key != "quota_used_80" {
		t.Fatalf("active a after easing: %+v", got)
	}
	if got := e.Active("b"); len(got) != 1 {
		t.Fatalf("active b: %+v", got)
	}
}

// An event without a time (a job record that never got one) still fires,
// once per hour of the engine's clock.
func TestUndatedEventsUseTheClock(t *testing.T) {
	var s sendAll
	now := t0
	e, err := NewEngine(Options{Config: Default(), Send: s.send, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	e.JobFailed("p", "m", "", time.Time{})
	e.JobFailed("p", "m", "", time.Time{})
	now = now.Add(2 * time.Hour)
	e.JobFailed("p", "m", "", time.Time{})
	if s.keys() != "job_failed,job_failed" || !s.got[1].At.Equal(now) {
		t.Fatalf("fired %q %+v", s.keys(), s.got)
	}
}
