package main

import (
	"errors"
	"os"
	"time"

	"github.com/abtop-dev/abtop/config"
	"github.com/abtop-dev/abtop/estimate"
	"github.com/abtop-dev/abtop/history"
	"github.com/abtop-dev/abtop/report"
	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"
)

type reportFlags struct {
	since, from, to, by string
	json, csv           bool
}

func newReportCmd(a *app) *cobra.Command {
	var f reportFlags
	cmd := &cobra.Command{
		Use:   "report",
		Short: "What was spent: jobs, credits, writes, 429s and waits from the local history",
		Long: `report sums what every abtop process on this machine recorded in its history
($XDG_STATE_HOME/abtop/history.db): jobs created and finished, credits spent
(charged minus refunds), writes, 429s drawn and the time spent waiting,
grouped by day, model, profile or status. Days are cut in the caps' time
zone of the profile (local time by default). Needs no token: nothing is
asked of the API.

Below the table (and under "forecasts" in JSON), each profile's credit
balance and monthly quota are forecast at the pace of the last 7 days
(fewer when history is shorter, none under 2 days), with that basis
stated: "at the last 7 days' pace (212 credits/day, 40 writes/day)
credits last ~9 days; monthly quota runs out on 12 Dec, before its reset
on 31 Dec". CSV has no forecast.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runReport(f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.since, "since", "", "span back from now: 7d, 2w, 36h, 90m (default 7d)")
	fl.StringVar(&f.from, "from", "", "start: a date (2026-11-01) or an RFC 3339 instant")
	fl.StringVar(&f.to, "to", "", "end: a date (included) or an RFC 3339 instant (default now)")
	fl.StringVar(&f.by, "by", "day", "group by day, model, profile or status")
	fl.BoolVar(&f.json, "json", false, "print JSON")
	fl.BoolVar(&f.csv, "csv", false, "print CSV (one record per group, no total)")
	return cmd
}

func (a *app) runReport(f reportFlags) error {
	if f.json && f.csv {
		return errors.New("report: give --json or --csv, not both")
	}
	by, err := report.ParseBy(f.by)
	if err != nil {
		return err
	}
	// A missing token must not stop a report: only the zone is wanted.
	zone := time.Local
	if cfg, _ := a.loadConfig(); cfg.Caps.Zone != nil {
		zone = cfg.Caps.Zone
	}
	now := time.Now()
	r, err := report.ParseRange(f.since, f.from, f.to, now, zone)
	if err != nil {
		return err
	}
	path, err := config.DefaultHistory(os.Getenv)
	if err != nil {
		return err
	}
	st, err := history.New(history.Options{Path: path})
	if err != nil {
		return err
	}
	rep, err := report.Load(st, r, by, zone)
	if err != nil {
		return err
	}
	if rep.Forecasts, err = report.LoadForecasts(st, estimate.WeekPace, now, zone); err != nil {
		return err
	}
	switch {
	case f.json:
		return rep.WriteJSON(a.out)
	case f.csv:
		return rep.WriteCSV(a.out)
	}
	width := 100
	if fd, ok := a.out.Underlying().(*os.File); ok && isTerminal(fd) {
		if w, _, err := term.GetSize(fd.Fd()); err == nil && w > 0 {
			width = w
		}
	}
	return rep.WriteTable(a.out, width)
}
