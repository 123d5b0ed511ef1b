package estimate

import (
	"net/http"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient/usage"
)

func TestFromSnapshot(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	h := http.Header{}
	h.Set("Date", now.Format(http.TimeFormat))
	h.Set("X-RateLimit-Limit", "60")
	h.Set("X-RateLimit-Remaining", "41")
	h.Set("X-RateLimit-Reset", now.Add(35*time.Second).Format(http.TimeFormat))
	h.Set("X-Quota-Limit", "25000")
	h.Set("X-Quota-Remaining", "24120")
	h.Set("X-Credits-Remaining", "1250.5")
	l := FromSnapshot(usage.Parse(h, now))
	if l.RateLimit != 60 || l.RateRemaining == nil || *l.RateRemaining != 41 || l.RateReset != 35*time.Second {
		t.Errorf("rate = %d, %v, %v", l.RateLimit, l.RateRemaining, l.RateReset)
	}
	if l.Quota == nil || l.Quota.Remaining != 24120 || l.Quota.Limit != 25000 {
		t.Errorf("quota = %+v", l.Quota)
	}
	if l.Credits == nil || *l.Credits != 1250.5 {
		t.Errorf("credits = %v", l.Credits)
	}
	if e := FromSnapshot(usage.Parse(http.Header{}, now)); e.RateLimit != 0 || e.Quota != nil || e.Credits != nil {
		t.Errorf("no headers gave %+v", e)
	}
}
