package apiclient

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// List paging bounds (API.md "Following jobs to their end").
const (
	DefaultListLimit = 20
	MaxListLimit     = 100
)

// ListJobsParams select a page of GET /v1/jobs. The zero value is the
// first page of the newest jobs at the server's default size.
type ListJobsParams struct {
	// UpdatedSince, when set, lists jobs whose updated_at is at or after
	// it, oldest change first: pass the last UpdatedAt seen to follow a
	// batch with one read per tick (jobs at exactly that instant come again).
	UpdatedSince time.Time
	Limit        int    // 1..100; 0 = the server's default (20)
	After        string // the Next of the previous page, with the same other params
	Status       string // "" or one of the Status constants
}

// JobPage is one page of GET /v1/jobs.
type JobPage struct {
	Data    []Job   `json:"data"`
	HasMore bool    `json:"has_more"`
	Next    *string `json:"next"` // the cursor for After; nil on the last page
}

// query validates p and renders it; the error names what is wrong.
func (p ListJobsParams) query() (string, error) {
	q := url.Values{}
	switch p.Status {
	case "":
	case StatusQueued, StatusRunning, StatusSucceeded, StatusFailed, StatusCanceled:
		q.Set("status", p.Status)
	default:
		return "", fmt.Errorf("unknown status %q (want queued, running, succeeded, failed or canceled)", p.Status)
	}
	if p.Limit != 0 {
		if p.Limit < 1 || p.Limit > MaxListLimit {
			return "", fmt.Errorf("limit %d is not between 1 and %d", p.Limit, MaxListLimit)
		}
		q.Set("limit", strconv.Itoa(p.Limit))
	}
	if !p.UpdatedSince.IsZero() {
		q.Set("updated_since", p.UpdatedSince.UTC().Format(time.RFC3339Nano))
	}
	if p.After != "" {
		q.Set("after", p.After)
	}
	if len(q) == 0 {
		return "", nil
	}
	return "?" + q.Encode(), nil
}

// ListJobsPage is one page of GET /v1/jobs. Follow HasMore with
// After: *Next and the same other params.
func (c *Client) ListJobsPage(ctx context.Context, p ListJobsParams) (JobPage, Meta, error) {
	q, err := p.query()
	if err != nil {
		return JobPage{}, Meta{}, fmt.Errorf("apiclient: ListJobsPage: %w", err)
	}
	var page JobPage
	m, err := c.do(ctx, http.MethodGet, "/v1/jobs"+q, nil, "", &page)
	if err == nil && page.HasMore && (page.Next == nil || *page.Next == "") {
		// Following it would loop on the first page forever.
		err = &TransportError{Method: http.MethodGet, Path: "/v1/jobs" + q, Err: fmt.Errorf("the page says has_more but gives no next cursor")}
	}
	return page, m, err
}

// WebhookSecret is GET /v1/webhooks/secret: the org's "whsec_…" signing
// key for apiclient/webhook. A read.
func (c *Client) WebhookSecret(ctx context.Context) (string, Meta, error) {
	var v struct {
		Key string `json:"key"`
	}
	m, err := c.do(ctx, http.MethodGet, "/v1/webhooks/secret", nil, "", &v)
	if err == nil && v.Key == "" {
		err = &TransportError{Method: http.MethodGet, Path: "/v1/webhooks/secret", Err: fmt.Errorf("the answer has no key")}
	}
	return v.Key, m, err
}
