package history

import "time"

// Zooms are the chart's spans, shortest first (keys zoom between them).
var Zooms = []time.Duration{15 * time.Minute, time.Hour, 24 * time.Hour, 7 * 24 * time.Hour}

var steps = []time.Duration{
	time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour,
}

// Step is the resolution to ask Points for when span is drawn in columns
// cells: the smallest round step that gives each column at least one span.
// Round steps keep spans aligned on the clock, so a refresh moves the chart
// by whole columns instead of redrawing every one of them differently.
func Step(span time.Duration, columns int) time.Duration {
	if columns < 1 {
		columns = 1
	}
	want := span / time.Duration(columns)
	for _, s := range steps {
		if s >= want {
			return s
		}
	}
	return steps[len(steps)-1]
}
