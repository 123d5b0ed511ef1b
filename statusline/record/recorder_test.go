package record

import (
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/usage"
	"github.com/abtop-dev/abtop/statusline"
)

var t0 = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)

// headers as abstrakt sends them (API.md), parsed by the one parser.
func snapshot(received time.Time) usage.Snapshot {
	h := http.Header{}
	h.Set("Date", received.Format(http.TimeFormat))
	h.Set("X-RateLimit-Limit", "60")
	h.Set("X-RateLimit-Remaining", "12")
	h.Set("X-RateLimit-Reset", received.Add(42*time.Second).Format(http.TimeFormat))
	h.Set("X-Quota-Limit", "5000")
	h.Set("X-Quota-Remaining", "900")
	h.Set("X-Quota-Reset", received.Add(3*24*time.Hour).Format(http.TimeFormat))
	h.Set("X-Credits-Remaining", "1250.5")
	return usage.Parse(h, received)
}

func TestRecorderWritesWhatResponsesSaid(t *testing.T) {
	dir := t.TempDir()
	path, err := statusline.Path(dir, "acme")
	if err != nil {
		t.Fatal(err)
	}
	r := NewRecorder(path, "acme", nil)
	r.Observe(apiclient.Observation{Status: 200, Snapshot: snapshot(t0)})
	r.SetRunning(3)
	// A transport failure teaches nothing and must not look fresh.
	r.Observe(apiclient.Observation{Snapshot: usage.Parse(http.Header{}, t0.Add(time.Hour))})
	st, err := statusline.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if !st.ObservedAt.Equal(t0) || *st.Remaining != 12 || *st.Limit != 60 || *st.QuotaRemaining != 900 ||
		*st.Credits != 1250.5 || *st.Running != 3 || st.Profile != "acme" || !st.Reset.Equal(t0.Add(42*time.Second)) {
		t.Fatalf("state %+v", st)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v %v", fi.Mode(), err)
	}
	// A second process starts from the file and keeps what it has not seen.
	r2 := NewRecorder(path, "acme", nil)
	r2.SetAlerts([]string{"acme: monthly quota 82% used"})
	if st, _ := statusline.Read(path); st.Running == nil || *st.Running != 3 || len(st.Alerts) != 1 {
		t.Fatalf("second writer lost fields: %+v", st)
	}
	if _, err := statusline.Read(filepath.Join(dir, "none.json")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
}
