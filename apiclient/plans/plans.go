// Package plans is API.md's plan table, the one place abtop states it: the
// documented limits of each plan, used until a response states the real
// ones (the budget's starting window, the concurrency shown by `status`
// and the dashboard).
package plans

import "strings"

// Plan is one row of API.md's table. A zero limit means the table gives
// none ("—"); Custom plans (Enterprise) have per-contract limits.
type Plan struct {
	Name           string // lower case, as /v1/balance names it
	RequestsPerMin int64
	Concurrency    int
	Daily          int64
	MonthlyWrites  int64
	Custom         bool
}

var table = []Plan{
	{Name: "free", RequestsPerMin: 10, Concurrency: 2, Daily: 100},
	{Name: "pro", RequestsPerMin: 60, Concurrency: 10, Daily: 5000},
	{Name: "team", RequestsPerMin: 60, MonthlyWrites: 25000},
	{Name: "business", RequestsPerMin: 300, Concurrency: 50, Daily: 50000},
	{Name: "enterprise", Custom: true},
}

// Lookup finds a plan by name, in any case.
func Lookup(name string) (Plan, bool) {
	name = strings.ToLower(strings.TrimSpace(name))
	for _, p := range table {
		if p.Name == name {
			return p, true
		}
	}
	return Plan{}, false
}

// Concurrency is a plan's documented concurrent-jobs limit: known is false
// when the plan is unknown or custom; limit is 0 when the plan has none.
func Concurrency(name string) (limit int, known bool) {
	p, ok := Lookup(name)
	if !ok || p.Custom {
		return 0, false
	}
	return p.Concurrency, true
}

// MaxRequestsPerMin is the highest documented rate: where a custom plan's
// budget starts before its first response.
func MaxRequestsPerMin() int64 {
	var hi int64
	for _, p := range table {
		hi = max(hi, p.RequestsPerMin)
	}
	return hi
}

// Covers reports whether plan may run what needs the plan need (a model's
// min_plan): the table is ordered lowest first. known is false when either
// name is not in the table; an empty need is covered by every plan.
func Covers(plan, need string) (covers, known bool) {
	if need == "" {
		return true, true
	}
	have, want := rank(plan), rank(need)
	if have < 0 || want < 0 {
		return false, false
	}
	return have >= want, true
}

func rank(name string) int {
	name = strings.ToLower(strings.TrimSpace(name))
	for i, p := range table {
		if p.Name == name {
			return i
		}
	}
	return -1
}
