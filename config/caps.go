package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/abtop-dev/abtop/caps"
)

// capKeys are the keys of a caps section, top level or per profile:
//
//	caps:
//	  daily_credits: 500     # credits reserved per day (0: no cap)
//	  monthly_credits: 10000
//	  daily_jobs: 2000
//	  timezone: Europe/Paris # day and month boundaries; default local time
var capKeys = []string{"daily_credits", "monthly_credits", "daily_jobs", "timezone"}

// caps merges the top-level caps with the profile's (per key, the profile
// wins) and validates them.
func (r resolver) caps(origins map[string]Origin, ps []Problem) (caps.Caps, []Problem) {
	c := caps.Caps{Zone: time.Local}
	origins["caps"] = Origin{Source: SourceDefault}
	for _, sec := range r.src.fd.sections("caps", r.src.profile) {
		origins["caps"] = Origin{Source: SourceFile, Where: r.src.fd.path + ": " + sec.path}
		m, ok := sec.val.(map[string]any)
		if !ok {
			ps = append(ps, Problem{Where: r.src.fd.path, Key: sec.path, Profile: r.src.profile, Msg: "must be a map: " + strings.Join(capKeys, ", ")})
			continue
		}
		for _, k := range sortedKeys(m) {
			bad := func(msg string) {
				ps = append(ps, Problem{Where: r.src.fd.path, Key: sec.path + "." + scrub(k), Profile: r.src.profile, Msg: msg})
			}
			switch k {
			case "timezone":
				s, _ := m[k].(string)
				zone, err := loadZone(s)
				if err != nil {
					bad(err.Error())
					continue
				}
				c.Zone = zone
			case "daily_credits", "monthly_credits", "daily_jobs":
				n, ok := capNumber(m[k])
				if !ok || k == "daily_jobs" && n != math.Trunc(n) {
					bad(fmt.Sprintf("%v is not a cap; want a number ≥ 0 (0: no cap)%s", m[k], map[bool]string{true: ", a whole number of jobs"}[k == "daily_jobs"]))
					continue
				}
				switch k {
				case "daily_credits":
					c.DailyCredits = n
				case "monthly_credits":
					c.MonthlyCredits = n
				default:
					c.DailyJobs = int64(n)
				}
			default:
				bad("unknown cap, ignored (known: " + strings.Join(capKeys, ", ") + ")")
			}
		}
	}
	return c, ps
}

func capNumber(v any) (float64, bool) {
	var f float64
	switch n := v.(type) {
	case int:
		f = float64(n)
	case int64:
		f = float64(n)
	case float64:
		f = n
	case string:
		var err error
		if f, err = strconv.ParseFloat(strings.TrimSpace(n), 64); err != nil {
			return 0, false
		}
	default:
		return 0, false
	}
	return f, f >= 0 && !math.IsNaN(f) && !math.IsInf(f, 0)
}

// loadZone is "local" / "" (this machine's zone), "UTC" or an IANA name.
func loadZone(name string) (*time.Location, error) {
	name = strings.TrimSpace(name)
	if name == "" || strings.EqualFold(name, "local") {
		return time.Local, nil
	}
	z, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("%q is not a time zone; want an IANA name such as Europe/Paris, UTC or local", name)
	}
	return z, nil
}

// ZoneName says which zone caps use, for the screen ("local (Europe/Paris)").
func ZoneName(z *time.Location) string {
	if z == nil || z == time.Local {
		return "local time (" + time.Now().Format("MST") + ")"
	}
	return z.String()
}
