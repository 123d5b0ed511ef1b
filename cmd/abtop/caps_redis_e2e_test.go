package main

// Issue 14's cap acceptance with the real binary: submitters sharing one
// Redis respect one daily credit cap, atomically.

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/abtop-dev/abtop/internal/redistest"
	"github.com/abtop-dev/abtop/sandbox"
)

// Three "abtop submit" sharing one Redis with caps.daily_credits: 100 and
// 1-credit jobs stop at exactly 100 credits charged that day, each saying
// so with exit status 3; a fourth started later creates nothing; "submit
// --resume" after the day rolled over (ABTOP_TEST_CLOCK_OFFSET=24h)
// continues.
func TestSubmitE2ERedisDailyCap(t *testing.T) {
	t.Parallel() // counts, not timing: runs beside the others once the timing-sensitive tests are done
	rds := redistest.Start(t, redistest.Options{})
	e := newCostE2E(t, sandbox.Limits{Requests: 100, Points: 300, Concurrency: 100000})
	cfgDir := filepath.Join(e.dir, "cfg", "abtop")
	if err := os.MkdirAll(cfgDir, 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := "limiter: " + rds.URL() + "?org=acme\ncaps:\n  daily_credits: 100\n  timezone: UTC\n"
	if err := os.WriteFile(filepath.Join(cfgDir, "config.yaml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	const per = 50
	submit := func(p int, extraEnv []string, args ...string) *exec.Cmd {
		c := e.cmd(t, args...)
		c.Env = append(c.Env, "ABTOP_JOURNAL="+filepath.Join(e.dir, fmt.Sprintf("queue-%d.db", p)))
		c.Env = append(c.Env, extraEnv...)
		return c
	}
	file := func(p int) string {
		var buf bytes.Buffer
		for i := range per {
			fmt.Fprintf(&buf, `{"model":"flux-schnell","input":{"prompt":"p %d","ref":"p%d-%d"}}`+"\n", i, p, i)
		}
		f := filepath.Join(e.dir, fmt.Sprintf("jobs-%d.jsonl", p))
		if err := os.WriteFile(f, buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		return f
	}
	type result struct {
		code   int
		stderr string
	}
	run := func(c *exec.Cmd) result {
		var stderr bytes.Buffer
		c.Stderr = &stderr
		err := c.Run()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return result{code, stderr.String()}
	}

	results := make([]result, 3)
	var wg sync.WaitGroup
	for p := range 3 {
		c := submit(p, nil, "submit", file(p))
		wg.Go(func() { results[p] = run(c) })
	}
	wg.Wait()
	st := fetchStats(t, e.url)
	t.Logf("three submitters: created %d, charged %v", st.JobsCreated, st.CreditsCharged)
	if st.CreditsCharged != 100 || st.JobsCreated != 100 {
		t.Errorf("charged %v credits for %d jobs across three submitters, want exactly 100 at the cap", st.CreditsCharged, st.JobsCreated)
	}
	stopped := 0
	for p, r := range results {
		t.Logf("process %d: exit %d\n%s", p, r.code, r.stderr)
		if r.code == exitCap {
			stopped++
			if !strings.Contains(r.stderr, "daily credit cap 100 reached · lifts 00:00 UTC in") {
				t.Errorf("process %d stderr does not say which cap and when it lifts:\n%s", p, r.stderr)
			}
		} else if r.code != 0 {
			t.Errorf("process %d: exit %d, want 0 or %d", p, r.code, exitCap)
		}
	}
	if stopped == 0 {
		t.Errorf("no submitter stopped at the cap")
	}

	late := run(submit(3, nil, "submit", file(3)))
	st = fetchStats(t, e.url)
	if late.code != exitCap || st.CreditsCharged != 100 {
		t.Errorf("a fourth submitter later: exit %d, charged %v in all; want exit %d and still 100\n%s", late.code, st.CreditsCharged, exitCap, late.stderr)
	}

	next := run(submit(3, []string{"ABTOP_TEST_CLOCK_OFFSET=24h"}, "submit", "--resume"))
	st = fetchStats(t, e.url)
	t.Logf("--resume the next day: exit %d, charged %v in all\n%s", next.code, st.CreditsCharged, next.stderr)
	if next.code != 0 || st.CreditsCharged != 100+per {
		t.Errorf("--resume after the day rolled over: exit %d, charged %v; want exit 0 and %d", next.code, st.CreditsCharged, 100+per)
	}
}
