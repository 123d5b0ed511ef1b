package alerts

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

var anAlert = Alert{Rule: RuleQuotaUsed, Key: "quota_used_95", Profile: "acme", Severity: SeverityCritical,
	Text: "acme: monthly quota 95% used (950 of 1000 writes)", Value: 95, Threshold: 95, At: t0}

func TestWebhookPostsTextAndFields(t *testing.T) {
	var got map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s %s", r.Method, r.Header.Get("Content-Type"))
		}
		if err := json.NewDecoder(r.Body).Decode(&got); err != nil {
			t.Error(err)
		}
	}))
	defer srv.Close()
	w, err := NewWebhook(srv.URL+"/services/T0/B0/SECRET", nil, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Send(context.Background(), anAlert); err != nil {
		t.Fatal(err)
	}
	alert, _ := got["alert"].(map[string]any)
	if got["text"] != anAlert.Text || alert["rule"] != RuleQuotaUsed || alert["profile"] != "acme" {
		t.Fatalf("body %v", got)
	}
	if strings.Contains(w.Name(), "SECRET") || !strings.HasSuffix(w.Name(), "/…") {
		t.Fatalf("Name() = %q", w.Name())
	}
}

// Neither a refusal, a redirect nor a dead endpoint may print the URL's secret.
func TestWebhookErrorsHideTheSecret(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/redirect/SECRET":
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		default:
			http.Error(w, "no_service for "+r.URL.Path, http.StatusNotFound)
		}
	}))
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	defer srv.Close()
	for _, u := range []string{srv.URL + "/missing/SECRET", srv.URL + "/redirect/SECRET", deadURL + "/x/SECRET"} {
		w, err := NewWebhook(u, nil, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		err = w.Send(context.Background(), anAlert)
		if err == nil || strings.Contains(err.Error(), "SECRET") {
			t.Errorf("%s: error %v", u, err)
		}
	}
}

func TestCommandTimeoutKillsTheHook(t *testing.T) {
	c := &Command{Argv: []string{"sleep", "30"}, Timeout: 50 * time.Millisecond}
	ctx, cancel := context.WithTimeout(context.Background(), c.Timeout)
	defer cancel()
	start := time.Now()
	err := c.Send(ctx, anAlert)
	if err == nil || !strings.Contains(err.Error(), "deadline") {
		t.Fatalf("err = %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("the hook outlived its timeout")
	}
}

func TestCommandReportsFailureOutput(t *testing.T) {
	err := (&Command{Argv: []string{"sh", "-c", "cat >/dev/null; echo 'bad\x1b[31m token' >&2; exit 3"}}).Send(context.Background(), anAlert)
	if err == nil || !strings.Contains(err.Error(), "bad") || strings.ContainsRune(err.Error(), 0x1b) {
		t.Fatalf("err = %q", err)
	}
}

func TestTerminalOSC(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"TERM_PROGRAM": "iTerm.app"}, OSC9},
		{map[string]string{"TERM_PROGRAM": "WezTerm"}, OSC9},
		{map[string]string{"TERM_PROGRAM": "ghostty"}, OSC9},
		{map[string]string{"TERM": "xterm-kitty"}, OSC9},
		{map[string]string{"TERM": "foot-extra"}, OSC777},
		{map[string]string{"TERM": "rxvt-unicode-256color"}, OSC777},
		{map[string]string{"TERM": "xterm-256color"}, ""},
		{map[string]string{"TERM_PROGRAM": "iTerm.app", "TMUX": "/tmp/tmux-1/default,1,0"}, ""},
	} {
		if got := TerminalOSC(func(k string) string { return tc.env[k] }); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.env, got, tc.want)
		}
	}
}

// Server text in an alert must not end the escape early or start another.
func TestOSCStripsControls(t *testing.T) {
	evil := "job failed\x07\x1b]52;c;aGk=\x07\x9b2J"
	for _, kind := range []string{OSC9, OSC777} {
		s := OSC(kind, "abtop; warning", evil)
		inner := strings.TrimSuffix(strings.TrimPrefix(s, "\x1b]"), "\x07")
		if strings.ContainsAny(inner, "\x07\x1b\u009b") || !strings.HasSuffix(s, "\x07") {
			t.Errorf("%s: %q", kind, s)
		}
	}
	if s := OSC(OSC777, "a;b", "c"); s != "\x1b]777;notify;a,b;c\x07" {
		t.Errorf("777: %q", s)
	}
}

func TestDesktopChoosesTerminalOrSystem(t *testing.T) {
	var tty bytes.Buffer
	d := NewDesktop(func(k string) string { return map[string]string{"TERM_PROGRAM": "WezTerm"}[k] }, &tty)
	if err := d.Send(context.Background(), anAlert); err != nil || !strings.HasPrefix(tty.String(), "\x1b]9;abtop critical: acme") {
		t.Fatalf("OSC: %q %v", tty.String(), err)
	}
	var argv []string
	sys := NewDesktop(func(string) string { return "" }, nil)
	sys.run = func(_ context.Context, name string, args ...string) error {
		argv = append([]string{name}, args...)
		return nil
	}
	for goos, want := range map[string]string{
		"linux":  "notify-send --app-name=abtop --urgency=critical -- abtop critical " + anAlert.Text,
		"darwin": "osascript -e on run argv -e display notification (item 2 of argv) with title (item 1 of argv) -e end run abtop critical " + anAlert.Text,
	} {
		sys.goos, argv = goos, nil
		if err := sys.Send(context.Background(), anAlert); err != nil || strings.Join(argv, " ") != want {
			t.Errorf("%s: %q %v", goos, argv, err)
		}
	}
	sys.goos = "windows"
	if err := sys.Send(context.Background(), anAlert); err == nil {
		t.Error("windows: want an error, not a silent drop")
	}
	// Said once: a batch's hundredth failure does not log it again.
	if err := sys.Send(context.Background(), anAlert); err != nil {
		t.Errorf("windows, second alert: %v, want the missing notifier said only once", err)
	}
	calls := 0
	none := NewDesktop(func(string) string { return "" }, nil)
	none.goos = "linux"
	none.run = func(context.Context, string, ...string) error {
		calls++
		return fmt.Errorf("%w (notify-send not found)", errNoNotifier)
	}
	first, second := none.Send(context.Background(), anAlert), none.Send(context.Background(), anAlert)
	if first == nil || second != nil || calls != 1 {
		t.Errorf("no notify-send: errors %v then %v after %d lookups; want one error, then silence", first, second, calls)
	}
}

// A dispatcher whose channels all hang still returns at once and drops
// (logs) past its bound instead of piling goroutines up.
func TestDispatcherNeverBlocks(t *testing.T) {
	release := make(chan struct{})
	var logs bytes.Buffer
	d := NewDispatcher(slog.New(slog.NewTextHandler(&logs, nil)), time.Minute, blockUntil(release))
	start := time.Now()
	for range maxInFlight + 3 {
		d.Send(anAlert)
	}
	if time.Since(start) > time.Second {
		t.Fatal("Send blocked")
	}
	close(release)
	d.Wait()
	if c := strings.Count(logs.String(), "dropped"); c != 3 {
		t.Fatalf("%d drops logged, want 3:\n%s", c, logs.String())
	}
}

type blockUntil chan struct{}

func (b blockUntil) Name() string                      { return "blocked" }
func (b blockUntil) Send(context.Context, Alert) error { <-b; return nil }

func TestChannelsFromConfig(t *testing.T) {
	cfg := Default()
	cfg.Command = []string{"/bin/true"}
	cfg.Webhook = "https://hooks.example.com/services/T/B/SECRET"
	chs, err := Channels(cfg, func(string) string { return "" }, nil, nil)
	if err != nil || len(chs) != 3 {
		t.Fatalf("%v %v", chs, err)
	}
	var names []string
	for _, c := range chs {
		names = append(names, c.Name())
	}
	if got := strings.Join(names, ", "); got != "desktop, command true, webhook https://hooks.example.com/…" {
		t.Fatalf("names %q", got)
	}
	cfg.Webhook = "http://hooks.example.com/SECRET"
	if _, err := Channels(cfg, nil, nil, nil); err == nil || strings.Contains(err.Error(), "SECRET") {
		t.Fatalf("insecure webhook: %v", err)
	}
}
