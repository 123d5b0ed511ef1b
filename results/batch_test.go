package results_test

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/abtop-dev/abtop/results"
	"github.com/abtop-dev/abtop/sandbox"
)

var mixed = []spec{
	{"flux-schnell", `{"prompt":"a kite","num_images":3,"width":512,"height":256}`},
	{"tts-1", `{"text":"hello there, this is a test","format":"wav"}`},
	{"sdxl", `{"prompt":"a boat"}`},
	{"kling-2.6", `{"prompt":"waves","duration":5}`},
	{"tts-1", `{"text":"an mp3 this time"}`},
}

// Every file of every succeeded job lands under its default name with the
// size and sha256 the server promised; the PNGs decode; the manifest has
// one line per input line, in order, with relative paths; nothing was
// sent to the file host with a token.
func TestDownloadsEveryFile(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, nil)
		fs := e.run(t, mixed...)
		dir := t.TempDir()
		slices.Reverse(fs) // finishing order is not input order
		s := batch(t, e.options(dir), fs...)

		want := []string{"1-flux-schnell-1.png", "1-flux-schnell-2.png", "1-flux-schnell-3.png", "2-tts-1-1.wav",
			"3-sdxl-1.png", "4-kling-2.6-1.mp4", "5-tts-1-1.mp3", results.ManifestName}
		got := names(t, dir)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("files %v\nwant %v", got, want)
		}
		es := readManifest(t, dir)
		if len(es) != len(mixed) {
			t.Fatalf("%d manifest lines", len(es))
		}
		var bytesTotal int64
		for i, en := range es {
			if en.Line != i+1 || en.Model != mixed[i].model || string(en.Input) != mixed[i].input || en.Status != "succeeded" ||
				en.Key == "" || en.JobID == "" || en.CreatedAt == nil || en.FinishedAt == nil || en.Credits <= 0 || en.Attempts != 1 {
				t.Errorf("line %d: %+v", i+1, en)
			}
			for _, o := range en.Outputs {
				if !o.Verified || o.Error != "" || filepath.IsAbs(o.Path) {
					t.Errorf("line %d output %+v", i+1, o)
				}
				h, n := sum(t, filepath.Join(dir, o.Path))
				if h != o.SHA256 || n != o.Bytes {
					t.Errorf("%s: %d bytes sha256 %s, manifest says %d %s", o.Path, n, h, o.Bytes, o.SHA256)
				}
				bytesTotal += n
				if o.ContentType == "image/png" {
					data, _ := os.ReadFile(filepath.Join(dir, o.Path))
					if _, err := png.Decode(bytes.NewReader(data)); err != nil {
						t.Errorf("%s does not decode: %v", o.Path, err)
					}
				}
			}
		}
		if s.Files != 7 || s.Bytes != bytesTotal || s.FilesFailed != 0 || s.FilesMissing != 0 || s.ByStatus["succeeded"] != 5 || s.Lines != 5 {
			t.Errorf("summary %+v", s)
		}
		if c := results.ExitCode(s.Outcome()); c != results.ExitOK {
			t.Errorf("exit %d", c)
		}
		st := e.sb.Stats()
		if st.FileRequestsWithAuthorization != 0 || st.Downloads != 7 || e.gets != 0 {
			t.Errorf("file requests with Authorization %d, downloads %d, refreshes %d", st.FileRequestsWithAuthorization, st.Downloads, e.gets)
		}
	})
}

// Cut-short bodies and 503s are retried with backoff (never sooner than
// Retry-After) until every file is whole.
func TestRetriesCutShortAnd503(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, sandbox.Faults{sandbox.FaultFileCut: 0.2, sandbox.FaultFile503: 0.2})
		fs := e.run(t, mixed...)
		dir := t.TempDir()
		s := batch(t, e.options(dir), fs...)
		st := e.sb.Stats()
		for _, en := range readManifest(t, dir) {
			for _, o := range en.Outputs {
				if o.Error != "" {
					t.Log(o.Error)
				}
			}
		}
		if s.Files != 7 || s.FilesFailed != 0 || s.Retries == 0 || st.Faults["file_cut"] == 0 || st.Faults["file_503"] == 0 {
			t.Fatalf("summary %+v, faults %v", s, st.Faults)
		}
		if int64(s.Retries) != st.Faults["file_cut"]+st.Faults["file_503"] || st.Downloads != 7 {
			t.Errorf("%d retries for %v faults, %d downloads", s.Retries, st.Faults, st.Downloads)
		}
		for _, d := range e.sleeps {
			if d < time.Second {
				t.Errorf("slept %v before a retry: less than the 503's Retry-After", d)
			}
		}
		for _, en := range readManifest(t, dir) {
			for _, o := range en.Outputs {
				if h, n := sum(t, filepath.Join(dir, o.Path)); h != o.SHA256 || n != o.Bytes || !o.Verified {
					t.Errorf("%s not whole", o.Path)
				}
			}
		}
	})
}

// An expired link (410 fault, or past its hour) costs one GET per job for
// fresh links, shared by the job's files.
func TestRefreshesExpiredLinks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, nil)
		fs := e.run(t, mixed[0], mixed[1]) // 3 images + 1 audio
		time.Sleep(2 * time.Hour)          // every link expired
		e.refreshDelay = time.Second       // all three images meet the expiry before the first fresh read
		dir := t.TempDir()
		s := batch(t, e.options(dir), fs...)
		if s.Files != 4 || s.FilesFailed != 0 {
			t.Fatalf("summary %+v", s)
		}
		if e.gets != 2 {
			t.Errorf("%d fresh-link reads for 2 jobs, want 2", e.gets)
		}
		if st := e.sb.Stats(); st.LinksExpired < 2 {
			t.Errorf("links expired %d", st.LinksExpired)
		}
	})
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, sandbox.Faults{sandbox.FaultFileExpired: 0.5})
		fs := e.run(t, mixed...)
		s := batch(t, e.options(t.TempDir()), fs...)
		if s.Files != 7 || s.FilesFailed != 0 || e.gets == 0 || s.Refreshes == 0 {
			t.Fatalf("summary %+v, %d refreshes", s, e.gets)
		}
	})
}

// With faults everywhere (the API too, as "--faults 0.2"), fresh-link
// reads that fail are retried like downloads, and every file arrives.
func TestUnderFaults(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		faults, err := sandbox.ParseFaults("0.2")
		if err != nil {
			t.Fatal(err)
		}
		e := newEnv(t, faults)
		fs := e.run(t, mixed...)
		dir := t.TempDir()
		s := batch(t, e.options(dir), fs...)
		st := e.sb.Stats()
		if s.Files != 7 || s.FilesFailed != 0 || st.Downloads != 7 || st.FileRequestsWithAuthorization != 0 {
			t.Fatalf("summary %+v, stats %+v", s, st)
		}
		if st.Faults["file_expired"] == 0 || e.gets == 0 {
			t.Errorf("no expiry met (faults %v): the test proves less than it says", st.Faults)
		}
	})
}

// Without Refresh (or when the host refuses every link) a file fails,
// is named in the manifest, and the exit status says files failed.
func TestExpiredWithoutRefreshFails(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, sandbox.Faults{sandbox.FaultFileExpired: 1})
		fs := e.run(t, mixed[2])
		dir := t.TempDir()
		s := batch(t, e.options(dir), fs...)
		if s.Files != 0 || s.FilesFailed != 1 || e.gets != 3 {
			t.Fatalf("summary %+v after %d refreshes (want the cap of 3)", s, e.gets)
		}
		if c := results.ExitCode(s.Outcome()); c != results.ExitFilesFailed {
			t.Errorf("exit %d", c)
		}
		o := readManifest(t, dir)[0].Outputs[0]
		if o.Verified || !strings.Contains(o.Error, "expired") || o.Path != "1-sdxl-1.png" {
			t.Errorf("output %+v", o)
		}
		if got := names(t, dir); !slices.Equal(got, []string{results.ManifestName}) {
			t.Errorf("left %v", got)
		}
	})
}

// A resumed batch skips complete, verified files, fetches the missing and
// the damaged ones, and removes the temporary files a crash left.
func TestResume(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, nil)
		fs := e.run(t, mixed...)
		dir := t.TempDir()
		batch(t, e.options(dir), fs...)
		first := e.sb.Stats().Downloads

		// What a SIGKILL can leave: temporaries of a file and of the
		// manifest; and damage no crash of ours makes but a user might.
		must(t, os.Remove(filepath.Join(dir, "3-sdxl-1.png")))
		must(t, os.WriteFile(filepath.Join(dir, ".3-sdxl-1.png.part-123"), []byte("half"), 0o644))
		must(t, os.WriteFile(filepath.Join(dir, ".manifest.jsonl.tmp-9"), []byte("{"), 0o644))
		must(t, os.WriteFile(filepath.Join(dir, ".notes.part-of-mine"), []byte("a user's"), 0o644)) // not ours: kept
		must(t, os.WriteFile(filepath.Join(dir, "2-tts-1-1.wav"), []byte("not it"), 0o644))

		s := batch(t, e.options(dir), fs...)
		if got := e.sb.Stats().Downloads - first; got != 2 {
			t.Errorf("resume downloaded %d files, want 2", got)
		}
		if s.Files != 7 || s.FilesSkipped != 5 {
			t.Errorf("summary %+v", s)
		}
		for _, n := range names(t, dir) {
			if strings.HasPrefix(filepath.Base(n), ".") && n != ".notes.part-of-mine" {
				t.Errorf("temporary %s left", n)
			}
		}
		if _, err := os.Stat(filepath.Join(dir, ".notes.part-of-mine")); err != nil {
			t.Errorf("a file that only looks like a temporary was removed: %v", err)
		}
		for _, en := range readManifest(t, dir) {
			for _, o := range en.Outputs {
				if h, _ := sum(t, filepath.Join(dir, o.Path)); h != o.SHA256 {
					t.Errorf("%s wrong after resume", o.Path)
				}
			}
		}
	})
}

// Temporaries are cleaned in the directories a template writes into, and
// nowhere else below DIR.
func TestCleansOnlyWhereItWrites(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, nil)
		fs := e.run(t, mixed[2])
		dir := t.TempDir()
		must(t, os.MkdirAll(filepath.Join(dir, "sdxl"), 0o755))
		must(t, os.MkdirAll(filepath.Join(dir, "elsewhere"), 0o755))
		must(t, os.WriteFile(filepath.Join(dir, "sdxl", ".1.png.part-42"), []byte("half"), 0o644))
		must(t, os.WriteFile(filepath.Join(dir, "elsewhere", ".x.png.part-42"), []byte("not ours to judge"), 0o644))
		opts := e.options(dir)
		opts.Name, _ = results.ParseName("{{.Model}}/{{.Line}}.{{.Ext}}")
		if s := batch(t, opts, fs...); s.Files != 1 {
			t.Fatalf("summary %+v", s)
		}
		got := names(t, dir)
		want := []string{"elsewhere/.x.png.part-42", results.ManifestName, "sdxl/1.png"}
		if !slices.Equal(got, want) {
			t.Errorf("files %v, want %v", got, want)
		}
	})
}

// A batch resumed from the journal knows its files' sizes and checksums
// but no links: files already on disk cost nothing, the others one fresh
// read per job.
func TestResumeWithoutLinks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, nil)
		fs := e.run(t, mixed[0], mixed[1], mixed[2])
		dir := t.TempDir()
		batch(t, e.options(dir), fs...)
		for i := range fs {
			for j := range fs[i].Files {
				fs[i].Files[j].URL = ""
			}
		}
		s := batch(t, e.options(dir), fs...)
		if e.gets != 0 || s.Files != 5 || s.FilesSkipped != 5 {
			t.Fatalf("all on disk: %d reads, summary %+v", e.gets, s)
		}
		must(t, os.Remove(filepath.Join(dir, "1-flux-schnell-2.png")))
		must(t, os.Remove(filepath.Join(dir, "1-flux-schnell-3.png")))
		s = batch(t, e.options(dir), fs...)
		if e.gets != 1 || s.Files != 5 || s.FilesSkipped != 3 {
			t.Errorf("two files of one job missing: %d reads, summary %+v", e.gets, s)
		}
	})
}

// Interrupted downloads leave no partial file under a final name and say
// the batch is incomplete, not failed.
func TestInterrupted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, sandbox.Faults{sandbox.FaultFile503: 1}) // nothing ever succeeds
		fs := e.run(t, mixed...)
		dir := t.TempDir()
		ctx, cancel := context.WithCancel(context.Background())
		b, err := results.Open(ctx, e.options(dir))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fs {
			b.Add(f)
		}
		time.Sleep(3 * time.Second)
		if p := b.Progress(); p.FilesTotal != 7 || p.Retries == 0 || p.FilesDone != 0 {
			t.Errorf("progress %+v", p)
		}
		cancel()
		s, err := b.Close(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !s.Interrupted || s.FilesMissing != 7 || s.FilesFailed != 0 || results.ExitCode(s.Outcome()) != results.ExitIncomplete {
			t.Errorf("summary %+v", s)
		}
		if got := names(t, dir); !slices.Equal(got, []string{results.ManifestName}) {
			t.Errorf("left %v", got)
		}
	})
}
