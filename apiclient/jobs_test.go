package apiclient

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestListJobsParamsQuery(t *testing.T) {
	since := time.Date(2026, 1, 2, 3, 4, 5, 600, time.FixedZone("x", 3600))
	cases := []struct {
		p       ListJobsParams
		want    string
		wantErr bool
	}{
		{ListJobsParams{}, "", false},
		{ListJobsParams{Limit: 100, Status: StatusFailed}, "?limit=100&status=failed", false},
		{ListJobsParams{UpdatedSince: since, After: "a b&c", Limit: 1}, "?after=a+b%26c&limit=1&updated_since=2026-01-02T02%3A04%3A05.0000006Z", false},
		{ListJobsParams{Limit: 101}, "", true},
		{ListJobsParams{Limit: -1}, "", true},
		{ListJobsParams{Status: "done"}, "", true},
	}
	for _, c := range cases {
		got, err := c.p.query()
		if got != c.want || (err != nil) != c.wantErr {
			t.Errorf("%+v: %q %v, want %q (error %v)", c.p, got, err, c.want, c.wantErr)
		}
	}
}

// A page that says has_more without a cursor would make a follower loop on
// the first page: it is an error, not a page.
func TestListJobsPageWithoutNext(t *testing.T) {
	for body, wantErr := range map[string]bool{
		`{"data":[],"has_more":true,"next":null}`: true,
		`{"data":[],"has_more":true,"next":""}`:   true,
		`{"data":[],"has_more":true,"next":"c"}`:  false,
		`{"data":[],"has_more":false}`:            false,
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(body))
		}))
		c, err := New(Options{BaseURL: srv.URL, Token: "ab_" + "x0123456789012345678901234567890123456789012345678"[:48]})
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = c.ListJobsPage(context.Background(), ListJobsParams{})
		var te *TransportError
		if (err != nil) != wantErr || (err != nil && !errors.As(err, &te)) {
			t.Errorf("%s: %v, want error %v", body, err, wantErr)
		}
		srv.Close()
	}
}
