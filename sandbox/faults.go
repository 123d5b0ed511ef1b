package sandbox

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
)

// FaultKind is one way the sandbox misbehaves on purpose.
type FaultKind string

const (
	Fault500        FaultKind = "500"        // 500 internal_error problem+json, after the request was counted (nothing done)
	Fault502        FaultKind = "502"        // 502 HTML page from a "proxy"; the API never saw the request
	Fault503        FaultKind = "503"        // 503 HTML page from a "proxy", Retry-After: 5
	FaultDrop       FaultKind = "drop"       // the request is processed, then the connection closes with no response
	FaultStall      FaultKind = "stall"      // no answer for StallFor (longer than a client timeout), then a normal one
	FaultTruncate   FaultKind = "truncate"   // processed; Content-Length promises more body than is sent, then close
	FaultBadHeaders FaultKind = "badheaders" // processed; garbage in the rate, quota and credit headers
	FaultNoHeaders  FaultKind = "noheaders"  // processed; no rate, quota or credit headers at all

	// Faults of the file host, drawn once per download request.
	FaultFileCut     FaultKind = "file_cut"     // Content-Length promises the whole file, half is sent, then close
	FaultFile503     FaultKind = "file_503"     // 503 with Retry-After: 1 from the file host
	FaultFileExpired FaultKind = "file_expired" // 410 as if the link had expired; a fresh URL works

	// Faults of webhook delivery, drawn once per delivery (not per attempt).
	FaultHookDup  FaultKind = "hook_dup"  // delivered twice with the same webhook-id
	FaultHookDrop FaultKind = "hook_drop" // never delivered, never retried: only a list read finds the job
	FaultHookLate FaultKind = "hook_late" // first attempt 30–120 s late, so deliveries arrive out of order
)

// apiFaultKinds, fileFaultKinds and hookFaultKinds are the three groups
// drawn separately: each group's fractions are of its own events (/v1
// requests, file downloads, webhook deliveries), so "0.1" faults 10 % of
// each and the API's fault sequence for a seed does not depend on downloads.
func apiFaultKinds() []FaultKind {
	return []FaultKind{Fault500, Fault502, Fault503, FaultDrop, FaultStall, FaultTruncate, FaultBadHeaders, FaultNoHeaders}
}
func fileFaultKinds() []FaultKind { return []FaultKind{FaultFileCut, FaultFile503, FaultFileExpired} }
func hookFaultKinds() []FaultKind { return []FaultKind{FaultHookDup, FaultHookDrop, FaultHookLate} }
func faultGroups() [][]FaultKind {
	return [][]FaultKind{apiFaultKinds(), fileFaultKinds(), hookFaultKinds()}
}

// FaultKinds lists every kind: the /v1 kinds in the order used to draw
// them, then the file host's, then webhook delivery's.
func FaultKinds() []FaultKind {
	return slices.Concat(faultGroups()...)
}

// Faults maps a kind to the fraction of its events that get it: /v1
// requests for the API kinds, downloads for file_*, webhook deliveries for
// hook_*. Within each group the fractions must add up to at most 1. Nil or
// empty: no faults.
type Faults map[FaultKind]float64

// ParseFaults reads a --faults value:
//
//	""                          no faults
//	"0.1"                       10 % of requests, of downloads and of webhook
//	                            deliveries, each spread evenly over its kinds
//	"500=0.05,drop=0.02,file_cut=0.1"
//	                            per kind (500, 502, 503, drop, stall,
//	                            truncate, badheaders, noheaders; file_cut,
//	                            file_503, file_expired; hook_dup, hook_drop,
//	                            hook_late)
func ParseFaults(spec string) (Faults, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil, nil
	}
	if !strings.Contains(spec, "=") {
		total, err := parseFraction(spec)
		if err != nil {
			return nil, fmt.Errorf("faults %q: %w", spec, err)
		}
		f := Faults{}
		for _, group := range faultGroups() {
			for _, k := range group {
				f[k] = total / float64(len(group))
			}
		}
		return f, nil
	}
	f := Faults{}
	for part := range strings.SplitSeq(spec, ",") {
		name, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return nil, fmt.Errorf("faults %q: %q is not kind=fraction", spec, part)
		}
		k := FaultKind(strings.ToLower(strings.TrimSpace(name)))
		if !slices.Contains(FaultKinds(), k) {
			return nil, fmt.Errorf("faults %q: unknown kind %q (want one of %s)", spec, name, kindList())
		}
		if _, dup := f[k]; dup {
			return nil, fmt.Errorf("faults %q: %s given twice", spec, k)
		}
		v, err := parseFraction(val)
		if err != nil {
			return nil, fmt.Errorf("faults %q: %s: %w", spec, k, err)
		}
		f[k] = v
	}
	if err := f.validate(); err != nil {
		return nil, fmt.Errorf("faults %q: %w", spec, err)
	}
	return f, nil
}

func parseFraction(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || v < 0 || v > 1 {
		return 0, fmt.Errorf("%q is not a fraction between 0 and 1", s)
	}
	return v, nil
}

func kindList() string {
	var s []string
	for _, k := range FaultKinds() {
		s = append(s, string(k))
	}
	return strings.Join(s, ", ")
}

func (f Faults) validate() error {
	for _, k := range slices.Sorted(maps.Keys(f)) {
		v := f[k]
		if !slices.Contains(FaultKinds(), k) {
			return fmt.Errorf("unknown fault kind %q (want one of %s)", k, kindList())
		}
		if v < 0 || v > 1 {
			return fmt.Errorf("fault %s: fraction %v is not between 0 and 1", k, v)
		}
	}
	for _, group := range faultGroups() {
		sum := 0.0
		for _, k := range group {
			sum += f[k]
		}
		if sum > 1+1e-9 {
			return fmt.Errorf("fault fractions of %s… add up to %v, more than 1", group[0], sum)
		}
	}
	return nil
}

// String is the canonical per-kind spec, for logs.
func (f Faults) String() string {
	var parts []string
	for _, k := range FaultKinds() {
		if v := f[k]; v > 0 {
			parts = append(parts, fmt.Sprintf("%s=%v", k, v))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ",")
}

// pickFault draws the fault for one request ("" for none). Always one draw
// per request when faults are on, so a seed replays the same sequence.
func (s *Sandbox) pickFault() FaultKind {
	if len(s.opts.Faults) == 0 {
		return ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.drawFault(s.rng, apiFaultKinds())
}

// drawFault draws one of kinds from rng (one draw whenever any fault is
// configured, so the sequence depends only on the seed and the number of
// events). s.mu held.
func (s *Sandbox) drawFault(rng *rand.Rand, kinds []FaultKind) FaultKind {
	if len(s.opts.Faults) == 0 {
		return ""
	}
	x := rng.Float64()
	for _, k := range kinds {
		if x < s.opts.Faults[k] {
			s.stats.Faults[string(k)]++
			return k
		}
		x -= s.opts.Faults[k]
	}
	return ""
}

// proxyPage is what a load balancer in front of the API sends.
func proxyPage(status int) response {
	text := map[int]string{502: "Bad Gateway", 503: "Service Temporarily Unavailable"}[status]
	body := fmt.Sprintf("<html>\r\n<head><title>%d %s</title></head>\r\n<body>\r\n<center><h1>%d %s</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n", status, text, status, text)
	r := response{status: status, header: map[string][]string{"Content-Type": {"text/html"}, "Server": {"nginx"}}, body: []byte(body)}
	if status == 503 {
		r.header.Set("Retry-After", "5")
	}
	return r
}

// usageHeaders are the headers the header faults garble or strip.
func usageHeaders() []string {
	return []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset",
		"X-Quota-Limit", "X-Quota-Remaining", "X-Quota-Reset", "X-Credits-Remaining"}
}

// garble replaces every usage header present with a value no parser
// should accept.
func garble(resp response) {
	bad := map[string]string{
		"X-RateLimit-Limit": "lots", "X-RateLimit-Remaining": "-3", "X-RateLimit-Reset": "soon",
		"X-Quota-Limit": "1e400", "X-Quota-Remaining": "12.5.1", "X-Quota-Reset": "next month",
		"X-Credits-Remaining": "NaN",
	}
	for _, h := range usageHeaders() {
		if resp.header.Get(h) != "" {
			resp.header.Set(h, bad[h])
		}
	}
}

func strip(resp response) {
	for _, h := range usageHeaders() {
		resp.header.Del(h)
	}
}
