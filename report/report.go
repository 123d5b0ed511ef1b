// Package report sums the history store's tallies over a time range,
// grouped by day, model, profile or status, and renders the result as a
// terminal table with a bar column, or as stable CSV and JSON for scripts.
//
// What the columns count (one home for these definitions):
//   - jobs: jobs the server created (each once, at creation);
//   - finished: jobs that reached a final status;
//   - credits: credits spent, charged at creation minus refunds of failed
//     and canceled jobs (credits_charged, credits_refunded);
//   - writes: write requests the quota counted (creates, cancels);
//   - throttled: 429s drawn; retry_after_seconds: the waits they imposed;
//   - waited_seconds: time jobs spent queued before they were created.
//
// By status, a job's creation is in the "created" group and its end in its
// final status's group (succeeded, failed, canceled); 429s and writes that
// are not a job's creation have an empty status ("other").
package report

import (
	"fmt"
	"sort"
	"time"

	"github.com/abtop-dev/abtop/history"
)

// By is the grouping of a report.
type By string

const (
	ByDay     By = "day"
	ByModel   By = "model"
	ByProfile By = "profile"
	ByStatus  By = "status"
)

// ParseBy reads --by.
func ParseBy(s string) (By, error) {
	switch b := By(s); b {
	case ByDay, ByModel, ByProfile, ByStatus:
		return b, nil
	case "":
		return ByDay, nil
	}
	return "", fmt.Errorf("--by %q: want day, model, profile or status", s)
}

// Line is one group's sums.
type Line struct {
	Key string // the day (YYYY-MM-DD in the report's zone), model, profile or status
	history.Tally
}

// Report is a built report.
type Report struct {
	From, To time.Time
	Zone     *time.Location // days are cut in this zone
	By       By
	Lines    []Line
	Total    history.Tally
	// Forecasts look back from now whatever the range (LoadForecasts);
	// the caller sets them.
	Forecasts []Forecast
}

// Source is what a report reads (history.Store).
type Source interface {
	Rows(from, to time.Time) ([]history.Row, error)
}

// Build sums the rows in [r.From, r.To) by the grouping. By day every day
// of the range has a line, empty days included, oldest first; the other
// groupings list their groups by credits spent, most first, then by name;
// statuses go in a job's order: created, succeeded, failed, canceled,
// anything else, other ("").
func Build(rows []history.Row, r Range, by By, zone *time.Location) Report {
	if zone == nil {
		zone = time.Local
	}
	rep := Report{From: r.From, To: r.To, Zone: zone, By: by}
	sums := map[string]history.Tally{}
	if by == ByDay {
		for d := dayStart(r.From, zone); d.Before(r.To); d = d.AddDate(0, 0, 1) {
			sums[d.Format(time.DateOnly)] = history.Tally{}
		}
	}
	for _, row := range rows {
		if row.At.Before(r.From) || !row.At.Before(r.To) {
			continue
		}
		k := key(row, by, zone)
		sums[k] = sums[k].Add(row.Tally)
		rep.Total = rep.Total.Add(row.Tally)
	}
	for k, t := range sums {
		rep.Lines = append(rep.Lines, Line{Key: k, Tally: t})
	}
	sort.Slice(rep.Lines, func(i, j int) bool {
		a, b := rep.Lines[i], rep.Lines[j]
		switch by {
		case ByDay:
		case ByStatus:
			if ra, rb := statusRank(a.Key), statusRank(b.Key); ra != rb {
				return ra < rb
			}
		default:
			if a.Credits() != b.Credits() {
				return a.Credits() > b.Credits()
			}
		}
		return a.Key < b.Key
	})
	return rep
}

// Load reads the range from src and builds the report.
func Load(src Source, r Range, by By, zone *time.Location) (Report, error) {
	rows, err := src.Rows(r.From, r.To)
	if err != nil {
		return Report{}, err
	}
	return Build(rows, r, by, zone), nil
}

func key(row history.Row, by By, zone *time.Location) string {
	switch by {
	case ByModel:
		return row.Model
	case ByProfile:
		return row.Profile
	case ByStatus:
		return row.Status
	}
	return row.At.In(zone).Format(time.DateOnly)
}

func dayStart(t time.Time, zone *time.Location) time.Time {
	t = t.In(zone)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, zone)
}

// statusRank orders statuses the way a job goes through them.
func statusRank(s string) int {
	switch s {
	case history.StatusCreated:
		return 0
	case "succeeded":
		return 1
	case "failed":
		return 2
	case "canceled":
		return 3
	case "":
		return 5
	}
	return 4
}
