package history

import (
	"testing"
	"time"
)

func TestBoundsSpanTiersAndTheBuffer(t *testing.T) {
	c := &clock{t: t0}
	s := newStore(t, "", c)
	credits := Series{"default", "org_1", NameCredits}
	if _, _, ok, err := s.Bounds(credits); ok || err != nil {
		t.Fatalf("no file: ok=%v err=%v, want no points and no error", ok, err)
	}
	s.ObserveLimit(credits, 900, 0, time.Time{})
	c.Add(time.Minute)
	s.ObserveLimit(credits, 880, 0, time.Time{})
	s.ObserveLimit(rate, 5, 60, time.Time{}) // another series: not counted
	mustFlush(t, s)
	// Three days on, the first points were folded into a minute tier.
	c.Add(72 * time.Hour)
	s.ObserveLimit(credits, 700, 0, time.Time{})
	mustFlush(t, s)
	c.Add(time.Hour)
	s.ObserveLimit(credits, 650, 0, time.Time{}) // buffered, not flushed

	first, last, ok, err := s.Bounds(credits)
	if err != nil || !ok {
		t.Fatalf("ok=%v err=%v", ok, err)
	}
	if !first.At.Equal(t0) || first.Remaining != 900 {
		t.Errorf("first = %v %v, want %v 900", first.At, first.Remaining, t0)
	}
	if !last.At.Equal(c.Now()) || last.Remaining != 650 {
		t.Errorf("last = %v %v, want %v 650 (the buffered point)", last.At, last.Remaining, c.Now())
	}
}
