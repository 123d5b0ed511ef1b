package localbudget

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient/budget"
)

// An unreadable state file (damaged, truncated, another format) is logged
// and replaced by a fresh state: the store keeps deciding, never panics.
func TestCorruptFileStartsFresh(t *testing.T) {
	good, err := encodeSlot(envelope{Org: "acme", State: budget.NewState(budget.PlanNamed("pro"))}, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, data, log string
	}{
		{"garbage", "\x00\x01\x02 not json", "no header line"},
		{"truncated", string(good[:len(good)/2]), "bytes"},
		{"zeroes after a crash", strings.Repeat("\x00", 300) + "\n", "header"},
		{"newer format", "abtop-budget 2 1 2 0\n{}", "format 2, this abtop reads format 1"},
		{"bad checksum", "abtop-budget 1 1 2 00000000\n{}", "checksum mismatch"},
		{"wrong JSON", "abtop-budget 1 1 12 8ccc5e43\n{\"state\": 5}", "cannot unmarshal"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			var log logBuffer
			s := open(t, dir, "acme", Options{Plan: budget.PlanNamed("pro"), Logger: log.logger()})
			// Another store mid-window, then the file is damaged.
			s.Reserve(bg, budget.Request{Now: t0, Cost: 1})
			s.Observe(bg, answer(t0, 1, 60, 10, time.Minute))
			if err := os.WriteFile(s.paths.state, []byte(tc.data), 0o600); err != nil {
				t.Fatal(err)
			}
			if st := snapshot(t, s); st.Known || st.Remaining != 60 {
				t.Fatalf("snapshot of a damaged file: %+v, want the plan's fresh state", st)
			}
			g, err := s.Reserve(bg, budget.Request{Now: t0, Cost: 1})
			if err != nil || !g.OK {
				t.Fatalf("Reserve on a damaged file: %+v %v", g, err)
			}
			if !strings.Contains(log.String(), "budget state file unreadable, starting fresh") || !strings.Contains(log.String(), tc.log) {
				t.Fatalf("log %q, want the reason %q", log.String(), tc.log)
			}
			st := snapshot(t, s)
			if st.Known || st.InFlight != 1 {
				t.Fatalf("after starting fresh: %+v, want one request in flight of an unknown window", st)
			}
			if _, _, _, err := readState(s.file, nil); err != nil {
				t.Fatalf("damaged file not replaced: %v", err)
			}
		})
	}
}

// New State fields persist without a change here: the whole State is
// written, every field of it read back.
func TestWholeStateRoundTrips(t *testing.T) {
	st := budget.NewState(budget.PlanNamed("business"))
	st.Known, st.Remaining, st.InFlight, st.Share = true, 7, 3, 0.5
	st.Embargo, st.QuotaReset = t0, t0.Add(time.Hour)
	st.Credits, st.CreditsKnown, st.ConcurrencyLimit = 12.5, true, 4
	st.Slots["job"] = t0.Add(time.Minute)
	data, err := encodeSlot(envelope{Org: "acme", State: st, Procs: map[string]proc{"1-ab": {PID: 1, InFlight: 3}}}, 7)
	if err != nil {
		t.Fatal(err)
	}
	env, seq, err := decodeSlot(data)
	if err != nil || seq != 7 {
		t.Fatalf("seq %d, %v", seq, err)
	}
	got, want := env.State, st
	if !got.Embargo.Equal(want.Embargo) || !got.Slots["job"].Equal(want.Slots["job"]) || got.Remaining != 7 || got.Share != 0.5 || got.Credits != 12.5 || got.ConcurrencyLimit != 4 || env.Procs["1-ab"].InFlight != 3 {
		t.Fatalf("round trip: %+v, want %+v", env, st)
	}
}

func FuzzDecodeSlot(f *testing.F) {
	good, _ := encodeSlot(envelope{Org: "acme", State: budget.NewState(budget.PlanNamed("pro"))}, 3)
	f.Add(good)
	f.Add([]byte("abtop-budget 1 1 2 00000000\n{}"))
	f.Add([]byte("abtop-budget 1 1 -5 0\n"))
	f.Add([]byte("abtop-budget x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		env, seq, err := decodeSlot(data)
		if err != nil {
			return
		}
		if _, err := encodeSlot(env, seq); err != nil {
			t.Fatalf("decoded %q but cannot encode it: %v", data, err)
		}
	})
}

// A write cut short (the writer killed halfway) damages only the slot it
// was writing: readers fall back to the state before it, not to a fresh
// one, and the next write goes to that slot again.
func TestTornWriteKeepsThePreviousState(t *testing.T) {
	var log logBuffer
	s := open(t, t.TempDir(), "acme", Options{Plan: budget.PlanNamed("pro"), Logger: log.logger()})
	s.Reserve(bg, budget.Request{Now: t0, Cost: 1})
	s.Observe(bg, answer(t0, 1, 60, 10, time.Minute))                          // remaining 10
	if _, err := s.Reserve(bg, budget.Request{Now: t0, Cost: 1}); err != nil { // remaining 9
		t.Fatal(err)
	}
	_, seq, _, err := readState(s.file, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Damage the newest slot, as a write of it cut short would.
	data, _ := readSlot(s.file, int(seq%2), nil)
	if len(data) < 10 {
		t.Fatalf("state %d is not in slot %d", seq, seq%2)
	}
	data[len(data)-3] ^= 0x55
	if _, err := s.file.WriteAt(data, int64(seq%2)*slotSize); err != nil {
		t.Fatal(err)
	}
	if st := snapshot(t, s); !st.Known || st.Remaining != 10 {
		t.Fatalf("after a torn write: %+v, want the state before it (remaining 10)", st)
	}
	if g, err := s.Reserve(bg, budget.Request{Now: t0, Cost: 1}); err != nil || !g.OK {
		t.Fatalf("Reserve after a torn write: %+v %v", g, err)
	}
	if st := snapshot(t, s); st.Remaining != 9 {
		t.Fatalf("remaining %d, want 9", st.Remaining)
	}
	if log.String() != "" {
		t.Fatalf("a torn slot with a good one beside it started fresh: %s", log.String())
	}
}
