package download_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/download"
	"github.com/abtop-dev/abtop/sandbox"
)

// epoch moves synctest's year-2000 clock to 2026 (see the sandbox's
// client conformance tests).
const epoch = (26*365 + 7) * 24 * time.Hour

func now() time.Time { return time.Now().Add(epoch) }

type env struct {
	sb   *sandbox.Sandbox
	http *http.Client // plain: no token
	api  *apiclient.Client
}

// newEnv serves a sandbox in memory; call inside synctest.Test.
func newEnv(t *testing.T, faults sandbox.Faults) *env {
	t.Helper()
	sb, err := sandbox.New(sandbox.Options{Now: now, Faults: faults, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, tok, err := sb.Bootstrap(sandbox.OrgOptions{Plan: sandbox.PlanEnterprise, Credits: 1000})
	if err != nil {
		t.Fatal(err)
	}
	hc, base, stop := sb.ServeInMemory()
	t.Cleanup(stop)
	api, err := apiclient.New(apiclient.Options{BaseURL: base, Token: tok, HTTPClient: hc, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return &env{sb: sb, http: hc, api: api}
}

// image creates a flux job, waits for it and returns its one file.
func (e *env) image(t *testing.T) apiclient.OutputFile {
	t.Helper()
	ctx := context.Background()
	in, _ := json.Marshal(map[string]any{"prompt": "a kite"})
	var j apiclient.Job
	var err error
	for range 20 { // API faults may be on too: retry with the same key
		if j, _, err = e.api.CreateJob(ctx, apiclient.JobRequest{Model: "flux-schnell", Input: in}, "k"); err == nil {
			break
		}
		time.Sleep(5 * time.Second)
	}
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Minute)
	return e.fresh(t, j.ID)
}

func (e *env) fresh(t *testing.T, id string) apiclient.OutputFile {
	t.Helper()
	for range 20 {
		j, _, err := e.api.GetJob(context.Background(), id)
		if err != nil {
			time.Sleep(5 * time.Second)
			continue
		}
		files, err := j.OutputFiles()
		if err != nil || len(files) != 1 {
			t.Fatalf("job %s: %v %v", j.Status, files, err)
		}
		return files[0]
	}
	t.Fatal("GetJob kept failing")
	return apiclient.OutputFile{}
}

func spec(f apiclient.OutputFile) download.File {
	return download.File{URL: f.URL, Size: f.SizeBytes, SHA256: f.SHA256}
}

func kind(err error) error {
	var de *download.Error
	if errors.As(err, &de) {
		return de.Kind
	}
	return err
}

// dirHolds fails unless dir has exactly these names (nothing partial).
func dirHolds(t *testing.T, dir string, want ...string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("directory holds %v, want %v", got, want)
	}
}

// Each file-host fault kind, at fraction 1, as Fetch reports it; a failed
// download leaves the previous file alone and no temporary behind.
func TestFileFaults(t *testing.T) {
	cases := []struct {
		kind       sandbox.FaultKind
		want       error
		status     int
		retryAfter time.Duration
	}{
		{sandbox.FaultFileCut, download.ErrCutShort, 0, 0},
		{sandbox.FaultFile503, download.ErrTransient, 503, time.Second},
		{sandbox.FaultFileExpired, download.ErrExpired, 410, 0},
	}
	for _, c := range cases {
		t.Run(string(c.kind), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				e := newEnv(t, sandbox.Faults{c.kind: 1})
				f := e.image(t)
				dir := t.TempDir()
				if err := os.WriteFile(filepath.Join(dir, "a.png"), []byte("previous"), 0o644); err != nil {
					t.Fatal(err)
				}
				_, err := (&download.Fetcher{Client: e.http}).Fetch(context.Background(), spec(f), dir, "a.png")
				var de *download.Error
				if !errors.As(err, &de) || de.Kind != c.want || de.Status != c.status || de.RetryAfter != c.retryAfter {
					t.Fatalf("err %#v, want kind %v status %d retry after %v", err, c.want, c.status, c.retryAfter)
				}
				if !errors.Is(err, c.want) || !download.Retryable(err) {
					t.Errorf("errors.Is(%v) false or not retryable", c.want)
				}
				if strings.Contains(err.Error(), "sig=") {
					t.Errorf("error %q shows the link's signature", err)
				}
				if b, _ := os.ReadFile(filepath.Join(dir, "a.png")); string(b) != "previous" {
					t.Errorf("the earlier file became %q", b)
				}
				dirHolds(t, dir, "a.png")
				if s := e.sb.Stats(); s.Faults[string(c.kind)] != 1 || s.Downloads != 0 {
					t.Errorf("faults %v downloads %d", s.Faults, s.Downloads)
				}
			})
		})
	}
}

// With every kind mixed in, retrying (a fresh link after ErrExpired) gets
// every file; the seed makes the run the same each time.
func TestRetryThroughMixedFaults(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		faults, _ := sandbox.ParseFaults("file_cut=0.2,file_503=0.2,file_expired=0.2")
		e := newEnv(t, faults)
		f := e.image(t)
		dir := t.TempDir()
		fetcher := download.Fetcher{Client: e.http}
		var tries int
		for tries = 1; tries <= 50; tries++ {
			_, err := fetcher.Fetch(context.Background(), spec(f), dir, "a.png")
			if err == nil {
				break
			}
			if !download.Retryable(err) {
				t.Fatal(err)
			}
			if errors.Is(err, download.ErrExpired) {
				f = e.fresh(t, strings.Split(f.URL, "/")[4])
			}
			var de *download.Error
			errors.As(err, &de)
			time.Sleep(max(de.RetryAfter, time.Second))
		}
		if tries > 50 {
			t.Fatal("no success in 50 tries")
		}
		if err := download.Verify(filepath.Join(dir, "a.png"), spec(f)); err != nil {
			t.Error(err)
		}
		if s := e.sb.Stats(); s.FileRequests != int64(tries) || s.Downloads != 1 || s.FileRequestsWithAuthorization != 0 {
			t.Errorf("file requests %d (tries %d), downloads %d, with Authorization %d", s.FileRequests, tries, s.Downloads, s.FileRequestsWithAuthorization)
		}
	})
}

// Bytes that do not match size_bytes or sha256 never get the final name.
func TestChecksAgainstTheMetadata(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, nil)
		f := spec(e.image(t))
		dir := t.TempDir()
		fetcher := download.Fetcher{Client: e.http}
		flip := []byte(f.SHA256)
		flip[0] ^= 1 // '0'..'9' and 'a'..'f' stay hex
		if flip[0] < '0' || (flip[0] > '9' && flip[0] < 'a') || flip[0] > 'f' {
			flip[0] = map[bool]byte{true: '1', false: '0'}[f.SHA256[0] == '0']
		}
		cases := []struct {
			name string
			f    download.File
			want error
		}{
			{"sha256", download.File{URL: f.URL, Size: f.Size, SHA256: string(flip)}, download.ErrChecksum},
			{"longer than promised", download.File{URL: f.URL, Size: f.Size - 1, SHA256: f.SHA256}, download.ErrChecksum},
			{"shorter than promised", download.File{URL: f.URL, Size: f.Size + 10, SHA256: f.SHA256}, download.ErrCutShort},
		}
		for _, c := range cases {
			if _, err := fetcher.Fetch(context.Background(), c.f, dir, "a.png"); kind(err) != c.want {
				t.Errorf("%s: %v, want %v", c.name, err, c.want)
			}
		}
		dirHolds(t, dir)
		res, err := fetcher.Fetch(context.Background(), f, dir, "sub/a.png")
		if err != nil || res.Bytes != f.Size || res.Path != filepath.Join(dir, "sub", "a.png") {
			t.Fatalf("%+v %v", res, err)
		}
		if err := download.Verify(res.Path, f); err != nil {
			t.Errorf("Verify: %v", err)
		}
		if err := os.Truncate(res.Path, f.Size-1); err != nil {
			t.Fatal(err)
		}
		if err := download.Verify(res.Path, f); err == nil {
			t.Error("Verify accepted a truncated file")
		}
	})
}

// roundTripper records what would go out, and answers with a redirect.
type roundTripper struct {
	reqs     []*http.Request
	location string
}

func (rt *roundTripper) RoundTrip(r *http.Request) (*http.Response, error) {
	rt.reqs = append(rt.reqs, r)
	h := http.Header{"Location": {rt.location}}
	return &http.Response{StatusCode: http.StatusFound, Header: h, Body: io.NopCloser(strings.NewReader("")), Request: r}, nil
}

// Nothing is sent for a link that is not http(s), plain http to a remote
// host, or a name outside the directory; a redirect to such a link is not
// followed; no request carries Authorization.
func TestRefusals(t *testing.T) {
	sha := strings.Repeat("ab", 32)
	rt := &roundTripper{location: "http://files.example.com/x.png"}
	fetcher := download.Fetcher{Client: &http.Client{Transport: rt}}
	dir := t.TempDir()
	cases := []struct {
		name, url, file string
		want            error
	}{
		{"ftp", "ftp://files.example.com/x.png", "x.png", download.ErrRefused},
		{"file", "file:///etc/passwd", "x.png", download.ErrRefused},
		{"plain http remote", "http://files.example.com/x.png", "x.png", download.ErrRefused},
		{"credentials", "https://u:p@files.example.com/x.png", "x.png", download.ErrRefused},
		{"parent", "https://files.example.com/x.png", "../x.png", download.ErrRefused},
		{"absolute", "https://files.example.com/x.png", "/tmp/x.png", download.ErrRefused},
		{"empty name", "https://files.example.com/x.png", "", download.ErrRefused},
		{"redirect to plain http", "https://files.example.com/x.png", "x.png", download.ErrRefused},
	}
	for _, c := range cases {
		if _, err := fetcher.Fetch(context.Background(), download.File{URL: c.url, Size: 1, SHA256: sha}, dir, c.file); kind(err) != c.want {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	if len(rt.reqs) != 1 || rt.reqs[0].URL.Scheme != "https" || rt.reqs[0].Header.Get("Authorization") != "" {
		t.Errorf("requests sent: %d (want only the https one, without Authorization)", len(rt.reqs))
	}
	if _, err := fetcher.Fetch(context.Background(), download.File{URL: "https://x/y", Size: 1, SHA256: "zz"}, dir, "x.png"); kind(err) != download.ErrRefused {
		t.Errorf("bad sha256: %v, want ErrRefused", err)
	}
	insecure := download.Fetcher{Client: &http.Client{Transport: rt}, AllowInsecureHTTP: true}
	rt.location = "https://files.example.com/y.png"
	if _, err := insecure.Fetch(context.Background(), download.File{URL: "http://files.example.com/x.png", Size: 1, SHA256: sha}, dir, "x.png"); err == nil || len(rt.reqs) < 2 {
		t.Errorf("AllowInsecureHTTP: %v after %d requests; want it sent", err, len(rt.reqs))
	}
	dirHolds(t, dir)
}
