// Package statusline keeps the latest observation of each profile in a
// small state file that every abtop process updates as it reads headers
// anyway, and renders one line from it for tmux, starship or an editor's
// status line without a single API request while it is fresh.
//
// It is linked into the lean abtop-statusline binary, whose start-up is
// the status line's latency: it must not import the API client or anything
// that pulls in net/http (the writer side lives in statusline/record;
// TestLeanImports guards this).
package statusline

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/abtop-dev/abtop/internal/localstate"
)

// Version of the state file format.
const Version = 1

// State is one profile's latest observation.
type State struct {
	Version    int       `json:"version"`
	Profile    string    `json:"profile"`
	ObservedAt time.Time `json:"observed_at"`
	// The binding rate-limit dimension (the most constrained one).
	Unit      string    `json:"unit,omitempty"`
	Limit     *int64    `json:"limit,omitempty"`
	Remaining *int64    `json:"remaining,omitempty"`
	Reset     time.Time `json:"reset,omitzero"` // local clock; zero when unknown
	// The monthly write quota.
	QuotaLimit     *int64    `json:"quota_limit,omitempty"`
	QuotaRemaining *int64    `json:"quota_remaining,omitempty"`
	QuotaReset     time.Time `json:"quota_reset,omitzero"`
	Credits        *float64  `json:"credits,omitempty"`
	Running        *int      `json:"running,omitempty"` // jobs running, when the writer knows
	Alerts         []string  `json:"alerts,omitempty"`  // active alerts, one line each
}

// Path is the state file of profile under dir ($XDG_STATE_HOME/abtop).
// Profile names are validated by config; anything that could leave dir is
// refused here too.
func Path(dir, profile string) (string, error) {
	if profile == "" {
		return "", fmt.Errorf("statusline: empty profile name")
	}
	for _, r := range profile {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return "", fmt.Errorf("statusline: profile name %q may only hold a-z, 0-9, _ and -", profile)
		}
	}
	return filepath.Join(dir, "statusline-"+profile+".json"), nil
}

// Fresh reports whether st was observed within maxAge of now.
func (st State) Fresh(now time.Time, maxAge time.Duration) bool {
	return !st.ObservedAt.IsZero() && now.Sub(st.ObservedAt) <= maxAge
}

// Read loads a state file. A missing file is an error the caller can
// test with errors.Is(err, fs.ErrNotExist).
func Read(path string) (State, error) {
	var st State
	data, err := os.ReadFile(path)
	if err != nil {
		return st, err
	}
	if err := json.Unmarshal(data, &st); err != nil {
		return State{}, fmt.Errorf("statusline: %s is not a state file: %w", path, err)
	}
	if st.Version != Version {
		return State{}, fmt.Errorf("statusline: %s has format version %d, want %d", path, st.Version, Version)
	}
	return st, nil
}

// Write replaces the state file atomically (a reader sees the old or the
// new state, never half of one), readable by its owner only.
func Write(path string, st State) error {
	st.Version = Version
	data, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("statusline: %w", err)
	}
	if err := localstate.Replace(path, data, 0o600); err != nil {
		return fmt.Errorf("statusline: %w", err)
	}
	return nil
}
