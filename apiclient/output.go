package apiclient

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/url"
	"path"
	"strings"
	"time"
)

// Output is a succeeded job's output: its files under images (a list),
// video or audio (API.md "Following jobs to their end").
type Output struct {
	Images []File `json:"images"`
	Video  *File  `json:"video"`
	Audio  *File  `json:"audio"`
	Seed   *int64 `json:"seed"`
}

// File is one output file: a signed link on the file host, valid until
// ExpiresAt (GetJob returns a fresh one), and what its bytes must be.
type File struct {
	URL             string    `json:"url"`
	ContentType     string    `json:"content_type"`
	SizeBytes       int64     `json:"size_bytes"`
	SHA256          string    `json:"sha256"` // lower-case hex
	ExpiresAt       time.Time `json:"expires_at"`
	Width           int       `json:"width,omitempty"`
	Height          int       `json:"height,omitempty"`
	FPS             float64   `json:"fps,omitempty"`
	DurationSeconds float64   `json:"duration_seconds,omitempty"`
	Seed            *int64    `json:"seed,omitempty"`
}

// OutputFile is a File with its place in the output: Slot "images" with
// Index 0…n-1, or "video" or "audio" with Index 0.
type OutputFile struct {
	Slot  string
	Index int
	File
}

// Output slots, in the order OutputFiles returns them.
const (
	SlotImages = "images"
	SlotVideo  = "video"
	SlotAudio  = "audio"
)

// Outputs decodes the job's output. A job without output (not succeeded,
// or null) gives the zero Output and no error.
func (j Job) Outputs() (Output, error) {
	raw := bytes.TrimSpace(j.Output)
	var o Output
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return o, nil
	}
	if err := json.Unmarshal(raw, &o); err != nil {
		return Output{}, fmt.Errorf("job %s: output is not the expected JSON: %v", Printable(j.ID), err)
	}
	return o, nil
}

// OutputFiles lists every output file of the job in a stable order:
// images in order, then video, then audio. A file whose link or
// checksum is unusable is an error naming it (no file is half-listed).
func (j Job) OutputFiles() ([]OutputFile, error) {
	o, err := j.Outputs()
	if err != nil {
		return nil, err
	}
	var files []OutputFile
	for i, f := range o.Images {
		files = append(files, OutputFile{Slot: SlotImages, Index: i, File: f})
	}
	if o.Video != nil {
		files = append(files, OutputFile{Slot: SlotVideo, File: *o.Video})
	}
	if o.Audio != nil {
		files = append(files, OutputFile{Slot: SlotAudio, File: *o.Audio})
	}
	var errs []error
	for _, f := range files {
		if err := f.check(); err != nil {
			errs = append(errs, fmt.Errorf("job %s: output %s: %w", Printable(j.ID), f.Name(), err))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return files, nil
}

// Name is where the file sits in the output: "images[2]", "video", "audio".
func (f OutputFile) Name() string {
	if f.Slot == SlotImages {
		return fmt.Sprintf("images[%d]", f.Index)
	}
	return f.Slot
}

// check refuses metadata a download could not be verified against.
func (f File) check() error {
	u, err := url.Parse(f.URL)
	switch {
	case f.URL == "":
		return errors.New("no url")
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
		return fmt.Errorf("url %q is not an http(s) link", Printable(redactURL(f.URL)))
	case f.SizeBytes < 0:
		return fmt.Errorf("size_bytes %d is negative", f.SizeBytes)
	case len(f.SHA256) != 64 || strings.ToLower(f.SHA256) != f.SHA256:
		return fmt.Errorf("sha256 %q is not 64 lower-case hex digits", Printable(f.SHA256))
	}
	if _, err := hex.DecodeString(f.SHA256); err != nil {
		return fmt.Errorf("sha256 %q is not hex", Printable(f.SHA256))
	}
	return nil
}

// extByType maps the content types abstrakt serves to file extensions;
// mime.ExtensionsByType depends on the host's mime tables, so it is only
// the fallback.
var extByType = map[string]string{
	"image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp", "image/gif": ".gif",
	"video/mp4": ".mp4", "video/webm": ".webm", "video/quicktime": ".mov",
	"audio/mpeg": ".mp3", "audio/wav": ".wav", "audio/x-wav": ".wav", "audio/wave": ".wav",
	"audio/ogg": ".ogg", "audio/flac": ".flac",
}

// Ext is a safe file extension for the file (".png"): from its content
// type, else its URL's path when that is short and alphanumeric, else
// ".bin". The server's words never choose more than [a-z0-9] here.
func (f File) Ext() string {
	mt, _, _ := mime.ParseMediaType(f.ContentType)
	if e, ok := extByType[mt]; ok {
		return e
	}
	if u, err := url.Parse(f.URL); err == nil {
		if e := strings.ToLower(path.Ext(u.Path)); safeExt(e) {
			return e
		}
	}
	if exts, _ := mime.ExtensionsByType(mt); len(exts) > 0 && safeExt(exts[0]) {
		return exts[0]
	}
	return ".bin"
}

func safeExt(e string) bool {
	if len(e) < 2 || len(e) > 6 || e[0] != '.' {
		return false
	}
	for _, r := range e[1:] {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// redactURL drops a link's query (its signature) for messages and logs.
func redactURL(raw string) string {
	if i := strings.IndexAny(raw, "?#"); i >= 0 {
		return raw[:i] + "?…"
	}
	return raw
}
