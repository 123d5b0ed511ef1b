package alerts

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Webhook POSTs each alert as JSON: {"text": "…", "alert": {…}}. "text"
// is what Slack, Mattermost, Rocket.Chat and Discord's /slack endpoint
// show; "alert" carries the structured fields for anything else.
//
// Its URL is a secret (Slack's carries the credential in the path): Name
// and every error show only the scheme and host, and redirects are not
// followed, so the body never goes where the URL's owner did not say.
type Webhook struct {
	url     string
	shown   string
	secrets []string // the URL and its parts that an answer might echo
	client  *http.Client
	Timeout time.Duration
}

// NewWebhook checks rawURL (https, or http to loopback) and returns the
// channel; client nil means a fresh http.Client.
func NewWebhook(rawURL string, client *http.Client, timeout time.Duration) (*Webhook, error) {
	u, err := checkWebhookURL(rawURL)
	if err != nil {
		return nil, err
	}
	c := &http.Client{}
	if client != nil {
		cp := *client
		c = &cp
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	secrets := []string{rawURL}
	for _, p := range []string{u.EscapedPath(), u.Path, u.RawQuery, u.User.String()} {
		if len(p) > 1 {
			secrets = append(secrets, p)
		}
	}
	return &Webhook{url: rawURL, shown: MaskURL(u), secrets: secrets, client: c, Timeout: timeout}, nil
}

func checkWebhookURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil, errors.New("not an absolute http(s) URL")
	}
	switch u.Scheme {
	case "https":
	case "http":
		host := u.Hostname()
		if ip := net.ParseIP(host); !strings.EqualFold(host, "localhost") && (ip == nil || !ip.IsLoopback()) {
			return nil, fmt.Errorf("plain http:// to %s would send the alert and the URL's secret in clear; use https", host)
		}
	default:
		return nil, errors.New("scheme must be https")
	}
	return u, nil
}

// MaskURL shows a secret URL as scheme://host/… (no user, path or query).
func MaskURL(u *url.URL) string {
	s := u.Scheme + "://" + u.Host
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" {
		s += "/…"
	}
	return s
}

func (w *Webhook) Name() string           { return "webhook " + w.shown }
func (w *Webhook) timeout() time.Duration { return w.Timeout }

func (w *Webhook) Send(ctx context.Context, a Alert) error {
	body, err := json.Marshal(struct {
		Text  string `json:"text"`
		Alert Alert  `json:"alert"`
	}{a.Text, a})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(body))
	if err != nil {
		return errors.New("cannot build the request") // its error would quote the URL
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := w.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error quotes the whole URL, secret included
		}
		return fmt.Errorf("POST %s: %s", w.shown, w.scrub(err.Error()))
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("POST %s: %s %s", w.shown, resp.Status, clean(w.scrub(string(snippet))))
	}
	return nil
}

// scrub hides the URL and its secret parts in text from elsewhere.
func (w *Webhook) scrub(s string) string {
	for _, p := range w.secrets {
		s = strings.ReplaceAll(s, p, "…")
	}
	return s
}
