package usagestate

import (
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/problem"
)

// What binds is a fact about the usage, decided here (the gauges only
// word it): the soonest to bite wins, and nothing binding is told apart
// from knowing nothing.
func TestBindingPicksTheSoonest(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		observe              func(s *State)
		running, concurrency int
		want                 Bind
		sev                  Severity
	}{
		{"no data", func(*State) {}, 0, 0, BindNoData, SevUnknown},
		{"nothing runs out", func(s *State) { s.Observe(obs(t0, 200, 45, 900, 100), t0) }, 0, 0, BindNothing, SevCalm},
		{"rate window used up", func(s *State) { s.Observe(obs(t0, 200, 0, 900, 100), t0) }, 0, 0, BindRateUsedUp, SevCritical},
		{"quota exhausted beats a full rate window", func(s *State) { s.Observe(obs(t0, 200, 30, 0, 100), t0) }, 0, 0, BindQuotaOut, SevCritical},
		{"credits out after a 402", func(s *State) {
			o := obs(t0, 402, 30, 900, 4)
			o.Err = &apiclient.Error{Status: 402, Code: problem.CodeInsufficientCredits, Kind: problem.KindCredits}
			s.Observe(o, t0)
		}, 0, 0, BindCreditsOut, SevCritical},
		{"every slot taken", func(s *State) { s.Observe(obs(t0, 200, 30, 900, 100), t0) }, 4, 4, BindConcurrency, SevWarning},
		{"a Retry-After embargo beats the rest", func(s *State) {
			o := obs(t0, 429, 0, 0, 100)
			o.Snapshot.RetryAfter = dur(30 * time.Second)
			s.Observe(o, t0)
		}, 4, 4, BindEmbargo, SevCritical},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := New(5*time.Second, 10)
			tc.observe(s)
			b := s.Binding(t0.Add(time.Second), tc.running, tc.concurrency)
			if b.Kind != tc.want || b.Severity != tc.sev {
				t.Fatalf("binding %+v, want kind %d severity %d", b, tc.want, tc.sev)
			}
		})
	}
	s := New(5*time.Second, 10)
	s.Observe(obs(t0, 200, 15, 900, 100), t0) // 45 of 60 used
	if b := s.Binding(t0, 0, 0); b.Kind != BindNothing || b.RateUsed != 0.75 {
		t.Errorf("nothing binding: %+v, want the rate window 0.75 used", b)
	}
}
