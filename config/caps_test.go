package config

import (
	"strings"
	"testing"
	"time"
)

func TestCaps(t *testing.T) {
	tests := []struct {
		name, body, profile string
		daily, monthly      float64
		jobs                int64
		zone                string
		problem             string
	}{
		{name: "none", body: "token: " + tok("a") + "\n", zone: "Local"},
		{name: "top level", body: "token: " + tok("a") + "\ncaps:\n  daily_credits: 500\n  daily_jobs: 20\n  timezone: UTC\n", daily: 500, jobs: 20, zone: "UTC"},
		{name: "profile overrides per key", profile: "acme",
			body:  "token: " + tok("a") + "\ncaps: {daily_credits: 500, monthly_credits: 900}\nprofiles:\n  acme:\n    caps: {daily_credits: 100, timezone: Europe/Paris}\n",
			daily: 100, monthly: 900, zone: "Europe/Paris"},
		{name: "negative", body: "token: " + tok("a") + "\ncaps: {daily_credits: -1}\n", zone: "Local", problem: "caps.daily_credits: -1 is not a cap"},
		{name: "fractional jobs", body: "token: " + tok("a") + "\ncaps: {daily_jobs: 2.5}\n", zone: "Local", problem: "whole number of jobs"},
		{name: "bad zone", body: "token: " + tok("a") + "\ncaps: {timezone: Mars/Base}\n", zone: "Local", problem: `"Mars/Base" is not a time zone`},
		{name: "unknown", body: "token: " + tok("a") + "\ncaps: {weekly: 3}\n", zone: "Local", problem: "unknown cap"},
		{name: "not a map", body: "token: " + tok("a") + "\ncaps: 5\n", zone: "Local", problem: "caps: must be a map"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolate(t)
			writeConfig(t, tt.body)
			flags := map[string]string{}
			if tt.profile != "" {
				flags["profile"] = tt.profile
			}
			cfg, _, err := Load(LoadOptions{Flags: flagSet(t, flags)})
			got := strings.Join(problemStrings(err), "\n")
			if tt.problem == "" && err != nil || tt.problem != "" && !strings.Contains(got, tt.problem) {
				t.Fatalf("problems %q (err %v), want %q", got, err, tt.problem)
			}
			c := cfg.Caps
			if c.DailyCredits != tt.daily || c.MonthlyCredits != tt.monthly || c.DailyJobs != tt.jobs || c.Zone == nil || c.Zone.String() != tt.zone {
				t.Fatalf("caps %+v zone %v, want daily %v monthly %v jobs %v zone %s", c, c.Zone, tt.daily, tt.monthly, tt.jobs, tt.zone)
			}
		})
	}
	if z := ZoneName(time.Local); !strings.HasPrefix(z, "local time") {
		t.Errorf("ZoneName(Local) = %q", z)
	}
}
