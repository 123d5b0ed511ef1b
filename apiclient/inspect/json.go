package inspect

import (
	"encoding/json"
	"time"

	"github.com/abtop-dev/abtop/apiclient/usage"
)

// LimitJSON is one limit in the --json output. Every key is always present;
// null means the server did not say.
type LimitJSON struct {
	Unit        string   `json:"unit"`
	Limit       *int64   `json:"limit"`
	Remaining   *int64   `json:"remaining"`
	Used        *int64   `json:"used"`
	ResetAfterS *float64 `json:"reset_after_s"`
	Scope       *string  `json:"scope"`
}

// QuotaJSON is the monthly quota in the --json output.
type QuotaJSON struct {
	Limit       *int64   `json:"limit"`
	Remaining   *int64   `json:"remaining"`
	ResetAfterS *float64 `json:"reset_after_s"`
}

// ErrorJSON is the error in the --json output.
type ErrorJSON struct {
	Code    *string     `json:"code"`
	Message *string     `json:"message"`
	Fields  []FieldJSON `json:"fields"`
}

// FieldJSON is one field error.
type FieldJSON struct {
	Pointer string `json:"pointer"`
	Detail  string `json:"detail"`
}

// reportJSON is the exact object of issue 2 item 5, keys in its order.
type reportJSON struct {
	Status          int         `json:"status"`
	Limits          []LimitJSON `json:"limits"`
	Binding         *int        `json:"binding"`
	RetryAfterS     *float64    `json:"retry_after_s"`
	BodyRetryAfterS *float64    `json:"body_retry_after_s"`
	WaitS           *float64    `json:"wait_s"`
	Quota           *QuotaJSON  `json:"quota"`
	Credits         *float64    `json:"credits"`
	Error           *ErrorJSON  `json:"error"`
	Retryable       *bool       `json:"retryable"`
	Exhausted       *string     `json:"exhausted"`
}

// MarshalJSON writes the --json object: every key always present.
func (r Report) MarshalJSON() ([]byte, error) {
	out := reportJSON{
		Status:      r.Status,
		Limits:      Limits(r.Snapshot),
		Binding:     Binding(r.Snapshot),
		RetryAfterS: Seconds(r.Snapshot.RetryAfter),
		WaitS:       Seconds(r.Wait),
		Quota:       Quota(r.Snapshot),
		Credits:     r.Credits,
	}
	if r.Problem != nil {
		out.BodyRetryAfterS = Seconds(r.Problem.BodyRetryAfter)
		e := &ErrorJSON{Code: str(r.Problem.Code), Message: str(r.Problem.Message), Fields: []FieldJSON{}}
		for _, f := range r.Problem.Fields {
			e.Fields = append(e.Fields, FieldJSON{Pointer: f.Pointer, Detail: f.Detail})
		}
		out.Error = e
	}
	if r.Class != nil {
		b := r.Class.Retryable
		out.Retryable = &b
	}
	if r.Exhausted != "" {
		out.Exhausted = str(string(r.Exhausted))
	}
	return json.Marshal(out)
}

// Limits converts a snapshot's limits; never nil, so it marshals as [].
func Limits(s usage.Snapshot) []LimitJSON {
	out := make([]LimitJSON, 0, len(s.Limits))
	for _, l := range s.Limits {
		out = append(out, LimitJSON{
			Unit: l.Unit, Limit: l.Limit, Remaining: l.Remaining, Used: l.Used,
			ResetAfterS: Seconds(l.ResetAfter), Scope: str(l.Scope),
		})
	}
	return out
}

// Binding is the index of the binding limit, nil when there is none.
func Binding(s usage.Snapshot) *int {
	if _, ok := s.BindingLimit(); !ok {
		return nil
	}
	b := s.Binding
	return &b
}

// Quota converts the snapshot's quota, nil when the response had none.
func Quota(s usage.Snapshot) *QuotaJSON {
	if s.Quota == nil {
		return nil
	}
	return &QuotaJSON{Limit: s.Quota.Limit, Remaining: s.Quota.Remaining, ResetAfterS: Seconds(s.Quota.ResetAfter)}
}

// Seconds is d in seconds, nil when d is nil.
func Seconds(d *time.Duration) *float64 {
	if d == nil {
		return nil
	}
	s := d.Seconds()
	return &s
}

func str(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
