package results

import "path/filepath"

// Summary is what a batch came to: the manifest's counts, for `submit
// --json` and the exit status.
type Summary struct {
	Dir      string         `json:"dir"`
	Manifest string         `json:"manifest"`
	Lines    int            `json:"lines"`     // manifest lines (input lines)
	ByStatus map[string]int `json:"by_status"` // succeeded, failed, canceled; a not-final line under its queue state
	Credits  float64        `json:"credits"`   // charged, resubmissions included
	Files    int            `json:"files"`     // verified on disk
	Bytes    int64          `json:"bytes"`     // of Files
	// FilesFailed were given up on or refused; FilesMissing were not
	// fetched yet (interrupted): `abtop results` fetches them.
	FilesFailed  int  `json:"files_failed"`
	FilesMissing int  `json:"files_missing"`
	FilesSkipped int  `json:"files_skipped"` // already on disk from an earlier run
	Retries      int  `json:"download_retries"`
	Refreshes    int  `json:"links_refreshed"`
	Interrupted  bool `json:"interrupted,omitempty"`
}

func (b *Batch) summary() Summary {
	p := b.prog.snapshot()
	s := Summary{Dir: b.dir, Manifest: filepath.Join(b.dir, ManifestName), ByStatus: map[string]int{},
		FilesSkipped: p.FilesSkipped, Retries: p.Retries, Refreshes: p.Refreshes}
	for _, e := range b.man.all() {
		s.Lines++
		s.ByStatus[e.Status]++
		s.Credits += e.Credits
		for _, prev := range e.Previous {
			s.Credits += prev.Credits
		}
		for _, o := range e.Outputs {
			switch {
			case o.Verified:
				s.Files++
				s.Bytes += o.Bytes
			case o.Error != "":
				s.FilesFailed++
			default:
				s.FilesMissing++
			}
		}
	}
	return s
}

// Outcome is what the exit status is decided from.
func (s Summary) Outcome() Outcome {
	o := Outcome{Interrupted: s.Interrupted, FilesFailed: s.FilesFailed, FilesMissing: s.FilesMissing}
	for st, n := range s.ByStatus {
		switch st {
		case StatusSucceeded:
		case StatusFailed, StatusCanceled:
			o.JobsFailed += n
		default:
			o.NotFinal += n
		}
	}
	return o
}
