package session

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/sandbox"
	"github.com/abtop-dev/abtop/statusline"
)

// Every response reaches Observer, each of Observers and the status line
// state of the profile, in one fan-out.
func TestObserversAndStatuslineSeeEveryResponse(t *testing.T) {
	sb, err := sandbox.New(sandbox.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, tok, err := sb.Bootstrap(sandbox.OrgOptions{Credits: 77})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb.Handler())
	defer srv.Close()
	cfg := testConfig(t)
	cfg.BaseURL, cfg.Token, cfg.Profile = srv.URL, tok, "acme"
	var first, second, third int
	dir := t.TempDir()
	s, err := Open(context.Background(), Options{Config: cfg, StateDir: dir,
		Observer:  func(apiclient.Observation) { first++ },
		Observers: []func(apiclient.Observation){func(apiclient.Observation) { second++ }, nil, func(apiclient.Observation) { third++ }}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Models(context.Background()); err != nil {
		t.Fatal(err)
	}
	if first != 1 || second != 1 || third != 1 {
		t.Fatalf("observers saw %d, %d, %d responses, want 1 each", first, second, third)
	}
	path, _ := statusline.Path(dir, "acme")
	st, err := statusline.Read(path)
	if err != nil || st.Credits == nil || *st.Credits != 77 || st.Remaining == nil || !st.Fresh(time.Now(), time.Minute) {
		t.Fatalf("status line state %+v %v", st, err)
	}
	if FanOut() != nil || FanOut(nil, nil) != nil {
		t.Fatal("no observers must be a nil observer")
	}
}
