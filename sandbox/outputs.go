package sandbox

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"
)

// outFile is one output file of a job: what it is and how to generate
// its bytes. data, size and sum are filled the first time the job is shown
// succeeded (failed jobs never pay for generating files); the files are
// small (a PNG thumbnail is a few hundred bytes, a video 2 KB a second).
type outFile struct {
	slot        string // "images", "video" or "audio"
	name        string // last path segment of its URL
	contentType string
	width       int
	height      int
	fps         int
	duration    float64 // seconds, video and audio
	seed        int64
	index       int
	voice       string

	data []byte
	size int
	sum  string // hex SHA-256
}

// bytes regenerates the file's content.
func (f *outFile) bytes() []byte {
	switch f.contentType {
	case "image/png":
		return pngBytes(f.width, f.height, f.seed, f.index)
	case "video/mp4":
		return mp4Bytes(int(f.duration), f.seed)
	case "audio/wav":
		return wavBytes(f.duration, f.seed)
	}
	return mp3Bytes(f.duration)
}

// measure generates the file once. s.mu held.
func (f *outFile) measure() {
	if f.sum != "" {
		return
	}
	f.data = f.bytes()
	h := sha256.Sum256(f.data)
	f.size, f.sum = len(f.data), hex.EncodeToString(h[:])
}

// outputFiles plans the files of a job created from r. Images take the
// input seed or a seeded draw; the others derive their content from rng.
func (r jobRequest) outputFiles(rng *rand.Rand) (files []*outFile, seed int64) {
	seed = int64(intInput(r.input, "seed", rng.IntN(1<<31)))
	switch r.model.Kind {
	case "image":
		w, h := thumbSide(intInput(r.input, "width", 1024)), thumbSide(intInput(r.input, "height", 1024))
		for i := range intInput(r.input, "num_images", 1) {
			files = append(files, &outFile{slot: "images", name: fmt.Sprintf("%d.png", i), contentType: "image/png",
				width: w, height: h, seed: seed, index: i})
		}
	case "video":
		w, h := 1280, 720
		switch stringInput(r.input, "aspect_ratio", "16:9") {
		case "9:16":
			w, h = 720, 1280
		case "1:1":
			w, h = 960, 960
		}
		files = []*outFile{{slot: "video", name: "video.mp4", contentType: "video/mp4", width: w, height: h, fps: 24,
			duration: float64(intInput(r.input, "duration", 5)), seed: seed}}
	default:
		secs := float64(int((float64(len(stringInput(r.input, "text", "")))/15+0.4)*100)) / 100
		f := &outFile{slot: "audio", name: "speech.mp3", contentType: "audio/mpeg", duration: secs, seed: seed,
			voice: stringInput(r.input, "voice", "alloy")}
		if stringInput(r.input, "format", "mp3") == "wav" {
			f.name, f.contentType = "speech.wav", "audio/wav"
		}
		files = []*outFile{f}
	}
	return files, seed
}

// fileJSON is one output file as the API shows it.
type fileJSON struct {
	URL             string    `json:"url"`
	ContentType     string    `json:"content_type"`
	SizeBytes       int       `json:"size_bytes"`
	SHA256          string    `json:"sha256"`
	ExpiresAt       time.Time `json:"expires_at"`
	Width           int       `json:"width,omitempty"`
	Height          int       `json:"height,omitempty"`
	FPS             int       `json:"fps,omitempty"`
	DurationSeconds float64   `json:"duration_seconds,omitempty"`
	Seed            *int64    `json:"seed,omitempty"`
	Voice           string    `json:"voice,omitempty"`
}

// outputJSON renders a succeeded job's output with links signed for now.
// s.mu held (measure caches into the job).
func (s *Sandbox) outputJSON(j *job, now time.Time) json.RawMessage {
	exp := linkExpiry(j.finished, now)
	var images []fileJSON
	out := map[string]any{}
	for _, f := range j.files {
		f.measure()
		v := fileJSON{URL: s.signedURL(j, f, exp), ContentType: f.contentType, SizeBytes: f.size, SHA256: f.sum,
			ExpiresAt: exp, Width: f.width, Height: f.height, FPS: f.fps, DurationSeconds: f.duration, Voice: f.voice}
		switch f.slot {
		case "images":
			seed := f.seed
			v.Seed = &seed
			images = append(images, v)
		default:
			out[f.slot] = v
		}
	}
	if images != nil {
		out["images"] = images
		out["seed"] = j.seed
	}
	b, _ := json.Marshal(out) // strings, numbers and times always marshal
	return b
}

// LinkTTL is how long after a job finished its first file links expire.
const LinkTTL = time.Hour

// linkMinValidity is the least a freshly issued link is valid for.
const linkMinValidity = 5 * time.Minute

// linkExpiry is when links issued at now expire: one hour after the job
// finished, then on each further hour for links issued later, so a link is
// always valid at least 5 minutes and every read within the same hour
// shows the same URL.
func linkExpiry(finished, now time.Time) time.Time {
	k := max(int64(now.Add(linkMinValidity).Sub(finished)/LinkTTL)+1, 1)
	return finished.Add(time.Duration(k) * LinkTTL).Truncate(time.Second)
}
