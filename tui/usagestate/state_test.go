package usagestate

import (
	"math"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/problem"
	"github.com/abtop-dev/abtop/apiclient/usage"
)

var t0 = time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)

func i64(v int64) *int64                 { return &v }
func dur(d time.Duration) *time.Duration { return &d }
func f64(v float64) *float64             { return &v }

func obs(at time.Time, status int, rem, quota int64, credits float64) apiclient.Observation {
	return apiclient.Observation{Status: status, Snapshot: usage.Snapshot{
		Received: at, Binding: 0,
		Limits:  []usage.Limit{{Unit: "requests", Limit: i64(60), Remaining: i64(rem), ResetAfter: dur(20 * time.Second)}},
		Quota:   &usage.Quota{Limit: i64(1000), Remaining: i64(quota), ResetAfter: dur(48 * time.Hour)},
		Credits: f64(credits),
	}}
}

func TestObserveKeepsLatestOfEachDimension(t *testing.T) {
	s := New(5*time.Second, 10)
	s.Observe(obs(t0, 200, 50, 900, 100), t0)
	o := apiclient.Observation{Status: 200, Snapshot: usage.Snapshot{Received: t0.Add(time.Second), Binding: -1}}
	s.Observe(o, t0.Add(time.Second)) // a response without headers forgets nothing
	if s.Rate == nil || *s.Rate.Limits[0].Remaining != 50 || s.Quota == nil || s.Credits == nil || s.Credits.Value != 100 {
		t.Fatalf("state lost data: %+v", s)
	}
	if d, _ := ResetIn(s.Rate.Limits[0].ResetAfter, s.Rate.At, t0.Add(25*time.Second)); d != 0 {
		t.Errorf("reset countdown went negative: %v", d)
	}
}

func TestRetryAfterStartsAnEmbargoAndMarks429(t *testing.T) {
	s := New(5*time.Second, 10)
	o := obs(t0, 429, 0, 900, 100)
	o.Snapshot.RetryAfter = dur(12 * time.Second)
	s.Observe(o, t0)
	if !s.Embargoed(t0.Add(11*time.Second)) || s.Embargoed(t0.Add(12*time.Second)) {
		t.Error("embargo does not last exactly the Retry-After")
	}
	_, _, thr := s.Hist.Series(t0, 3)
	if !thr[2] {
		t.Error("429 not marked in history")
	}
}

func TestHistorySeriesHasGapsWhereNoDataCame(t *testing.T) {
	s := New(5*time.Second, 100)
	s.Observe(obs(t0, 200, 50, 900, 100), t0)
	s.Observe(obs(t0.Add(20*time.Second), 200, 40, 900, 100), t0.Add(20*time.Second))
	rem, perMin, _ := s.Hist.Series(t0.Add(20*time.Second), 5)
	if rem[0] != 50 || rem[4] != 40 {
		t.Errorf("rem = %v", rem)
	}
	for i := 1; i < 4; i++ {
		if !math.IsNaN(rem[i]) || !math.IsNaN(perMin[i]) {
			t.Errorf("slot %d should be a gap: %v %v", i, rem[i], perMin[i])
		}
	}
	if perMin[4] != 12 { // one response in a 5 s slot = 12/min
		t.Errorf("perMin = %v", perMin[4])
	}
}

func TestForecastNeedsAMinuteAndProjectsLinearly(t *testing.T) {
	s := New(5*time.Second, 100)
	s.Observe(obs(t0, 200, 50, 900, 100), t0)
	s.Observe(obs(t0.Add(30*time.Second), 200, 50, 890, 90), t0.Add(30*time.Second))
	if f := s.QuotaForecast(); f.OK {
		t.Errorf("forecast after 30 s of history: %+v", f)
	}
	s.Observe(obs(t0.Add(6*time.Minute), 200, 50, 880, 80), t0.Add(6*time.Minute))
	f := s.QuotaForecast()
	if !f.Consuming || math.Abs(f.PerHour-200) > 0.01 {
		t.Fatalf("forecast = %+v, want 200/h", f)
	}
	if want := 4*time.Hour + 24*time.Minute; f.EmptyIn.Round(time.Second) != want {
		t.Errorf("EmptyIn = %v, want %v", f.EmptyIn, want)
	}
}

func TestOwnRequestsPerMinute(t *testing.T) {
	s := New(5*time.Second, 10)
	s.OwnRequests(t0, 2)
	s.OwnRequests(t0.Add(30*time.Second), 1)
	if n := s.OwnPerMinute(t0.Add(59 * time.Second)); n != 3 {
		t.Errorf("got %d", n)
	}
	if n := s.OwnPerMinute(t0.Add(61 * time.Second)); n != 1 {
		t.Errorf("got %d", n)
	}
}

// Issue 11 item 4: a 402 plan_required belongs to its job: it says nothing
// about the balance, so it must not mark the credits as exhausted; a 402
// insufficient_credits does.
func TestOnlyACredits402MarksTheCredits(t *testing.T) {
	s := New(5*time.Second, 10)
	o := obs(t0, 402, 50, 900, 4659)
	o.Err = &apiclient.Error{Status: 402, Code: problem.CodePlanRequired, Kind: problem.KindPlan}
	s.Observe(o, t0)
	if !s.Last402.IsZero() {
		t.Fatal("a plan_required 402 marked the credits exhausted")
	}
	o.Err = &apiclient.Error{Status: 402, Code: problem.CodeInsufficientCredits, Kind: problem.KindCredits}
	s.Observe(o, t0.Add(time.Second))
	if s.Last402.IsZero() {
		t.Fatal("an insufficient_credits 402 did not mark the credits")
	}
}
