package report

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"time"
)

// Columns of the CSV and the fields of each JSON line, in order. These
// names are a stable interface for scripts: add columns at the end, never
// rename or reorder. The first CSV column is named after the grouping
// (day, model, profile, status); JSON calls it "key".
var Columns = []string{
	"jobs", "finished", "credits", "credits_charged", "credits_refunded",
	"writes", "throttled", "retry_after_seconds", "waited_seconds",
}

func values(l Line) []string {
	return []string{
		strconv.FormatInt(l.Created, 10), strconv.FormatInt(l.Finished, 10),
		num(l.Credits()), num(l.Charged), num(l.Refunded),
		strconv.FormatInt(l.Writes, 10), strconv.FormatInt(l.Throttled, 10),
		secs(l.RetryWait), secs(l.Waited),
	}
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func secs(d time.Duration) string { return num(d.Seconds()) }

// WriteCSV writes a header and one record per group; no total line, so a
// spreadsheet's own sum is right.
func (r Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(append([]string{string(r.By)}, Columns...)); err != nil {
		return err
	}
	for _, l := range r.Lines {
		if err := cw.Write(append([]string{l.Key}, values(l)...)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// jsonLine is one group (or the total, without key) in JSON.
type jsonLine struct {
	Key               *string `json:"key,omitempty"`
	Jobs              int64   `json:"jobs"`
	Finished          int64   `json:"finished"`
	Credits           float64 `json:"credits"`
	CreditsCharged    float64 `json:"credits_charged"`
	CreditsRefunded   float64 `json:"credits_refunded"`
	Writes            int64   `json:"writes"`
	Throttled         int64   `json:"throttled"`
	RetryAfterSeconds float64 `json:"retry_after_seconds"`
	WaitedSeconds     float64 `json:"waited_seconds"`
}

func toJSON(l Line, withKey bool) jsonLine {
	j := jsonLine{Jobs: l.Created, Finished: l.Finished, Credits: l.Credits(), CreditsCharged: l.Charged,
		CreditsRefunded: l.Refunded, Writes: l.Writes, Throttled: l.Throttled,
		RetryAfterSeconds: l.RetryWait.Seconds(), WaitedSeconds: l.Waited.Seconds()}
	if withKey {
		k := l.Key
		j.Key = &k
	}
	return j
}

// WriteJSON writes {"from","to","zone","by","rows":[…],"total":{…},
// "forecasts":[…]}.
func (r Report) WriteJSON(w io.Writer) error {
	out := struct {
		From      time.Time      `json:"from"`
		To        time.Time      `json:"to"`
		Zone      string         `json:"zone"`
		By        By             `json:"by"`
		Rows      []jsonLine     `json:"rows"`
		Total     jsonLine       `json:"total"`
		Forecasts []forecastJSON `json:"forecasts"`
	}{From: r.From, To: r.To, By: r.By, Rows: []jsonLine{}, Total: toJSON(Line{Tally: r.Total}, false), Forecasts: []forecastJSON{}}
	if r.Zone != nil {
		out.Zone = r.Zone.String()
	}
	for _, l := range r.Lines {
		out.Rows = append(out.Rows, toJSON(l, true))
	}
	for _, f := range r.Forecasts {
		out.Forecasts = append(out.Forecasts, forecastToJSON(f))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
