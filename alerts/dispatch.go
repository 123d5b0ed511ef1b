package alerts

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Channel delivers alerts somewhere. Send must honour ctx: the dispatcher
// cancels it after the channel's timeout.
type Channel interface {
	// Name identifies the channel in logs; it never contains a secret.
	Name() string
	Send(ctx context.Context, a Alert) error
}

// DefaultTimeout bounds one delivery when a channel has no timeout of its own.
const DefaultTimeout = 10 * time.Second

// maxInFlight bounds deliveries running at once: a burst of alerts to a
// dead webhook costs goroutines up to this bound, then alerts are dropped
// (and logged) instead of piling up.
const maxInFlight = 16

// Dispatcher fans each alert out to every channel, each delivery in its
// own goroutine with a timeout, so a slow or failing channel never blocks
// the others or the caller.
type Dispatcher struct {
	channels []Channel
	timeout  time.Duration
	log      *slog.Logger
	slots    chan struct{}
	wg       sync.WaitGroup
}

// NewDispatcher returns a Dispatcher. timeout bounds each delivery of a
// channel without its own (Command and Webhook carry theirs); ≤ 0 means
// DefaultTimeout. A nil log discards.
func NewDispatcher(log *slog.Logger, timeout time.Duration, channels ...Channel) *Dispatcher {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &Dispatcher{channels: channels, timeout: timeout, log: log, slots: make(chan struct{}, maxInFlight)}
}

// Send starts delivering a to every channel and returns at once.
func (d *Dispatcher) Send(a Alert) {
	for _, ch := range d.channels {
		select {
		case d.slots <- struct{}{}:
		default:
			d.log.Warn("alerts: too many deliveries in flight; dropped", "channel", ch.Name(), "rule", a.Rule, "profile", a.Profile)
			continue
		}
		d.wg.Add(1)
		go func() {
			defer func() { <-d.slots; d.wg.Done() }()
			limit := d.timeout
			if t, ok := ch.(interface{ timeout() time.Duration }); ok && t.timeout() > 0 {
				limit = t.timeout()
			}
			ctx, cancel := context.WithTimeout(context.Background(), limit)
			defer cancel()
			if err := ch.Send(ctx, a); err != nil {
				d.log.Warn("alerts: channel failed", "channel", ch.Name(), "rule", a.Rule, "profile", a.Profile, "err", err)
			}
		}()
	}
}

// Wait blocks until every delivery started so far has ended (each is
// bounded by the timeout); `watch --once` calls it before exiting.
func (d *Dispatcher) Wait() { d.wg.Wait() }
