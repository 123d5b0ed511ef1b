package main

import (
	"bufio"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// metricValue finds one sample line of the text exposition format.
func metricValue(body, series string) (float64, bool) {
	for line := range strings.SplitSeq(body, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			return f, err == nil
		}
	}
	return 0, false
}

// The real binary: "abtop watch --metrics-listen" serves /metrics whose
// counters equal the sandbox's own, keeps the status line fresh (so a
// status line makes no request), and stops cleanly on SIGINT.
func TestWatchBinaryMetricsEqualSandbox(t *testing.T) {
	bin := abtopBinary(t)
	e := newSLEnv(t)
	c := e.cmd(bin, "watch", "--metrics-listen", "127.0.0.1:0", "--poll-interval", "1s")
	stderr, err := c.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	defer c.Process.Kill()
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	urlRE := regexp.MustCompile(`url=(http://\S+/metrics)`)
	var url string
	polls := 0
	deadline := time.After(30 * time.Second)
	for polls < 2 {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("watch exited early")
			}
			if m := urlRE.FindStringSubmatch(l); m != nil {
				url = m[1]
			}
			if strings.Contains(l, "msg=poll ") {
				polls++
			}
		case <-deadline:
			t.Fatal("no two polls within 30 s")
		}
	}
	if url == "" {
		t.Fatal("no metrics URL logged")
	}
	// A poll may land between the two reads: retry until both sides agree
	// on a quiet moment.
	for attempt := 0; ; attempt++ {
		before := e.sb.Stats()
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if after := e.sb.Stats(); after.Requests != before.Requests {
			if attempt == 5 {
				t.Fatal("never a quiet moment")
			}
			continue
		}
		got, ok := metricValue(string(body), `abtop_requests_total{code="200",profile="default"}`)
		if !ok || got != float64(before.RequestsByStatus["200"]) || before.Requests != before.RequestsByStatus["200"] {
			t.Fatalf("abtop_requests_total 200 = %g (%v), sandbox %+v", got, ok, before.RequestsByStatus)
		}
		if v, _ := metricValue(string(body), `abtop_rate_limited_responses_total{profile="default"}`); v != float64(before.TooManyRequests) {
			t.Fatalf("429s %g, sandbox %d", v, before.TooManyRequests)
		}
		if v, _ := metricValue(string(body), `abtop_credits_remaining{profile="default"}`); v != 1250.5 {
			t.Fatalf("credits %g", v)
		}
		break
	}
	before := e.sb.Stats().Requests
	if got := e.run(t, bin, "statusline"); !strings.HasPrefix(got, "ab ") || strings.Contains(got, "stale") {
		t.Fatalf("status line beside a watch: %q", got)
	}
	if err := c.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if err := c.Wait(); err != nil {
		t.Fatalf("watch after SIGINT: %v", err)
	}
	// The status line made none; the watch at most the polls since.
	if n := e.sb.Stats().Requests - before; n > 2 {
		t.Fatalf("%d requests while the status line ran", n)
	}
}
