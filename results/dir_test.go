package results_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/abtop-dev/abtop/results"
)

// NewDir never hands out a name that exists, whatever is there: a
// directory, a file, a symlink to a directory (never written through).
func TestNewDirTakesAFreeName(t *testing.T) {
	parent := filepath.Join(t.TempDir(), "out") // made when missing
	first, err := results.NewDir(parent, "added")
	if err != nil || first != filepath.Join(parent, "added") {
		t.Fatalf("first: %q, %v", first, err)
	}
	must(t, os.WriteFile(filepath.Join(parent, "added-2"), nil, 0o644))
	elsewhere := t.TempDir()
	must(t, os.Symlink(elsewhere, filepath.Join(parent, "added-3")))
	next, err := results.NewDir(parent, "added")
	if err != nil || next != filepath.Join(parent, "added-4") {
		t.Fatalf("next: %q, %v; want %s", next, err, filepath.Join(parent, "added-4"))
	}
	if fi, err := os.Lstat(next); err != nil || !fi.IsDir() {
		t.Errorf("%s: %v, %v", next, fi, err)
	}
	if es, _ := os.ReadDir(elsewhere); len(es) != 0 {
		t.Errorf("wrote through the symlink: %v", es)
	}
}
