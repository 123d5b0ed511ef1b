package webhook

import "sync"

// Dedup remembers webhook-ids seen, so a delivery that comes twice (a
// retry after a lost answer, a duplicate) is acted on once. It keeps the
// last Max ids (default 100,000: a batch's worth), forgetting the oldest.
type Dedup struct {
	Max int

	mu    sync.Mutex
	seen  map[string]bool
	order []string
	head  int
}

// First reports whether id is new, and remembers it.
func (d *Dedup) First(id string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.seen == nil {
		d.seen = map[string]bool{}
	}
	if d.seen[id] {
		return false
	}
	limit := d.Max
	if limit <= 0 {
		limit = 100_000
	}
	if len(d.order) < limit {
		d.order = append(d.order, id)
	} else { // a ring: overwrite the oldest
		delete(d.seen, d.order[d.head])
		d.order[d.head] = id
		d.head = (d.head + 1) % limit
	}
	d.seen[id] = true
	return true
}

// Forget lets id count as new again: for a delivery that was verified but
// could not be acted on (answered 5xx, so the sender retries it). Its slot
// in the ring stays until overwritten, which may forget a later copy of
// the same id early: a duplicate then acts twice, which receivers must
// survive anyway.
func (d *Dedup) Forget(id string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.seen, id)
}
