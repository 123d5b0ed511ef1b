package data

// Batch is a batch another abtop process of this machine runs, or ran
// while the dashboard watched, as the batch picker lists it.
type Batch struct {
	ID       string
	Source   string // the job file, as the other process named it (cleaned before it is drawn)
	State    string // running, paused, done, ended, owner gone
	PID      int    // the owner's process id
	Finished int    // jobs no longer waiting to be sent
	Total    int
	Alive    bool // the owner still runs it
}
