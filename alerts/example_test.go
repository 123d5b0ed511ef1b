package alerts_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/abtop-dev/abtop/alerts"
)

// How `abtop watch` wires alerts: channels from the config, a dispatcher,
// an engine sharing its state with every abtop process, fed by the
// client's observer (engine.Observer(profile)) and the queue's events.
func Example() {
	cfg := alerts.Default()
	cfg.Desktop = false // an example prints instead
	chs, err := alerts.Channels(cfg, os.Getenv, nil, nil)
	if err != nil {
		panic(err)
	}
	chs = append(chs, printer{})
	d := alerts.NewDispatcher(slog.Default(), 0, chs...)
	dir, _ := os.MkdirTemp("", "abtop-example")
	defer os.RemoveAll(dir)
	e, err := alerts.NewEngine(alerts.Options{Config: cfg, Store: alerts.NewStore(filepath.Join(dir, alerts.StateFile)), Send: d.Send})
	if err != nil {
		panic(err)
	}
	limit, at := int64(5000), time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	for _, remaining := range []int64{1200, 950, 900, 240} {
		e.Observe(alerts.Reading{Profile: "acme", At: at, QuotaLimit: &limit, QuotaRemaining: &remaining})
		d.Wait() // only so the example's output has an order
	}
	// Output:
	// warning acme: monthly quota 81% used (4050 of 5000 writes)
	// critical acme: monthly quota 95% used (4760 of 5000 writes)
}

type printer struct{}

func (printer) Name() string { return "stdout" }
func (printer) Send(_ context.Context, a alerts.Alert) error {
	fmt.Println(a.Severity, a.Text)
	return nil
}
