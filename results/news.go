package results

// FileNews is one output file's news for a live display (the dashboard's
// detail pane): its manifest output as it stands now. A file that is named
// but neither verified nor failed is queued or downloading.
type FileNews struct {
	Key    string // the job's Idempotency-Key
	Index  int    // the file's place in the job's outputs
	Output Output // Path relative to Dir, '/'-separated
}

// tell hands a file's news to Options.OnFile.
func (b *Batch) tell(key string, idx int, o Output) {
	if b.opts.OnFile != nil {
		b.opts.OnFile(FileNews{Key: key, Index: idx, Output: o})
	}
}
