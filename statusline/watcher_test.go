package statusline

import (
	"errors"
	"testing"
)

// flock is per open file, so two claims inside one process exclude each
// other just as two processes do (internal/filelock tests the latter).
func TestClaimWatcher(t *testing.T) {
	dir := t.TempDir()
	if Watched(dir, "acme") {
		t.Fatal("watched before any claim")
	}
	release, err := ClaimWatcher(dir, "acme")
	if err != nil {
		t.Fatal(err)
	}
	if !Watched(dir, "acme") || Watched(dir, "beta") {
		t.Fatal("claim not seen, or seen on the wrong profile")
	}
	if _, err := ClaimWatcher(dir, "acme"); !errors.Is(err, ErrWatched) {
		t.Fatalf("second claim: %v", err)
	}
	release()
	if Watched(dir, "acme") {
		t.Fatal("still watched after release")
	}
	if _, err := ClaimWatcher(dir, "../x"); err == nil {
		t.Fatal("bad profile accepted")
	}
}
