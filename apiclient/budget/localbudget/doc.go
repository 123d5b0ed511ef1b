// Package localbudget shares one organization's budget.State between every
// abtop process on one machine, with no setup: `abtop submit` in one
// terminal and the dashboard in another spend one budget instead of
// drawing 429s from each other. Redis (redisbudget) is for several
// machines; this is the default on one.
//
// # Design: a state file under flock
//
// The state lives in one file per organization key under the state
// directory ($XDG_STATE_HOME/abtop/budget, see DefaultDir), named by a hash
// of the key. Every decision takes an exclusive flock(2) on that file,
// reads the state, applies the same pure State method as budget.Memory,
// writes it back and unlocks. This was chosen over a Unix-socket server
// elected among the processes because it has no leader: nothing to elect,
// hand over or re-elect when the leader dies (the dashboard is often the
// first process and the first to quit), and no protocol to version. The
// kernel releases a flock when its holder dies, however it dies, so a
// process killed at any instant never holds the others: the next one takes
// the lock at once. flock works the same on Linux and macOS and needs no
// cgo. A decision costs a handful of syscalls and a JSON round trip, far
// below one HTTP request (see BenchmarkReserveObserve).
//
// # Torn writes
//
// The file holds two slots, each with a header stating its sequence
// number, length and CRC-32 (see writeState). A write goes in place into
// the slot that does not hold the newest state, so a writer killed halfway,
// or a power loss before the page cache reached the disk, damages at most
// that slot, and readers (including Snapshot, which reads without the
// lock) take the newest intact one: the state before the cut write. There
// is no fsync: the state only matters to the processes running now, and a
// power loss ends them all. Writing a temporary file and renaming it over
// the state was tried first: ext4 flushes a file renamed over another
// (auto_da_alloc), which cost milliseconds per decision with the lock held.
// If both slots are damaged, that is logged and the store starts fresh
// from the plan, which is what a new process did before this package: one
// request at a time until the first answer states the window.
//
// # Format
//
// Each slot's header names the format ("abtop-budget 1 …") and its body is
// the JSON of the whole budget.State with this package's bookkeeping
// around it, so fields added to State later persist without a change here.
// A slot of another format is unreadable, never guessed at. Files are 0600
// in a 0700 directory.
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
