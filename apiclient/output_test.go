package apiclient

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestOutputFiles(t *testing.T) {
	sha := strings.Repeat("0f", 32)
	file := func(url string) string {
		return `{"url":"` + url + `","content_type":"image/png","size_bytes":10,"sha256":"` + sha + `","expires_at":"2026-01-01T00:00:00Z"}`
	}
	cases := []struct {
		name, output string
		want         []string // Name()+Ext() of each file
		wantErr      string
	}{
		{"null", `null`, nil, ""},
		{"none", ``, nil, ""},
		{"images in order, then video, then audio",
			`{"audio":{"url":"https://f/a.mp3","content_type":"audio/mpeg","size_bytes":1,"sha256":"` + sha + `"},` +
				`"video":{"url":"https://f/v","content_type":"video/mp4","size_bytes":1,"sha256":"` + sha + `"},` +
				`"images":[` + file("https://f/0") + `,` + file("https://f/1") + `],"seed":3}`,
			[]string{"images[0].png", "images[1].png", "video.mp4", "audio.mp3"}, ""},
		{"extension from the URL when the type is unknown",
			`{"audio":{"url":"https://f/x.OGA?sig=1","content_type":"application/x-odd","size_bytes":1,"sha256":"` + sha + `"}}`,
			[]string{"audio.oga"}, ""},
		{"no safe extension", `{"audio":{"url":"https://f/x.a/b/../..%2F","content_type":"","size_bytes":1,"sha256":"` + sha + `"}}`,
			[]string{"audio.bin"}, ""},
		{"not JSON", `{"images":[`, nil, "not the expected JSON"},
		{"wrong shape", `{"images":{"url":"x"}}`, nil, "not the expected JSON"},
		{"ftp link", `{"images":[` + file("ftp://f/0") + `]}`, nil, "images[0]: url"},
		{"javascript link", `{"video":{"url":"javascript:alert(1)","size_bytes":1,"sha256":"` + sha + `"}}`, nil, "video: url"},
		{"no url", `{"video":{"size_bytes":1,"sha256":"` + sha + `"}}`, nil, "video: no url"},
		{"short sha", `{"video":{"url":"https://f/v","size_bytes":1,"sha256":"abc"}}`, nil, "sha256"},
		{"upper-case sha", `{"video":{"url":"https://f/v","size_bytes":1,"sha256":"` + strings.ToUpper(sha) + `"}}`, nil, "sha256"},
		{"negative size", `{"video":{"url":"https://f/v","size_bytes":-1,"sha256":"` + sha + `"}}`, nil, "negative"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			j := Job{ID: "job_1", Output: json.RawMessage(c.output)}
			files, err := j.OutputFiles()
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range files {
				got = append(got, f.Name()+f.Ext())
			}
			if strings.Join(got, " ") != strings.Join(c.want, " ") {
				t.Errorf("files %v, want %v", got, c.want)
			}
		})
	}
}

// A job page from a server (or anything pretending to be one) decodes or
// fails cleanly; every file it yields is one a download may try.
func FuzzJobPage(f *testing.F) {
	sha := strings.Repeat("ab", 32)
	f.Add(`{"data":[{"id":"job_1","status":"succeeded","updated_at":"2026-01-01T00:00:00Z","output":{"images":[{"url":"https://f/0","content_type":"image/png","size_bytes":5,"sha256":"` + sha + `"}]}}],"has_more":true,"next":"abc"}`)
	f.Add(`{"data":[{"id":"j","output":{"video":{"url":"http://[::1]/v","size_bytes":0,"sha256":"` + sha + `"},"audio":null}}],"has_more":false,"next":null}`)
	f.Add(`{"data":null}`)
	f.Add(`{"data":[{"output":"text"}]}`)
	f.Fuzz(func(t *testing.T, body string) {
		var page JobPage
		if json.Unmarshal([]byte(body), &page) != nil {
			return
		}
		for _, j := range page.Data {
			files, err := j.OutputFiles()
			if err != nil {
				continue
			}
			order := map[string]int{SlotImages: 0, SlotVideo: 1, SlotAudio: 2}
			for i, of := range files {
				if of.check() != nil {
					t.Fatalf("file %+v passed through unchecked", of)
				}
				if i > 0 && order[of.Slot] < order[files[i-1].Slot] {
					t.Fatalf("order %s after %s", of.Slot, files[i-1].Slot)
				}
				if e := of.Ext(); !safeExt(e) {
					t.Fatalf("extension %q", e)
				}
			}
		}
	})
}
