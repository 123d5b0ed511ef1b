// Package detail renders the selected job: its identity and state, and
// either its output or its problem (title, detail, stable code, field
// errors pointer → message) with what abtop will do about it.
package detail

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/abtop-dev/abtop/internal/format"
	"github.com/abtop-dev/abtop/tui/data"
	"github.com/abtop-dev/abtop/tui/styles"
	"github.com/abtop-dev/abtop/tui/text"
)

// Render draws the job in at most h lines of w cells; scroll skips lines
// of a long body. Its files are the ones the server described.
func Render(j data.Job, ok bool, w, h, scroll int, now time.Time, st styles.Styles) []string {
	return RenderWith(j, ok, Files{List: j.Outputs}, w, h, scroll, now, st)
}

// RenderWith is Render with the job's files as the downloads know them.
func RenderWith(j data.Job, ok bool, files Files, w, h, scroll int, now time.Time, st styles.Styles) []string {
	if !ok {
		return []string{st.Dim.Render("no job selected")}
	}
	var l []string
	add := func(s string) { l = append(l, s) }
	id := j.ID
	if id == "" {
		id = "not created yet"
	}
	add(fmt.Sprintf("%s %s · %s · %s · attempt %d", st.Title.Render("job"), id, j.Model, j.State, j.Attempts))
	// what went wrong and what abtop does about it come first: they are
	// why someone selects a job
	if p := j.Problem; p != nil {
		code := p.Code
		if code == "" {
			code = "no code"
		}
		title := p.Title
		if title == "" {
			title = p.Message
		}
		add(st.Critical.Render(fmt.Sprintf("✗ %s", title)) + fmt.Sprintf("  (%s, HTTP %d)", code, p.Status))
	}
	if j.Err != "" {
		add(st.Critical.Render("✗ " + j.Err))
	}
	if j.Next != "" {
		add("abtop will: " + j.Next)
	}
	if p := j.Problem; p != nil {
		if p.Detail != "" && p.Detail != p.Title {
			add("  " + p.Detail)
		}
		for _, f := range p.Fields {
			add("  " + st.Accent.Render(f.Pointer) + " → " + f.Detail)
		}
	}
	if j.Wait != "" {
		w := "waiting: " + j.Wait
		if !j.WaitUntil.IsZero() {
			w += " (until " + j.WaitUntil.Format("15:04:05") + ")"
		}
		add(st.Warning.Render("◷ " + w))
	}
	l = append(l, files.lines(st)...)
	add(st.Dim.Render("idempotency key " + j.Key))
	if !j.Enqueued.IsZero() {
		age := "queued " + format.Age(now.Sub(j.Enqueued)) + " ago"
		if j.Batch != "" {
			age += " from " + j.Batch
		}
		add(st.Dim.Render(age))
	}
	if len(j.Output) > 0 && string(j.Output) != "null" {
		var b bytes.Buffer
		indented := json.Indent(&b, j.Output, "", "  ") == nil
		out := strings.Split(b.String(), "\n")
		switch {
		case indented && scroll == 0 && len(l)+1+len(out) > h:
			// a small box: the whole output on one line beats a "{"
			// with the rest cut off (scroll shows the indented form)
			var c bytes.Buffer
			_ = json.Compact(&c, j.Output)
			add(st.Header.Render("output") + " " + c.String())
		case indented:
			add(st.Header.Render("output"))
			for _, s := range out {
				add("  " + s)
			}
		default:
			add(st.Header.Render("output") + " " + text.Clean(string(j.Output)))
		}
	}
	// the identity line stays; the rest scrolls
	const keep = 1
	if scroll > 0 && len(l) > keep {
		scroll = min(scroll, len(l)-keep-1)
		l = append(l[:keep:keep], l[keep+scroll:]...)
	}
	for i := range l {
		l[i] = text.Cut(l[i], w)
	}
	if len(l) > h {
		l = l[:h]
	}
	return l
}
