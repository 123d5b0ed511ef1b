package budget

import (
	"context"
	"sync"
	"time"
)

// Memory is the in-process Store: State behind a mutex.
type Memory struct {
	mu sync.Mutex
	s  State
}

// NewMemory starts from a plan's documented numbers.
func NewMemory(p Plan) *Memory { return &Memory{s: NewState(p)} }

var _ Store = (*Memory)(nil)

// Reserve implements Store.
func (m *Memory) Reserve(ctx context.Context, r Request) (Grant, error) {
	if err := ctx.Err(); err != nil {
		return Grant{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.s.Reserve(r), nil
}

// Cancel implements Store.
func (m *Memory) Cancel(_ context.Context, g Grant) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.s.Cancel(g)
	return nil
}

// Observe implements Store.
func (m *Memory) Observe(_ context.Context, o Observation) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.s.Observe(o)
	return nil
}

// AcquireSlot implements Store.
func (m *Memory) AcquireSlot(ctx context.Context, holder string, now time.Time, ttl time.Duration) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.s.AcquireSlot(holder, now, ttl), nil
}

// ReleaseSlot implements Store.
func (m *Memory) ReleaseSlot(_ context.Context, holder string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.s.ReleaseSlot(holder)
	return nil
}

// Snapshot implements Store.
func (m *Memory) Snapshot(_ context.Context) (State, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.s.Clone(), nil
}
