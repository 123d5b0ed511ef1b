package results

// Exit statuses of `abtop submit` and `abtop results`. 1 and 2 keep their
// meaning from before batches had results; the others say what is left
// to do, so a script can tell "run it again" from "look at the failures".
//
//	0  every job succeeded and every file (with --out) is on disk, verified
//	1  abtop could not run: configuration, journal, authentication, a bug
//	2  the input has bad lines (nothing was sent)
//	3  some jobs ended failed or canceled; everything else is done
//	4  some files could not be downloaded or verified (links, checksums, names)
//	5  incomplete: interrupted, paused (credits, quota) or jobs not final
//	   yet; `abtop submit --resume` or `abtop results` continues
//
// `submit --no-wait` waits for nothing: its 0 means every job was created.
//
// When several hold, the highest wins: what is left to run first, then
// files, then jobs (a failed job is final; a missing file is not).
const (
	ExitOK          = 0
	ExitError       = 1
	ExitBadInput    = 2
	ExitJobsFailed  = 3
	ExitFilesFailed = 4
	ExitIncomplete  = 5
)

// Outcome is a batch's end, counted.
type Outcome struct {
	JobsFailed   int  // final failed or canceled
	NotFinal     int  // lines whose job is not final
	FilesFailed  int  // given up on or refused
	FilesMissing int  // not fetched yet
	Interrupted  bool // ctrl+c or a pause before the end
}

// ExitCode is the exit status for o (see the table above).
func ExitCode(o Outcome) int {
	switch {
	case o.Interrupted || o.NotFinal > 0 || o.FilesMissing > 0:
		return ExitIncomplete
	case o.FilesFailed > 0:
		return ExitFilesFailed
	case o.JobsFailed > 0:
		return ExitJobsFailed
	}
	return ExitOK
}
