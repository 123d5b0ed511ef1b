package sandbox

import (
	"fmt"
	"strings"
)

// Limits are an organization's allowances. Zero means "no limit" for
// Concurrency and DailyWrites, and "no monthly quota" (no X-Quota-*
// headers) for MonthlyWrites.
type Limits struct {
	Requests      int // requests per window (X-RateLimit-Limit outside the points dialect)
	Points        int // points per window in the points dialect
	Concurrency   int // jobs queued or running at once; beyond it jobs wait as queued
	DailyWrites   int // writes per UTC day
	MonthlyWrites int // writes per UTC calendar month (X-Quota-Limit)
}

// Plan is a named set of default limits. Rank orders plans for
// plan_required: a model with MinPlan "pro" needs a plan of rank >= Pro's.
type Plan struct {
	Name   string // lower case, as GET /v1/balance reports it
	Rank   int
	Limits Limits
}

// Plan names.
const (
	PlanFree       = "free"
	PlanPro        = "pro"
	PlanTeam       = "team"
	PlanBusiness   = "business"
	PlanEnterprise = "enterprise"
)

// Plans returns the plans of API.md's table, in rank order. Points budgets
// come from seed 003 ("Build" 100, Enterprise 1000) with the plans between
// interpolated. Enterprise is "custom" in the spec; the defaults here are a
// generous stand-in, usually overridden with OrgOptions.Limits.
func Plans() []Plan {
	return []Plan{
		{Name: PlanFree, Rank: 0, Limits: Limits{Requests: 10, Points: 100, Concurrency: 2, DailyWrites: 100}},
		{Name: PlanPro, Rank: 1, Limits: Limits{Requests: 60, Points: 300, Concurrency: 10, DailyWrites: 5000}},
		{Name: PlanTeam, Rank: 2, Limits: Limits{Requests: 60, Points: 300, MonthlyWrites: 25000}},
		{Name: PlanBusiness, Rank: 3, Limits: Limits{Requests: 300, Points: 600, Concurrency: 50, DailyWrites: 50000}},
		{Name: PlanEnterprise, Rank: 4, Limits: Limits{Requests: 1000, Points: 1000, Concurrency: 100, MonthlyWrites: 1000000}},
	}
}

// LookupPlan finds a plan by name, case-insensitively.
func LookupPlan(name string) (Plan, error) {
	var names []string
	for _, p := range Plans() {
		if strings.EqualFold(p.Name, name) {
			return p, nil
		}
		names = append(names, p.Name)
	}
	return Plan{}, fmt.Errorf("unknown plan %q (want one of %s)", name, strings.Join(names, ", "))
}

func (l Limits) validate() error {
	for _, f := range []struct {
		name string
		v    int
	}{{"Requests", l.Requests}, {"Points", l.Points}, {"Concurrency", l.Concurrency}, {"DailyWrites", l.DailyWrites}, {"MonthlyWrites", l.MonthlyWrites}} {
		if f.v < 0 {
			return fmt.Errorf("limits: %s is %d, must not be negative", f.name, f.v)
		}
	}
	if l.Requests == 0 {
		return fmt.Errorf("limits: Requests must be at least 1")
	}
	if l.Points == 0 {
		return fmt.Errorf("limits: Points must be at least 1")
	}
	return nil
}
