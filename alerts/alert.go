// Package alerts tells someone when a limit is close, once per crossing:
// rules (quota used, credits low, 429s, failed jobs, finished batches,
// caps) evaluate what abtop observes anyway, a small state file under the
// state directory de-duplicates them across every abtop process on the
// machine, and channels (the dashboard's banner, desktop notifications, a
// command hook, a webhook) deliver them without ever blocking monitoring.
package alerts

import (
	"fmt"
	"time"
)

// Rule names; they key the de-duplication state and appear in every alert.
const (
	RuleQuotaUsed     = "quota_used"     // monthly quota used ≥ a percentage
	RuleCreditsLow    = "credits_low"    // credits below an amount
	RuleCreditsDays   = "credits_days"   // credits last fewer than N days at the current pace
	RuleRateLimited   = "rate_limited"   // a 429 was drawn
	RuleJobFailed     = "job_failed"     // a job failed
	RuleBatchFinished = "batch_finished" // a batch finished
	RuleCapReached    = "cap_reached"    // a configured cap was reached
)

// Severities.
const (
	SeverityInfo     = "info"
	SeverityWarning  = "warning"
	SeverityCritical = "critical"
)

// Alert is one notification. Its JSON form is what a command hook reads on
// stdin and what a webhook receives under "alert".
type Alert struct {
	Rule     string `json:"rule"`
	Key      string `json:"key"` // rule instance, e.g. "quota_used_95"
	Profile  string `json:"profile"`
	Severity string `json:"severity"`
	// Text is one line a person reads: "acme: monthly quota 95% used (4750 of 5000)".
	Text string `json:"text"`
	// Value and Threshold are the measured value and the rule's bound, in
	// the rule's unit (percent, credits, days, count).
	Value     float64 `json:"value"`
	Threshold float64 `json:"threshold,omitempty"`
	// Window is what makes two firings distinct: the quota's reset instant,
	// a batch id, an hour; "" when the rule has none.
	Window string    `json:"window,omitempty"`
	At     time.Time `json:"at"`
}

func (a Alert) String() string { return a.Text }

// Config is the alerts section of the config file. Decode onto Default()
// so keys left out keep their defaults:
//
//	alerts:
//	  quota_used_percent: [80, 95]
//	  credits_below: 100        # 0 = off
//	  credits_days_below: 3     # days at the current pace; 0 = off
//	  hysteresis_percent: 2     # how far a value must move back before re-arming
//	  events: [rate_limited, job_failed, batch_finished, cap_reached]
//	  desktop: true
//	  command: ["/usr/local/bin/page-me", "--quiet"]
//	  command_timeout: 10s
//	  webhook: https://hooks.slack.com/services/…   # a secret: shown masked
//	  webhook_timeout: 10s
type Config struct {
	QuotaUsedPercent []float64 `yaml:"quota_used_percent" mapstructure:"quota_used_percent"`
	CreditsBelow     float64   `yaml:"credits_below" mapstructure:"credits_below"`
	CreditsDaysBelow float64   `yaml:"credits_days_below" mapstructure:"credits_days_below"`
	// HysteresisPercent re-arms a threshold rule only once the value is
	// this far back past it: percentage points for the quota, percent of
	// the bound for credits and days. It stops a value hovering at the
	// bound from firing on every refresh.
	HysteresisPercent float64       `yaml:"hysteresis_percent" mapstructure:"hysteresis_percent"`
	Events            []string      `yaml:"events" mapstructure:"events"`
	Desktop           bool          `yaml:"desktop" mapstructure:"desktop"`
	Command           []string      `yaml:"command" mapstructure:"command"`
	CommandTimeout    time.Duration `yaml:"command_timeout" mapstructure:"command_timeout"`
	Webhook           string        `yaml:"webhook" mapstructure:"webhook"`
	WebhookTimeout    time.Duration `yaml:"webhook_timeout" mapstructure:"webhook_timeout"`
}

// Default is the configuration when the file says nothing.
func Default() Config {
	return Config{
		QuotaUsedPercent:  []float64{80, 95},
		CreditsDaysBelow:  3,
		HysteresisPercent: 2,
		Events:            []string{RuleRateLimited, RuleJobFailed, RuleBatchFinished, RuleCapReached},
		Desktop:           true,
		CommandTimeout:    10 * time.Second,
		WebhookTimeout:    10 * time.Second,
	}
}

// Validate reports the first setting that cannot work.
func (c Config) Validate() error {
	for _, p := range c.QuotaUsedPercent {
		if p <= 0 || p > 100 {
			return fmt.Errorf("alerts.quota_used_percent: %g is not in (0, 100]", p)
		}
	}
	switch {
	case c.CreditsBelow < 0:
		return fmt.Errorf("alerts.credits_below: %g is negative", c.CreditsBelow)
	case c.CreditsDaysBelow < 0:
		return fmt.Errorf("alerts.credits_days_below: %g is negative", c.CreditsDaysBelow)
	case c.HysteresisPercent < 0 || c.HysteresisPercent >= 50:
		return fmt.Errorf("alerts.hysteresis_percent: %g is not in [0, 50)", c.HysteresisPercent)
	case c.CommandTimeout < 0 || c.WebhookTimeout < 0:
		return fmt.Errorf("alerts: a timeout is negative")
	}
	for _, e := range c.Events {
		switch e {
		case RuleRateLimited, RuleJobFailed, RuleBatchFinished, RuleCapReached:
		default:
			return fmt.Errorf("alerts.events: unknown event %q (want rate_limited, job_failed, batch_finished or cap_reached)", e)
		}
	}
	if c.Webhook != "" {
		if _, err := checkWebhookURL(c.Webhook); err != nil {
			return fmt.Errorf("alerts.webhook: %w", err)
		}
	}
	return nil
}
