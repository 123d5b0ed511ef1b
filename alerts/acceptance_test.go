package alerts

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// The command hook of these tests is the test binary itself: with
// hookEnv set it appends its stdin to that file and exits.
const hookEnv = "ABTOP_ALERTS_TEST_HOOK_OUT"

func TestMain(m *testing.M) {
	if out := os.Getenv(hookEnv); out != "" {
		data, _ := io.ReadAll(os.Stdin)
		f, err := os.OpenFile(out, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
		if err != nil {
			os.Exit(3)
		}
		_, err = f.Write(data)
		f.Close()
		if err != nil {
			os.Exit(4)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// recorder is a channel that keeps what it got.
type recorder struct {
	mu     sync.Mutex
	alerts []Alert
}

func (r *recorder) Name() string { return "recorder" }
func (r *recorder) Send(_ context.Context, a Alert) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.alerts = append(r.alerts, a)
	return nil
}
func (r *recorder) keys() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var ks []string
	for _, a := range r.alerts {
		ks = append(ks, a.Key)
	}
	return ks
}

type broken struct{}

func (broken) Name() string                      { return "broken" }
func (broken) Send(context.Context, Alert) error { return errors.New("connection refused") }

// hanging never answers until its deadline.
type hanging struct{}

func (hanging) Name() string { return "hanging" }
func (hanging) Send(ctx context.Context, _ Alert) error {
	<-ctx.Done()
	return ctx.Err()
}

// webhookSink is an in-memory HTTP endpoint (no network inside the bubble).
type webhookSink struct {
	mu     sync.Mutex
	bodies [][]byte
}

func (s *webhookSink) RoundTrip(r *http.Request) (*http.Response, error) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.bodies = append(s.bodies, b)
	s.mu.Unlock()
	return &http.Response{StatusCode: 200, Status: "200 OK", Body: io.NopCloser(strings.NewReader("ok")), Header: http.Header{}, Request: r}, nil
}

func i64(n int64) *int64 { return &n }

// TestQuotaDrainAcceptance drains a monthly quota across 80 % and 95 %,
// hovers around 80 %, goes through a reset and drains again, observed by
// two engines sharing one state file (two abtop processes): each alert
// fires exactly once per crossing and again after the reset, on every
// channel, while a broken and a hanging channel fail alongside.
func TestQuotaDrainAcceptance(t *testing.T) {
	dir := t.TempDir()
	hookOut := filepath.Join(dir, "hook.jsonl")
	t.Setenv(hookEnv, hookOut)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}

	synctest.Test(t, func(t *testing.T) {
		var logs bytes.Buffer
		var logMu sync.Mutex
		log := slog.New(slog.NewTextHandler(lockedWriter{&logMu, &logs}, nil))
		rec := &recorder{}
		sink := &webhookSink{}
		hook, err := NewWebhook("https://hooks.example.com/services/T0/B0/SECRET", &http.Client{Transport: sink}, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		banner, bannerCh := NewBanner(16)
		d := NewDispatcher(log, 2*time.Second, broken{}, hanging{}, rec, &Command{Argv: []string{exe}, Timeout: 30 * time.Second}, hook, banner)

		store := filepath.Join(dir, StateFile)
		var engines []*Engine
		for range 2 {
			e, err := NewEngine(Options{Config: Default(), Store: NewStore(store), Send: d.Send, Log: log})
			if err != nil {
				t.Fatal(err)
			}
			engines = append(engines, e)
		}
		observe := func(remaining int64, reset time.Time) {
			for _, e := range engines {
				e.Observe(Reading{Profile: "acme", At: time.Now(), QuotaLimit: i64(1000), QuotaRemaining: i64(remaining), QuotaReset: reset})
			}
			time.Sleep(time.Minute)
		}
		drain := func(reset time.Time) {
			for rem := int64(1000); rem >= 0; rem -= 10 {
				observe(rem, reset)
			}
		}

		reset1 := time.Now().Add(10 * 24 * time.Hour)
		drain(reset1)
		// Back under 80 % by less than the hysteresis margin, and up again.
		for _, rem := range []int64{190, 201, 215, 199, 218, 199} {
			observe(rem, reset1)
		}
		time.Sleep(11 * 24 * time.Hour)
		drain(reset1.Add(30 * 24 * time.Hour))
		d.Wait()
		synctest.Wait()

		want := []string{"quota_used_80", "quota_used_95", "quota_used_80", "quota_used_95"}
		if got := rec.keys(); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("fired %v, want %v", got, want)
		}
		if len(bannerCh) != len(want) {
			t.Errorf("banner got %d alerts, want %d", len(bannerCh), len(want))
		}
		for _, b := range sink.bodies {
			var msg struct {
				Text  string `json:"text"`
				Alert Alert  `json:"alert"`
			}
			if err := json.Unmarshal(b, &msg); err != nil || !strings.Contains(msg.Text, "monthly quota") || msg.Alert.Rule != RuleQuotaUsed {
				t.Errorf("webhook body %s: %v", b, err)
			}
		}
		if len(sink.bodies) != len(want) {
			t.Errorf("webhook got %d bodies, want %d", len(sink.bodies), len(want))
		}
		f, err := os.Open(hookOut)
		if err != nil {
			t.Fatalf("the command hook never ran: %v", err)
		}
		defer f.Close()
		n := 0
		for sc := bufio.NewScanner(f); sc.Scan(); n++ {
			var a Alert
			if err := json.Unmarshal(sc.Bytes(), &a); err != nil || a.Profile != "acme" || a.Text == "" {
				t.Errorf("hook stdin %q: %v", sc.Text(), err)
			}
		}
		if n != len(want) {
			t.Errorf("hook ran %d times, want %d", n, len(want))
		}
		logMu.Lock()
		defer logMu.Unlock()
		for _, name := range []string{"channel=broken", "channel=hanging"} {
			if c := strings.Count(logs.String(), name); c != len(want) {
				t.Errorf("%d failures of %s logged, want %d:\n%s", c, name, len(want), logs.String())
			}
		}
		if strings.Contains(logs.String(), "SECRET") {
			t.Errorf("the webhook secret reached the log:\n%s", logs.String())
		}
	})
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
