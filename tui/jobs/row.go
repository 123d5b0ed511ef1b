package jobs

import (
	"strconv"
	"strings"
	"time"

	"github.com/abtop-dev/abtop/tui/data"
	"github.com/abtop-dev/abtop/tui/styles"
	"github.com/abtop-dev/abtop/tui/text"
)

// Glyph and word of a job's state, readable without colour.
func stateLabel(j *data.Job) (glyph, word string, lvl styles.Level) {
	switch j.State {
	case data.StateSucceeded:
		return "✓", "done", styles.Calm
	case data.StateFailed:
		return "✗", "failed", styles.Critical
	case data.StateCanceled:
		return "⊘", "canceled", styles.Unknown
	case data.StateRunning, data.StateCreated:
		return "▸", "running", styles.Calm
	case data.StateSending:
		return "↑", "sending", styles.Calm
	case data.StatePending:
		if j.Wait != "" {
			return "◷", "waiting", styles.Warning
		}
		return "·", "queued", styles.Unknown
	default:
		return "?", j.State, styles.Unknown
	}
}

// Column widths; the wait column takes what is left.
const (
	colState = 10
	colModel = 14
	colAtt   = 4
	colID    = 14
	colAge   = 5
	fixed    = colState + 1 + colModel + 1 + colAtt + 1 + colID + 1 + colAge
)

func shortID(id string) string {
	if id == "" {
		return "—"
	}
	if text.Width(id) > colID-1 {
		return text.Cut(id, colID-1)
	}
	return id
}

// what is the wait/result column of a job.
func what(j *data.Job, now time.Time) string {
	switch j.State {
	case data.StateSucceeded:
		return text.Float(j.Credits) + " credits"
	case data.StateFailed:
		if j.Problem != nil {
			s := j.Problem.Code
			if s == "" {
				s = strconv.Itoa(j.Problem.Status)
			}
			if len(j.Problem.Fields) > 0 {
				return s + ": " + j.Problem.Fields[0].Pointer
			}
			if j.Problem.Title != "" {
				return s + ": " + j.Problem.Title
			}
			return s
		}
		return j.Err
	case data.StateRunning, data.StateCreated:
		return "running " + text.Duration(now.Sub(j.Updated).Truncate(time.Second))
	case data.StateSending:
		if j.Attempts > 1 {
			return "sending (retry " + strconv.Itoa(j.Attempts-1) + ")"
		}
		return "sending…"
	case data.StatePending:
		if j.Wait != "" {
			return j.Wait
		}
		return "queued"
	case data.StateCanceled:
		return "canceled"
	}
	return ""
}

// second is the optional line under a row: the problem's detail or first
// field error, so an error sits on the job that caused it.
func second(j *data.Job) string {
	if j.State != data.StateFailed {
		return ""
	}
	if p := j.Problem; p != nil {
		if len(p.Fields) > 0 {
			return p.Fields[0].Detail
		}
		if p.Detail != "" {
			return p.Detail
		}
		return p.Message
	}
	return ""
}

func heading(w int, st styles.Styles) string {
	ww := max(8, w-fixed-1)
	return st.Header.Render(text.Fit("STATE", colState) + " " + text.Fit("MODEL", colModel) + " " +
		text.Fit("ATT", colAtt) + " " + text.Fit("WAIT / RESULT", ww) + " " + text.Fit("JOB ID", colID) + " " + text.FitRight("AGE", colAge))
}

// row renders one job line of exactly w cells.
func row(b *strings.Builder, j *data.Job, w int, now time.Time, st styles.Styles, selected bool) string {
	b.Reset()
	glyph, word, lvl := stateLabel(j)
	ww := max(8, w-fixed-1)
	state := text.Fit(glyph+" "+word, colState)
	b.WriteByte(' ')
	b.WriteString(text.Fit(j.Model, colModel))
	b.WriteByte(' ')
	b.WriteString(text.FitRight(strconv.Itoa(j.Attempts), colAtt-1))
	b.WriteString("  ")
	b.WriteString(text.Fit(what(j, now), ww))
	b.WriteByte(' ')
	b.WriteString(text.Fit(shortID(j.ID), colID))
	b.WriteByte(' ')
	age := "—"
	if !j.Enqueued.IsZero() {
		age = text.Age(now.Sub(j.Enqueued))
	}
	b.WriteString(text.FitRight(age, colAge))
	rest := text.Fit(b.String(), max(0, w-colState))
	if selected {
		return st.Selected.Render(state + rest)
	}
	if lvl == styles.Critical || lvl == styles.Warning {
		// colour only the state cell: the words already say it
		return st.For(lvl).Render(state) + rest
	}
	return state + rest
}
