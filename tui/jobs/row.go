package jobs

import (
	"strconv"
	"strings"
	"time"

	"github.com/abtop-dev/abtop/internal/format"
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
	case data.StateRunning:
		return "▸", "running", styles.Calm
	case data.StateCreated:
		// on the server, but not seen running yet: not called running
		return "▹", "created", styles.Calm
	case data.StateSending:
		return "↑", "sending", styles.Calm
	case data.StatePending:
		if j.Wait != "" {
			return "◷", "waiting", styles.Warning
		}
		return "·", "queued", styles.Unknown
	default:
		return "?", string(j.State), styles.Unknown
	}
}

// Column widths; the wait column takes what is left.
const (
	colState = 10
	colAtt   = 4
	colAge   = 5
)

// cols adapts the table to the width: narrow tables drop the job id and
// shorten the model so the wait/result column stays readable.
type cols struct{ model, id, wait int }

func columns(w int) cols {
	c := cols{model: 14, id: 14}
	if w < 90 {
		c.model, c.id = 12, 0
	}
	fixed := colState + 1 + c.model + 1 + colAtt + 1 + colAge
	if c.id > 0 {
		fixed += c.id + 1
	}
	c.wait = max(8, w-fixed-1)
	return c
}

func shortID(id string, w int) string {
	if id == "" {
		return "—"
	}
	return text.Cut(id, w-1)
}

// what is the wait/result column of a job.
func what(j *data.Job, now time.Time) string {
	switch j.State {
	case data.StateSucceeded:
		return format.Credits(j.Credits)
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
	case data.StateRunning:
		return "running " + format.Duration(now.Sub(j.Updated).Truncate(time.Second))
	case data.StateCreated:
		return "created " + format.Age(now.Sub(j.Updated)) + " ago, waiting for its status"
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
	c := columns(w)
	s := text.Fit("STATE", colState) + " " + text.Fit("MODEL", c.model) + " " +
		text.Fit("ATT", colAtt) + " " + text.Fit("WAIT / RESULT", c.wait) + " "
	if c.id > 0 {
		s += text.Fit("JOB ID", c.id) + " "
	}
	return st.Header.Render(text.Fit(s+text.FitRight("AGE", colAge), w))
}

// row renders one job line of exactly w cells.
func row(b *strings.Builder, j *data.Job, w int, now time.Time, st styles.Styles, selected bool) string {
	b.Reset()
	glyph, word, lvl := stateLabel(j)
	c := columns(w)
	state := text.Fit(glyph+" "+word, colState)
	b.WriteByte(' ')
	b.WriteString(text.Fit(j.Model, c.model))
	b.WriteByte(' ')
	b.WriteString(text.FitRight(strconv.Itoa(j.Attempts), colAtt-1))
	b.WriteString("  ")
	b.WriteString(text.Fit(what(j, now), c.wait))
	b.WriteByte(' ')
	if c.id > 0 {
		b.WriteString(text.Fit(shortID(j.ID, c.id), c.id))
		b.WriteByte(' ')
	}
	age := "—"
	if !j.Enqueued.IsZero() {
		age = format.Age(now.Sub(j.Enqueued))
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
