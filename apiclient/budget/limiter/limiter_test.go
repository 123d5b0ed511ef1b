package limiter

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/abtop-dev/abtop/apiclient/budget"
	"github.com/abtop-dev/abtop/internal/redistest"
)

var bg = context.Background()

func TestOpenPicksTheStore(t *testing.T) {
	pro := budget.PlanNamed("pro")
	dir := t.TempDir()

	// The default: shared by the processes of this machine.
	a, err := Open(bg, "", "api.example/default", Options{Plan: pro, Dir: dir})
	if err != nil || a.Local == nil || a.Store != a.Local {
		t.Fatalf("empty setting: %+v %v, want the local store", a, err)
	}
	defer a.Close()
	b, err := Open(bg, " local ", "api.example/default", Options{Plan: pro, Dir: dir})
	if err != nil || b.Local == nil {
		t.Fatalf("local: %+v %v", b, err)
	}
	if got := a.StatusLine(); got != "shared locally · 2 processes" {
		t.Fatalf("status %q", got)
	}
	if l, r, err := Peek(bg, "", "api.example/default", Options{Dir: dir}); err != nil || r != nil || l == nil || l.Processes != 2 {
		t.Fatalf("Peek: %+v %+v %v", l, r, err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if got := a.StatusLine(); got != "shared locally · 1 process" {
		t.Fatalf("status after the other closed: %q", got)
	}

	// The opt-out.
	m, err := Open(bg, "memory", "api.example/default", Options{Plan: pro, Dir: dir})
	if _, ok := m.Store.(*budget.Memory); err != nil || !ok || m.StatusLine() != "" {
		t.Fatalf("memory: %+v %v", m, err)
	}

	if _, err := Open(bg, "etcd://x", "o", Options{Plan: pro, Dir: dir}); err == nil || !strings.Contains(err.Error(), "redis://") {
		t.Fatalf("unknown setting: %v", err)
	}
}

// A directory that cannot hold the files: the default falls back to this
// process's budget and says why; an explicit "local" is an error.
func TestUnusableDirectory(t *testing.T) {
	notDir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	b, err := Open(bg, "", "o", Options{Plan: budget.PlanNamed("pro"), Dir: notDir})
	if err != nil || b.NotShared == nil || b.Local != nil {
		t.Fatalf("default on an unusable directory: %+v %v, want an in-process budget and why", b, err)
	}
	if _, ok := b.Store.(*budget.Memory); !ok || !strings.HasPrefix(b.StatusLine(), "not shared with other abtop processes (") {
		t.Fatalf("store %T, status %q", b.Store, b.StatusLine())
	}
	if _, err := Open(bg, "local", "o", Options{Plan: budget.PlanNamed("pro"), Dir: notDir}); err == nil {
		t.Fatal("explicit local on an unusable directory: no error")
	}
}

func TestRedisSetting(t *testing.T) {
	srv := redistest.Start(t, redistest.Options{})
	b, err := Open(bg, srv.URL()+"?org=acme", "default", Options{Plan: budget.PlanNamed("pro"), Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if b.Redis == nil || b.Local != nil || !strings.HasPrefix(b.StatusLine(), "shared via redis") {
		t.Fatalf("redis setting: %+v %q", b, b.StatusLine())
	}
	if l, r, err := Peek(bg, srv.URL()+"?org=acme", "default", Options{}); err != nil || l != nil || r == nil || r.Peers != 1 {
		t.Fatalf("Peek: %+v %+v %v", l, r, err)
	}
}
