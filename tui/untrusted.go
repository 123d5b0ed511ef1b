package tui

import (
	"github.com/abtop-dev/abtop/apiclient/problem"
	"github.com/abtop-dev/abtop/tui/data"
	"github.com/abtop-dev/abtop/tui/text"
)

// Text that comes from outside (the server's problem bodies and job
// fields, the queue's notes, file contents) is cleaned once, where it
// enters the model, so no component ever draws a newline or an escape
// sequence it did not make itself (see text.Clean).

// cleanJob returns j with every string it displays cleaned. The problem
// is copied, never changed in place: the queue may still hold it.
func cleanJob(j Job) Job {
	c := text.Clean
	j.Key, j.ID, j.Model, j.State = c(j.Key), c(j.ID), c(j.Model), data.State(c(string(j.State)))
	j.Wait, j.Err, j.Next, j.Batch = c(j.Wait), c(j.Err), c(j.Next), c(j.Batch)
	if p := j.Problem; p != nil {
		cp := *p
		cp.Code, cp.Title, cp.Detail, cp.Message = c(p.Code), c(p.Title), c(p.Detail), c(p.Message)
		cp.Fields = make([]problem.FieldError, len(p.Fields))
		for i, f := range p.Fields {
			cp.Fields[i] = problem.FieldError{Pointer: c(f.Pointer), Detail: c(f.Detail)}
		}
		j.Problem = &cp
	}
	if len(j.Outputs) > 0 {
		outs := make([]data.Output, len(j.Outputs)) // a copy, as the problem
		for i, o := range j.Outputs {
			outs[i] = cleanOutput(o)
		}
		j.Outputs = outs
	}
	return j
}

func cleanState(s QueueState) QueueState {
	s.Reason = text.Clean(s.Reason)
	s.Owner = text.Clean(s.Owner) // a file name another process chose
	return s
}
