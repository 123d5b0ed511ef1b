// Package gauges renders the four budget gauges (rate limit, monthly quota,
// credits, running jobs) and the binding-constraint line. Every figure
// comes from usagestate; a projection says so ("~", "at this pace") and a
// value older than two poll intervals is dimmed with its age.
package gauges

import (
	"time"

	"github.com/abtop-dev/abtop/apiclient/usage"
	"github.com/abtop-dev/abtop/caps"
	"github.com/abtop-dev/abtop/estimate"
	"github.com/abtop-dev/abtop/internal/format"
	"github.com/abtop-dev/abtop/tui/styles"
	"github.com/abtop-dev/abtop/tui/usagestate"
)

// Input is everything the gauges show.
type Input struct {
	S            *usagestate.State
	Now          time.Time
	PollInterval time.Duration
	Running      int
	Concurrency  int    // 0 when unknown or unlimited
	ConcFrom     string // where Concurrency came from: "queue", "plan default"
	// Caps are the profile's spending caps and their use (Caps gauges).
	Caps []caps.Line
	// Forecast is the history store's forecast of the balance and the
	// quota (forecast.go); nil, or without enough history, when the
	// gauges use the session's own pace.
	Forecast *estimate.Forecast
}

// ID names a gauge for code; its Title is for people and may change.
type ID string

// The gauges, in display order.
const (
	IDRate    ID = "rate"
	IDQuota   ID = "quota"
	IDCredits ID = "credits"
	IDRunning ID = "running"
)

// word is the gauge's name in the sources line: "rate: header 2s ago".
func (id ID) word() string {
	if id == IDRunning {
		return "running jobs"
	}
	return string(id)
}

// Gauge is one rendered gauge.
type Gauge struct {
	ID    ID
	Title string
	Level styles.Level
	Value string   // the headline figure, plain text
	Used  float64  // fraction used in [0,1]; < 0 when unknown (no bar)
	Lines []string // detail lines (styled)
	// Shorter holds shorter wordings of some detail lines, by index,
	// longest first: a view too narrow for Lines[i] shows the longest of
	// them that fits (see linesIn).
	Shorter map[int][]string
	Short   string // one-line summary for compact layouts (plain)
	// Brief is what the compact layout adds after the value, most
	// important first (styled): a countdown, a forecast, a 429.
	Brief []string
	// From says where the value came from and how old it is ("header",
	// "balance", "queue"…); At is when (zero: not a reading, e.g. a plan
	// default). Stale is true when At is older than two poll intervals.
	From  string
	At    time.Time
	Stale bool
	// Per is the window the value counts over ("1m", "10s") when the
	// server stated it; "" otherwise.
	Per string
}

// Source is the gauge's origin as shown under it: "from header · 2s ago".
func (g Gauge) Source(now time.Time) string {
	if g.From == "" {
		return ""
	}
	if g.At.IsZero() {
		return "from " + g.From
	}
	return "from " + g.From + " · " + format.Age(now.Sub(g.At)) + " ago"
}

func (in Input) stale(at time.Time) bool {
	p := in.PollInterval
	if p <= 0 {
		p = 5 * time.Second
	}
	return in.Now.Sub(at) > 2*p
}

func unitWord(u string) string {
	switch u {
	case usage.UnitRequests, "":
		return "req"
	case usage.UnitPoints:
		return "pts"
	default:
		return u
	}
}
