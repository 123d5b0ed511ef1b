package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/abtop-dev/abtop/apiclient/queue"
	"github.com/abtop-dev/abtop/session"
	"github.com/spf13/cobra"
)

func newJobsCmd(a *app) *cobra.Command {
	c := &cobra.Command{
		Use:   "jobs",
		Short: "List the unfinished jobs in the journal, by the endpoint and token they were queued for",
		Long: `The journal keeps every job with the endpoint (base URL) and the organization
(token) it was queued for, and "abtop submit" sends only the jobs of the
endpoint and token it runs with. "abtop jobs" shows what waits where;
"abtop jobs discard" drops jobs nobody will send.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runJobsList() },
	}
	c.AddCommand(newJobsDiscardCmd(a))
	return c
}

func (a *app) runJobsList() error {
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	j, err := queue.OpenJournal(cfg.JournalPath)
	if err != nil {
		return err
	}
	defer j.Close()
	jobs, err := j.Load()
	if err != nil {
		return err
	}
	mine := session.OwnerOf(cfg)
	type group struct {
		owner queue.Owner
		n     int
	}
	var groups []group
	for _, job := range jobs {
		if !job.State.Unfinished() {
			continue
		}
		i := 0
		for i < len(groups) && !groups[i].owner.Same(job.Owner) {
			i++
		}
		if i == len(groups) {
			groups = append(groups, group{owner: job.Owner})
		}
		groups[i].n++
	}
	if len(groups) == 0 {
		fmt.Fprintf(a.out, "no unfinished jobs in %s\n", j.Path())
		return nil
	}
	for _, g := range groups {
		who := describeOwner(g.owner)
		if g.owner.Same(mine) {
			who += " — this endpoint and token: abtop submit --resume sends them"
		}
		fmt.Fprintf(a.out, "%d unfinished job(s) for %s\n", g.n, who)
	}
	return nil
}

func newJobsDiscardCmd(a *app) *cobra.Command {
	var endpoint string
	var others bool
	c := &cobra.Command{
		Use:   "discard (--endpoint URL | --others)",
		Short: "Drop unfinished jobs from the journal without sending them",
		Long: `--endpoint URL drops the unfinished jobs queued for that base URL (any token);
--others drops every unfinished job not queued for this run's endpoint and
token (including jobs an older abtop queued without recording them).
Finished jobs and this endpoint's own jobs are kept.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if (endpoint == "") == !others {
				return errors.New("jobs discard: give --endpoint URL or --others (exactly one)")
			}
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			mine := session.OwnerOf(cfg)
			match := func(o queue.Owner) bool { return !o.Same(mine) }
			what := "not queued for " + describeOwner(mine)
			if endpoint != "" {
				endpoint = strings.TrimRight(endpoint, "/")
				match = func(o queue.Owner) bool { return o.Endpoint == endpoint }
				what = "queued for " + endpoint
			}
			j, err := queue.OpenJournal(cfg.JournalPath)
			if err != nil {
				return err
			}
			defer j.Close()
			n, err := j.DiscardUnfinished(match)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.out, "discarded %d unfinished job(s) %s from %s\n", n, what, j.Path())
			return nil
		},
	}
	c.Flags().StringVar(&endpoint, "endpoint", "", "drop the unfinished jobs queued for this base URL")
	c.Flags().BoolVar(&others, "others", false, "drop every unfinished job not queued for this endpoint and token")
	return c
}
