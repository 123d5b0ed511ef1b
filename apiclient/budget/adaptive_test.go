package budget

import (
	"strings"
	"testing"
	"time"
)

var at = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// known is a state that has seen a 20-per-2s window.
func known() State {
	s := NewState(PlanNamed("pro"))
	s.Known, s.Limit, s.Window, s.WindowKnown, s.Remaining = true, 20, 2*time.Second, true, 20
	return s
}

func hintless(sent, recv time.Time) Observation {
	return Observation{Sent: sent, Received: recv, Settle: 1, RateLimited: true, Hintless: true}
}

func TestHintless429CutsFromTheSendRateOnce(t *testing.T) {
	s := known()
	for range 6 {
		if g := s.Reserve(Request{Now: at, Cost: 1}); !g.OK {
			t.Fatalf("burst refused: %+v", g)
		}
	}
	s.Observe(hintless(at, at))
	if s.Learned < 4 || s.Learned > 4.3 { // 0.7 × 6/s
		t.Fatalf("learned %v, want 0.7 × the 6/s burst", s.Learned)
	}
	first := s.Learned
	// Answers to requests sent before the cut say nothing new.
	s.Observe(hintless(at, at.Add(10*time.Millisecond)))
	if s.Learned != first || s.HintlessStreak != 1 {
		t.Fatalf("an in-flight 429 cut again: learned %v streak %d", s.Learned, s.HintlessStreak)
	}
	if !s.Embargo.IsZero() {
		t.Fatalf("a single hint-less 429 embargoed until %v: pacing is enough", s.Embargo)
	}
	// A request sent after the cut and rejected too: cut again, and hold
	// back (two in a row).
	later := at.Add(time.Second)
	s.Observe(hintless(later, later))
	if s.Learned >= first*0.71 || s.HintlessStreak != 2 || !s.Embargo.After(later) {
		t.Fatalf("second cut: learned %v (was %v), streak %d, embargo %v", s.Learned, first, s.HintlessStreak, s.Embargo)
	}
}

func TestLearnedRateSpacesGrantsAndGrowsBack(t *testing.T) {
	s := known()
	s.Learned, s.LearnedCut = 4, at
	if g := s.Reserve(Request{Now: at, Cost: 1}); !g.OK {
		t.Fatalf("first: %+v", g)
	}
	if g := s.Reserve(Request{Now: at.Add(200 * time.Millisecond), Cost: 1}); g.OK || g.Wait != 50*time.Millisecond {
		t.Fatalf("second after 200ms at 4/s: %+v, want a 50ms wait", g)
	}
	for i := 0; s.Learned > 0; i++ {
		if i > 200 {
			t.Fatalf("learned rate never grew back to the advertised 10/s: %v", s.Learned)
		}
		s.Observe(Observation{Received: at, Accepted: true})
	}
	if s.HintlessStreak != 0 {
		t.Fatalf("streak %d after accepted answers", s.HintlessStreak)
	}
}

func TestLearnedRateForgottenAfterIdle(t *testing.T) {
	s := known()
	s.Learned, s.LearnedCut, s.LastGrant = 0.5, at, at
	if g := s.Reserve(Request{Now: at.Add(learnForget + time.Second), Cost: 1}); !g.OK || s.Learned != 0 {
		t.Fatalf("after %v idle: %+v, learned %v", learnForget, g, s.Learned)
	}
}

func TestLearnedText(t *testing.T) {
	s := known()
	if got := s.LearnedText("req"); got != "" {
		t.Fatalf("nothing learned: %q", got)
	}
	s.Learned = 4.96
	if got, want := s.LearnedText("req"), "learned ~5 req/s from 429s without hints; the API advertises 20 per 2s"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	s.Window, s.Limit, s.Learned = time.Minute, 60, 0.25
	if got := s.LearnedText(""); !strings.Contains(got, "~15 req/min") || !strings.HasSuffix(got, "advertises 60/min") {
		t.Errorf("got %q", got)
	}
}

// A concurrency rejection whose body gives no number takes the plan
// table's; one that does keeps the body's.
func TestConcurrencyRejectionFallsBackOnThePlanTable(t *testing.T) {
	s := NewState(PlanNamed("free"))
	s.Observe(Observation{Received: at, ConcurrencyRejected: true})
	if !s.ConcurrencyRejects || s.ConcurrencyLimit != 2 {
		t.Fatalf("rejects %v, limit %d, want free's 2", s.ConcurrencyRejects, s.ConcurrencyLimit)
	}
	s = NewState(PlanNamed("free"))
	s.Observe(Observation{Received: at, ConcurrencyRejected: true, ConcurrencyLimit: 5})
	if s.ConcurrencyLimit != 5 {
		t.Fatalf("limit %d, want the body's 5", s.ConcurrencyLimit)
	}
}

// A hint-less 429 while the API's own window is spent is that window's 429
// with its headers lost (a fault, a stripping proxy): wait for the
// window's end, learn no rate (BenchmarkSubmit under faults drew 19
// Retry-After violations from such a 429 once).
func TestHintless429OnASpentWindowWaitsForItsEnd(t *testing.T) {
	s := known()
	s.Remaining, s.EndHi = 1, at.Add(time.Second)
	s.Observe(hintless(at, at))
	if s.Learned != 0 || s.Remaining > 0 {
		t.Fatalf("learned %v, remaining %d: want the window closed and no rate learned", s.Learned, s.Remaining)
	}
	if g := s.Reserve(Request{Now: at.Add(500 * time.Millisecond), Cost: 1}); g.OK {
		t.Fatalf("granted before the window's end: %+v", g)
	}
}
