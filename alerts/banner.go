package alerts

import "context"

// Banner hands alerts to the dashboard, which shows a one-line banner and
// rings the terminal bell. It never blocks: when the dashboard is behind,
// the alert is dropped from the banner (the other channels still get it).
type Banner struct{ ch chan Alert }

// NewBanner returns the channel and the stream the TUI reads.
func NewBanner(buf int) (*Banner, <-chan Alert) {
	b := &Banner{ch: make(chan Alert, max(buf, 1))}
	return b, b.ch
}

func (b *Banner) Name() string { return "banner" }

func (b *Banner) Send(_ context.Context, a Alert) error {
	select {
	case b.ch <- a:
	default:
	}
	return nil
}
