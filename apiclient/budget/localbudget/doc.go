// Package localbudget shares one organization's budget.State between every
// abtop process on one machine, with no setup: `abtop submit` in one
// terminal and the dashboard in another spend one budget instead of
// drawing 429s from each other. Redis (redisbudget) is for several
// machines; this is the default on one.
//
// # Design: a state file under flock
//
// The state lives in one file per organization key under the state
// directory ($XDG_STATE_HOME/abtop/budget, see DefaultDir). Every decision
// takes an exclusive flock(2) on a lock file next to it, reads the state,
// applies the same pure State method as budget.Memory, writes it back and
// unlocks. This was chosen over a Unix-socket server elected among the
// processes because it has no leader: nothing to elect, hand over or
// re-elect when the leader dies (the dashboard is often the first process
// and the first to quit), and no protocol to version. The kernel releases a
// flock when its holder dies, however it dies, so a process killed at any
// instant never holds the others: the next one takes the lock at once.
// flock works the same on Linux and macOS and needs no cgo. A decision
// costs a few syscalls and a JSON round trip (tens of microseconds, see
// BenchmarkReserveObserve), far below one HTTP request.
//
// # Torn writes
//
// The state is written to a temporary file and renamed over the old one,
// so a reader (including one that reads without the lock: Snapshot,
// Status) sees either the old or the new state, never half of each, and a
// process killed while writing leaves only a stray temporary file that the
// next writer replaces. There is no fsync: the state only matters to the
// processes running now, and a power loss ends them all. If a crash leaves
// a damaged file anyway, it fails to decode (format header, JSON), is
// logged, and the store starts fresh from the plan, which is what a new
// process did before this package existed: one request at a time until the
// first answer states the window.
//
// # Format
//
// The file is a header line ("abtop-budget 1") and the JSON of the whole
// budget.State with this package's bookkeeping around it, so fields added
// to State later persist without a change here. Files are 0600 in a 0700
// directory.
//
// # Processes
//
// Each Store holds a flock on its own "alive" file for its lifetime. A
// process that finds such a file unlocked knows its owner is gone (the
// kernel dropped the lock): it gives back the units the dead process had
// in flight and removes the file. This is immediate and needs no heartbeat
// or clock, so a survivor is back to the full budget at its next decision
// after a SIGKILL, not after a timeout. Units in flight are booked per
// process for that reason, as in redisbudget. Concurrency slots stay
// leases with a TTL: the server keeps running a job whose submitter died,
// so its slot must not be freed early.
//
// All processes decide from one State, so no process needs a share of the
// window (redisbudget only splits the limits while Redis is unreachable);
// the number of live processes is reported by Status ("shared locally · 2
// processes").
package localbudget
