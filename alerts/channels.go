package alerts

import (
	"io"
	"net/http"
)

// Channels builds the channels cfg asks for: desktop (through tty when
// the terminal supports it; nil tty for the system notifier only), the
// command hook and the webhook. The dashboard adds its Banner itself.
func Channels(cfg Config, getenv func(string) string, tty io.Writer, client *http.Client) ([]Channel, error) {
	var chs []Channel
	if cfg.Desktop {
		chs = append(chs, NewDesktop(getenv, tty))
	}
	if len(cfg.Command) > 0 {
		chs = append(chs, &Command{Argv: cfg.Command, Timeout: cfg.CommandTimeout})
	}
	if cfg.Webhook != "" {
		w, err := NewWebhook(cfg.Webhook, client, cfg.WebhookTimeout)
		if err != nil {
			return nil, err // names no part of the URL
		}
		chs = append(chs, w)
	}
	return chs, nil
}
