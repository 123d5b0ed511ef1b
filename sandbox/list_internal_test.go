package sandbox

import (
	"testing"
	"time"
)

func TestLinkExpiry(t *testing.T) {
	fin := time.Date(2026, 1, 1, 10, 0, 0, 500e6, time.UTC)
	cases := []struct {
		after time.Duration
		want  time.Duration // after fin, before truncation to the second
	}{
		{0, time.Hour},
		{54 * time.Minute, time.Hour},
		{55*time.Minute + time.Second, 2 * time.Hour}, // less than 5 minutes left: the next hour
		{time.Hour, 2 * time.Hour},
		{30 * time.Hour, 31 * time.Hour},
	}
	for _, c := range cases {
		if got := linkExpiry(fin, fin.Add(c.after)); !got.Equal(fin.Add(c.want).Truncate(time.Second)) {
			t.Errorf("issued %v after finishing: expires %v, want %v", c.after, got, fin.Add(c.want))
		}
	}
}

// Cursors come back from clients: anything decodes or is refused, and a
// cursor that decodes encodes to itself.
func FuzzDecodeCursor(f *testing.F) {
	f.Add(listCursor{seq: 7}.encode())
	f.Add(listCursor{updated: true, at: time.Unix(1e9, 5), seq: 3}.encode())
	f.Add("dS4tMS4x")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		c, ok := decodeCursor(s)
		if !ok {
			return
		}
		again, ok := decodeCursor(c.encode())
		if !ok || again.updated != c.updated || again.seq != c.seq || !again.at.Equal(c.at) || c.seq < 0 {
			t.Fatalf("%q → %+v → %+v", s, c, again)
		}
	})
}
