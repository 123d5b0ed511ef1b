package sandbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/abtop-dev/abtop/apiclient"
	"github.com/abtop-dev/abtop/apiclient/download"
	"github.com/abtop-dev/abtop/sandbox"
)

// Issue 12's contract, through the real client: paged lists that follow
// changes, output files with real bytes on the file host.

var roomy = sandbox.OrgOptions{Plan: sandbox.PlanEnterprise, Credits: 10000}

func job(model string, input map[string]any) apiclient.JobRequest {
	in, _ := json.Marshal(input)
	return apiclient.JobRequest{Model: model, Input: in}
}

// follow walks one updated_since listing to its end, page by page.
func follow(t *testing.T, e *clientEnv, since time.Time, limit int) []apiclient.Job {
	t.Helper()
	var all []apiclient.Job
	p := apiclient.ListJobsParams{UpdatedSince: since, Limit: limit}
	for range 1000 {
		page, _, err := e.c.ListJobsPage(context.Background(), p)
		if err != nil {
			t.Fatalf("ListJobsPage %+v: %v", p, err)
		}
		all = append(all, page.Data...)
		if !page.HasMore {
			if page.Next != nil {
				t.Errorf("last page has next %q", *page.Next)
			}
			return all
		}
		p.After = *page.Next
	}
	t.Fatal("no end after 1000 pages")
	return nil
}

func TestListUpdatedSinceFollowsABatch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newClientEnv(t, sandbox.Options{}, roomy)
		ctx := context.Background()
		start := clientNow()
		var ids []string
		for i := range 45 {
			j, _, err := e.c.CreateJob(ctx, job("flux-schnell", map[string]any{"prompt": "p", "ref": fmt.Sprint(i)}), "")
			if err != nil {
				t.Fatal(err)
			}
			if !j.UpdatedAt.Equal(j.CreatedAt) {
				t.Errorf("new job updated_at %v, created_at %v", j.UpdatedAt, j.CreatedAt)
			}
			ids = append(ids, j.ID)
			time.Sleep(100 * time.Millisecond)
		}
		// First page now, while jobs are still changing; the rest later.
		first, _, err := e.c.ListJobsPage(ctx, apiclient.ListJobsParams{UpdatedSince: start, Limit: 10})
		if err != nil || len(first.Data) != 10 || !first.HasMore {
			t.Fatalf("first page: %d jobs, has_more %v, %v", len(first.Data), first.HasMore, err)
		}
		time.Sleep(time.Minute) // every job finishes
		seen := map[string]apiclient.Job{}
		for _, j := range first.Data {
			seen[j.ID] = j
		}
		p := apiclient.ListJobsParams{UpdatedSince: start, Limit: 10, After: *first.Next}
		var walked []apiclient.Job
		for {
			page, _, err := e.c.ListJobsPage(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			walked = append(walked, page.Data...)
			if !page.HasMore {
				break
			}
			p.After = *page.Next
		}
		for i, j := range walked {
			seen[j.ID] = j
			if i > 0 && j.UpdatedAt.Before(walked[i-1].UpdatedAt) {
				t.Errorf("page order: %s at %v after %v", j.ID, j.UpdatedAt, walked[i-1].UpdatedAt)
			}
		}
		// The first page's jobs changed after it was read: they come again.
		for _, id := range ids {
			if j, ok := seen[id]; !ok || j.Status != apiclient.StatusSucceeded {
				t.Errorf("job %s: last seen %+v, want succeeded (never skipped)", id, j.Status)
			}
		}
		if n := len(follow(t, e, start, 100)); n != 45 {
			t.Errorf("one full walk: %d jobs, want 45", n)
		}
		// Since the last change seen: only jobs at that instant, then nothing new.
		last := walked[len(walked)-1].UpdatedAt
		if again := follow(t, e, last, 100); len(again) != 1 || again[0].ID != walked[len(walked)-1].ID {
			t.Errorf("since the last updated_at: %d jobs, want just the last one", len(again))
		}
	})
}

func TestListPagingAndBadParams(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newClientEnv(t, sandbox.Options{}, roomy)
		ctx := context.Background()
		for range 25 {
			if _, _, err := e.c.CreateJob(ctx, flux("x"), ""); err != nil {
				t.Fatal(err)
			}
		}
		p1, _, err := e.c.ListJobsPage(ctx, apiclient.ListJobsParams{})
		if err != nil || len(p1.Data) != 20 || !p1.HasMore || p1.Next == nil {
			t.Fatalf("default page: %d jobs, has_more %v, %v", len(p1.Data), p1.HasMore, err)
		}
		p2, _, err := e.c.ListJobsPage(ctx, apiclient.ListJobsParams{After: *p1.Next})
		if err != nil || len(p2.Data) != 5 || p2.HasMore || p2.Next != nil {
			t.Fatalf("second page: %d jobs, has_more %v, %v", len(p2.Data), p2.HasMore, err)
		}
		all := append(p1.Data, p2.Data...)
		if !slices.IsSortedFunc(all, func(a, b apiclient.Job) int { return b.CreatedAt.Compare(a.CreatedAt) }) {
			t.Error("plain list is not newest first")
		}
		for _, q := range []string{"limit=0", "limit=101", "limit=x", "after=garbage", "updated_since=yesterday",
			"after=" + *p1.Next + "&updated_since=2026-01-01T00:00:00Z"} {
			if r := e.do("GET", "/v1/jobs?"+q, "", nil); r.status != 400 || r.code(t) != "invalid_request" {
				t.Errorf("?%s: %d %s, want 400 invalid_request", q, r.status, r.body)
			}
		}
		if _, _, err := e.c.ListJobsPage(ctx, apiclient.ListJobsParams{Limit: 101}); err == nil {
			t.Error("client sent limit 101")
		}
		if s := e.sb.Stats(); s.ListReads != 8 {
			t.Errorf("list_reads %d, want 8", s.ListReads)
		}
	})
}

// Every kind of output, downloaded and checked by what reads such files.
func TestOutputsDownloadAsRealFiles(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newClientEnv(t, sandbox.Options{}, roomy)
		ctx := context.Background()
		reqs := []apiclient.JobRequest{
			job("flux-schnell", map[string]any{"prompt": "two foxes", "num_images": 2, "width": 512, "height": 768, "seed": 7}),
			job("kling-2.6", map[string]any{"prompt": "a wave", "duration": 5}),
			job("tts-1", map[string]any{"text": "hello there"}),
			job("tts-1", map[string]any{"text": "hello there", "format": "wav"}),
		}
		var ids []string
		for _, r := range reqs {
			j, _, err := e.c.CreateJob(ctx, r, "")
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, j.ID)
		}
		time.Sleep(5 * time.Minute)
		dir := t.TempDir()
		f := download.Fetcher{Client: e.client}
		var got []string
		for _, id := range ids {
			j, _, err := e.c.GetJob(ctx, id)
			if err != nil || j.Status != apiclient.StatusSucceeded {
				t.Fatalf("job %s: %s %v", id, j.Status, err)
			}
			files, err := j.OutputFiles()
			if err != nil {
				t.Fatal(err)
			}
			for _, of := range files {
				name := j.ID + "-" + strings.NewReplacer("[", "", "]", "").Replace(of.Name()) + of.Ext()
				if want := j.FinishedAt.Add(time.Hour).Truncate(time.Second); !of.ExpiresAt.Equal(want) {
					t.Errorf("%s expires %v, want %v (an hour after it finished)", name, of.ExpiresAt, want)
				}
				res, err := f.Fetch(ctx, download.File{URL: of.URL, Size: of.SizeBytes, SHA256: of.SHA256}, dir, name)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				b, _ := os.ReadFile(res.Path)
				checkMedia(t, of, b)
				got = append(got, of.Slot+of.Ext())
			}
		}
		want := []string{"images.png", "images.png", "video.mp4", "audio.mp3", "audio.wav"}
		if !slices.Equal(got, want) {
			t.Errorf("files %v, want %v", got, want)
		}
		s := e.sb.Stats()
		if s.Downloads != 5 || s.DownloadBytes == 0 || s.FileRequestsWithAuthorization != 0 || s.GetReads != 4 {
			t.Errorf("stats: downloads %d (%d bytes), with Authorization %d, get reads %d; want 5, some, 0, 4",
				s.Downloads, s.DownloadBytes, s.FileRequestsWithAuthorization, s.GetReads)
		}
		entries, _ := os.ReadDir(dir)
		if len(entries) != 5 {
			t.Errorf("%d entries in the output directory, want 5 (no temporary files left)", len(entries))
		}
	})
}

func checkMedia(t *testing.T, f apiclient.OutputFile, b []byte) {
	t.Helper()
	switch f.ContentType {
	case "image/png":
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("png: %v", err)
		}
		if r := img.Bounds(); r.Dx() != f.Width || r.Dy() != f.Height {
			t.Errorf("png is %v, output says %dx%d", r, f.Width, f.Height)
		}
	case "video/mp4":
		if len(b) < 12 || string(b[4:12]) != "ftypisom" {
			t.Errorf("mp4 starts %q, want an ftyp box", b[:min(len(b), 12)])
		}
	case "audio/mpeg":
		if len(b) < 4 || b[0] != 0xFF || b[1]&0xE0 != 0xE0 {
			t.Errorf("mp3 starts % x, want a frame sync", b[:min(len(b), 4)])
		}
	case "audio/wav":
		if len(b) < 44 || string(b[0:4]) != "RIFF" || string(b[8:16]) != "WAVEfmt " || string(b[36:40]) != "data" {
			t.Errorf("wav header %q", b[:min(len(b), 44)])
		}
	default:
		t.Errorf("unexpected content type %q", f.ContentType)
	}
	if f.SizeBytes != int64(len(b)) {
		t.Errorf("%d bytes, size_bytes %d", len(b), f.SizeBytes)
	}
}

// A link past its expiry is refused; GetJob gives a fresh one that works.
func TestExpiredLinkAndFreshURL(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newClientEnv(t, sandbox.Options{}, roomy)
		ctx := context.Background()
		j, _, _ := e.c.CreateJob(ctx, flux("x"), "")
		time.Sleep(time.Minute)
		j, _, _ = e.c.GetJob(ctx, j.ID)
		old, err := j.OutputFiles()
		if err != nil || len(old) != 1 {
			t.Fatalf("%v %v", old, err)
		}
		time.Sleep(time.Hour)
		f := download.Fetcher{Client: e.client}
		dir := t.TempDir()
		file := func(of apiclient.OutputFile) download.File {
			return download.File{URL: of.URL, Size: of.SizeBytes, SHA256: of.SHA256}
		}
		if _, err := f.Fetch(ctx, file(old[0]), dir, "a.png"); !isKind(err, download.ErrExpired) {
			t.Fatalf("stale link: %v, want ErrExpired", err)
		}
		j, _, _ = e.c.GetJob(ctx, j.ID)
		fresh, _ := j.OutputFiles()
		if fresh[0].URL == old[0].URL || !fresh[0].ExpiresAt.After(clientNow()) {
			t.Fatalf("fresh link %s expiring %v", fresh[0].URL, fresh[0].ExpiresAt)
		}
		if _, err := f.Fetch(ctx, file(fresh[0]), dir, "a.png"); err != nil {
			t.Fatalf("fresh link: %v", err)
		}
		if s := e.sb.Stats(); s.LinksExpired != 1 || s.Downloads != 1 {
			t.Errorf("links_expired %d downloads %d, want 1 and 1", s.LinksExpired, s.Downloads)
		}
		// A tampered signature or path is refused like an expired link.
		for _, u := range []string{strings.Replace(fresh[0].URL, "sig=", "sig=0", 1), strings.Replace(fresh[0].URL, "0.png", "1.png", 1)} {
			if _, err := f.Fetch(ctx, download.File{URL: u, Size: 1, SHA256: fresh[0].SHA256}, dir, "b.png"); !isKind(err, download.ErrExpired) {
				t.Errorf("%s: %v, want a 403", u, err)
			}
		}
		if _, err := os.Stat(filepath.Join(dir, "b.png")); !os.IsNotExist(err) {
			t.Error("a refused download left a file")
		}
	})
}

func isKind(err, kind error) bool {
	var de *download.Error
	return err != nil && errors.As(err, &de) && de.Kind == kind
}
