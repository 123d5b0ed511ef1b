package estimate

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/charmbracelet/x/exp/golden"
)

var models = []apiclient.Model{
	{ID: "flux-schnell", Kind: "image", Credits: 1},
	{ID: "kling-2.6", Kind: "video", Credits: 10},
	{ID: "eleven-v3", Kind: "audio", Credits: 2.5},
}

func jobsOf(names ...string) []Job {
	out := make([]Job, len(names))
	for i, n := range names {
		out[i] = Job{Line: i + 1, Model: n}
	}
	return out
}

func ptr[T any](v T) *T { return &v }

const (
	img = "flux-schnell"
	vid = "kling-2.6"
	aud = "eleven-v3"
)

func TestCompute(t *testing.T) {
	five := jobsOf(img, vid, img, vid, img) // credits 1, 11, 12, 22, 23
	hundred := make([]Job, 100)
	for i := range hundred {
		hundred[i] = Job{Line: i + 1, Model: img}
	}
	tests := []struct {
		name      string
		jobs      []Job
		limits    Limits
		credits   float64
		first     What // "" = nothing runs out
		afterJobs int
		atLine    int
		duration  time.Duration
		rateKnown bool
	}{
		{name: "nothing known", jobs: five, credits: 23},
		{name: "credits run out at the job that crosses the balance", jobs: five, credits: 23,
			limits: Limits{Credits: ptr(12.0)}, first: WhatCredits, afterJobs: 3, atLine: 4},
		{name: "a balance equal to the need suffices", jobs: five, credits: 23,
			limits: Limits{Credits: ptr(23.0)}},
		{name: "quota before credits", jobs: five, credits: 23,
			limits: Limits{Credits: ptr(12.0), Quota: &Allowance{Remaining: 2, Limit: 25000}, Daily: &Allowance{Remaining: 10}},
			first:  WhatQuota, afterJobs: 2, atLine: 3},
		{name: "daily limit first", jobs: five, credits: 23,
			limits: Limits{Quota: &Allowance{Remaining: 4}, Daily: &Allowance{Remaining: 1, Reset: 3 * time.Hour}},
			first:  WhatDaily, afterJobs: 1, atLine: 2},
		{name: "fits in the current window", jobs: five, credits: 23,
			limits: Limits{RateLimit: 60, RateRemaining: ptr(int64(10)), RateReset: 20 * time.Second}, rateKnown: true},
		{name: "rate windows with others taking half", jobs: hundred, credits: 100,
			// 5 now (half of 10 left), then 30 a window: 95 more need 4 windows.
			limits:   Limits{RateLimit: 60, RateRemaining: ptr(int64(10)), RateReset: 20 * time.Second, OthersShare: 0.5},
			duration: 20*time.Second + 3*time.Minute, rateKnown: true},
		{name: "points: 5 a write", jobs: hundred, credits: 100,
			// 20 writes a window, all 20 now: 80 more need 4 windows of 30 s.
			limits:   Limits{RateLimit: 100, RateReset: 10 * time.Second, Window: 30 * time.Second, WriteCost: 5},
			duration: 10*time.Second + 90*time.Second, rateKnown: true},
		{name: "concurrency bound", jobs: jobsOf(img, img, img, vid, vid), credits: 23,
			// (3×10 s + 2×60 s) / 2 slots.
			limits:   Limits{RateLimit: 60, Concurrency: 2, RunTime: map[string]time.Duration{img: 10 * time.Second, vid: time.Minute}},
			duration: 75 * time.Second, rateKnown: true},
		{name: "a model without run time leaves concurrency out", jobs: jobsOf(img, aud), credits: 3.5,
			limits:    Limits{RateLimit: 60, Concurrency: 1, RunTime: map[string]time.Duration{img: time.Hour}},
			rateKnown: true},
		{name: "empty batch", jobs: nil, limits: Limits{RateLimit: 60, Credits: ptr(0.0)}, rateKnown: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := Compute(tt.jobs, models, tt.limits)
			if e.Credits != tt.credits || e.Writes != int64(len(tt.jobs)) || e.Jobs != len(tt.jobs) {
				t.Errorf("credits %v, writes %d, jobs %d; want %v, %d", e.Credits, e.Writes, e.Jobs, tt.credits, len(tt.jobs))
			}
			switch {
			case tt.first == "" && e.First != nil:
				t.Errorf("first to run out = %+v, want none", *e.First)
			case tt.first != "" && e.First == nil:
				t.Errorf("nothing runs out, want %s", tt.first)
			case tt.first != "" && (e.First.What != tt.first || e.First.AfterJobs != tt.afterJobs || e.First.AtLine != tt.atLine):
				t.Errorf("first = %s after %d (line %d), want %s after %d (line %d)", e.First.What, e.First.AfterJobs, e.First.AtLine, tt.first, tt.afterJobs, tt.atLine)
			}
			if e.Duration != tt.duration || e.RateKnown != tt.rateKnown {
				t.Errorf("duration %v (rate known %v), want %v (%v)", e.Duration, e.RateKnown, tt.duration, tt.rateKnown)
			}
		})
	}
}

func TestModelsSumAndSortByCredits(t *testing.T) {
	e := Compute(jobsOf(img, aud, vid, img, aud), models, Limits{})
	want := []ModelLine{
		{Model: vid, Kind: "video", Price: 10, Jobs: 1, Credits: 10},
		{Model: aud, Kind: "audio", Price: 2.5, Jobs: 2, Credits: 5},
		{Model: img, Kind: "image", Price: 1, Jobs: 2, Credits: 2},
	}
	if len(e.Models) != len(want) {
		t.Fatalf("models = %+v", e.Models)
	}
	for i := range want {
		if e.Models[i] != want[i] {
			t.Errorf("model %d = %+v, want %+v", i, e.Models[i], want[i])
		}
	}
}

// evil is a model name a hostile server could send: it retitles the terminal.
const evil = "\x1b]0;pwned\x07x"

// A 1,000-line batch mixing image, video and audio, against a team org.
func mixed() (Estimate, Limits) {
	var jobs []Job
	for i := range 1000 {
		m := img
		switch i % 10 {
		case 3, 7:
			m = vid
		case 5:
			m = aud
		}
		jobs = append(jobs, Job{Line: i + 2, Model: m}) // line 1 is a comment
	}
	jobs[999].Model = evil
	l := Limits{RateLimit: 60, RateRemaining: ptr(int64(41)), RateReset: 35 * time.Second, OthersShare: 0.25,
		Concurrency: 10, Credits: ptr(1250.5), Quota: &Allowance{Remaining: 24120, Limit: 25000, Reset: 20 * 24 * time.Hour}}
	return Compute(jobs, append(models, apiclient.Model{ID: evil, Kind: "image", Credits: 1}), l), l
}

func TestRenderings(t *testing.T) {
	e, l := mixed()
	// Job 424: 30 go now, 394 more need 9 windows of 45 (the first at the reset).
	if e.Credits != 2950 || e.First == nil || e.First.What != WhatCredits || e.First.At != 35*time.Second+8*time.Minute {
		t.Fatalf("mixed batch: %v credits, first %+v", e.Credits, e.First)
	}
	t.Run("text", func(t *testing.T) {
		var b bytes.Buffer
		if err := e.WriteText(&b, l); err != nil {
			t.Fatal(err)
		}
		if bytes.ContainsAny(b.Bytes(), "\x1b\x07") {
			t.Errorf("text carries control characters:\n%q", b.String())
		}
		golden.RequireEqual(t, b.Bytes())
	})
	t.Run("json", func(t *testing.T) {
		var b bytes.Buffer
		if err := e.WriteJSON(&b); err != nil {
			t.Fatal(err)
		}
		var v map[string]any
		if err := json.Unmarshal(b.Bytes(), &v); err != nil {
			t.Fatal(err)
		}
		golden.RequireEqual(t, b.Bytes())
	})
}
