package results

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// maxDirSuffix bounds the names NewDir tries.
const maxDirSuffix = 1000

// NewDir makes a new directory parent/name, or parent/name-2, -3… when
// that exists, and returns its path: a batch of its own there never
// shares a manifest with another (two batches in one directory would
// write one manifest.jsonl and clean each other's temporary files).
// os.Mkdir is the claim, failing when the name exists, so two processes
// writing to one parent never get one directory either, and an existing
// symlink is never written through.
func NewDir(parent, name string) (string, error) {
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", err
	}
	for n := 1; n <= maxDirSuffix; n++ {
		dir := filepath.Join(parent, name)
		if n > 1 {
			dir = fmt.Sprintf("%s-%d", dir, n)
		}
		err := os.Mkdir(dir, 0o755)
		if err == nil {
			return dir, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return "", err
		}
	}
	return "", fmt.Errorf("%s: %s and %d more of that name exist already", parent, name, maxDirSuffix-1)
}
