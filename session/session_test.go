package session

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/apiclient/budget/limiter"
	"github.com/abtop-dev/abtop/config"
)

func testConfig(t *testing.T) config.Config {
	return config.Config{
		BaseURL: "http://127.0.0.1:9", AllowInsecureHTTP: true, Profile: "default",
		Token:       "ab_" + strings.Repeat("x", 48),
		JournalPath: filepath.Join(t.TempDir(), "queue.db"),
		Timeout:     time.Second,
	}
}

// The shared key is the organization's: API host + profile, never the
// token (README "Several machines").
func TestDefaultOrg(t *testing.T) {
	for _, tc := range []struct {
		cfg  config.Config
		want string
	}{
		{config.Config{BaseURL: "https://api.abstrakt.dev", Profile: "default", Token: "ab_x"}, "api.abstrakt.dev/default"},
		{config.Config{BaseURL: "https://api.abstrakt.dev", Profile: "default", Token: "ab_other"}, "api.abstrakt.dev/default"},
		{config.Config{BaseURL: "http://127.0.0.1:8080/", Profile: "batch"}, "127.0.0.1:8080/batch"},
		{config.Config{BaseURL: "https://api.abstrakt.dev"}, "api.abstrakt.dev/default"},
	} {
		if got := DefaultOrg(tc.cfg); got != tc.want {
			t.Errorf("DefaultOrg(%q, profile %q) = %q, want %q", tc.cfg.BaseURL, tc.cfg.Profile, got, tc.want)
		}
	}
}

// sharedStore is a budget store of a made-up backend that is shared, keeps
// its own clock and must be closed.
type sharedStore struct {
	*budget.Memory
	now    time.Time
	mu     sync.Mutex
	closed int
	order  *[]string
}

func (s *sharedStore) Now() time.Time { return s.now }
func (s *sharedStore) Sharing() budget.Sharing {
	return budget.Sharing{Shared: true, Peers: 2, Org: "acme", Text: "shared via test · 2"}
}
func (s *sharedStore) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed++
	*s.order = append(*s.order, "store")
	return nil
}

// A store plugs in through OpenBudget; the session uses its clock, its
// sharing and its Close, and closes it after the journal.
func TestOpenPlugsInABackendByScheme(t *testing.T) {
	var order []string
	at := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	st := &sharedStore{Memory: budget.NewMemory(defaultPlan()), now: at, order: &order}
	var gotLimiter string
	open := func(_ context.Context, cfg config.Config, _ *slog.Logger) (*limiter.Budget, error) {
		gotLimiter = cfg.Limiter
		return &limiter.Budget{Store: st, Now: st.Now}, nil
	}
	cfg := testConfig(t)
	cfg.Limiter = "test://somewhere"
	s, err := Open(context.Background(), Options{Config: cfg, OpenBudget: open, Queue: QueueRequired})
	if err != nil {
		t.Fatal(err)
	}
	if gotLimiter != cfg.Limiter || s.Store != st {
		t.Fatalf("backend got limiter %q; session store %T", gotLimiter, s.Store)
	}
	if !s.Now().Equal(at) {
		t.Errorf("session clock = %v, want the store's %v", s.Now(), at)
	}
	// the store's clock is an hour behind this machine's: its instants
	// move by that hour to be shown next to local times
	st.now = time.Now().Add(-time.Hour)
	if d := time.Until(s.Local(st.now)); d < -time.Minute || d > time.Minute {
		t.Errorf("Local(store now) is %v from local now, want ~0", d)
	}
	if sh := s.Sharing(); !sh.Shared || sh.Org != "acme" {
		t.Errorf("sharing = %+v", sh)
	}
	if s.Queue == nil || s.Journal == nil {
		t.Fatal("queue not opened")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil || st.closed != 1 {
		t.Fatalf("second Close: err %v, store closed %d times", err, st.closed)
	}
	if len(order) != 1 {
		t.Fatalf("close order %v", order)
	}
}

// Without a limiter the budget is shared by the abtop processes of this
// machine: two sessions of one organization see each other, and a third
// that says "memory" stays out of it.
func TestOpenSharesLocallyByDefault(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	cfg := testConfig(t)
	a, err := Open(context.Background(), Options{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(context.Background(), Options{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	if a.Budget.Local == nil {
		t.Fatalf("store %T, want the local shared store", a.Store)
	}
	if sh := a.Sharing(); !sh.Shared || sh.Peers != 2 || sh.Text != "shared locally · 2 processes" || sh.Org != DefaultOrg(cfg) {
		t.Errorf("sharing = %+v, want shared locally by 2", sh)
	}
	cfg.Limiter = "memory"
	m, err := Open(context.Background(), Options{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if _, ok := m.Store.(*budget.Memory); !ok {
		t.Errorf("memory: store %T, want *budget.Memory", m.Store)
	}
	if sh := m.Sharing(); sh.Shared || sh.Text != "" {
		t.Errorf("memory: sharing = %+v, want alone", sh)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if sh := a.Sharing(); sh.Peers != 1 {
		t.Errorf("after the other closed: %+v, want 1 process", sh)
	}
}

// NoQueue opens no queue, on the local clock.
func TestOpenInProcess(t *testing.T) {
	cfg := testConfig(t)
	cfg.Limiter = "memory"
	s, err := Open(context.Background(), Options{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Queue != nil || s.Journal != nil {
		t.Error("NoQueue opened a queue")
	}
	if d := time.Since(s.Now()); d < 0 || d > time.Minute {
		t.Errorf("clock off by %v", d)
	}
}

// A journal that cannot be opened fails a required queue (closing the
// store already opened) and leaves an optional one out, with its cause.
func TestOpenJournalFailure(t *testing.T) {
	var order []string
	st := &sharedStore{Memory: budget.NewMemory(defaultPlan()), order: &order}
	open := func(context.Context, config.Config, *slog.Logger) (*limiter.Budget, error) {
		return &limiter.Budget{Store: st}, nil
	}
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t)
	cfg.Limiter = "test://x"
	cfg.JournalPath = filepath.Join(blocker, "queue.db") // a directory that is a file

	if _, err := Open(context.Background(), Options{Config: cfg, OpenBudget: open, Queue: QueueRequired}); err == nil {
		t.Fatal("a required queue opened without its journal")
	}
	if st.closed != 1 {
		t.Errorf("store closed %d times after a failed Open, want 1", st.closed)
	}
	s, err := Open(context.Background(), Options{Config: cfg, OpenBudget: open, Queue: QueueOptional})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Queue != nil || s.QueueErr == nil || !strings.Contains(s.QueueErr.Error(), "queue journal") {
		t.Errorf("queue %v, QueueErr %v", s.Queue, s.QueueErr)
	}
}

// A sandbox session keeps its journal in a temporary directory that Close
// removes: nothing reaches the real journal.
func TestEphemeralJournal(t *testing.T) {
	cfg := testConfig(t)
	cfg.Limiter = "memory"
	s, err := Open(context.Background(), Options{Config: cfg, Queue: QueueRequired, EphemeralJournal: true})
	if err != nil {
		t.Fatal(err)
	}
	path := s.Journal.Path()
	if path == cfg.JournalPath {
		t.Fatal("the sandbox used the real journal")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Dir(path)); !os.IsNotExist(err) {
		t.Errorf("temporary journal directory left behind: %v", err)
	}
	if _, err := os.Stat(cfg.JournalPath); !os.IsNotExist(err) {
		t.Errorf("the real journal was created: %v", err)
	}
}

// A bad limiter URL is an error naming it, and nothing stays open.
func TestOpenBadLimiter(t *testing.T) {
	cfg := testConfig(t)
	cfg.Limiter = "redis://user:secret@%zz"
	_, err := Open(context.Background(), Options{Config: cfg})
	if err == nil {
		t.Fatal("a bad limiter URL opened")
	}
	if strings.Contains(err.Error(), "secret") {
		t.Errorf("error shows the password: %v", err)
	}
}
