package redisbudget

import (
	"strings"
	"testing"
	"time"
)

func TestParseURL(t *testing.T) {
	o, err := ParseURL("redis://bob:pw@10.0.0.5:6380/2")
	if err != nil {
		t.Fatal(err)
	}
	if o.Addr != "10.0.0.5:6380" || o.Username != "bob" || o.Password != "pw" || o.DB != 2 {
		t.Errorf("parsed %s user %q db %d", o.Addr, o.Username, o.DB)
	}
	// Short timeouts by default: a slow Redis must not stall the batch.
	if o.ReadTimeout != DefaultIOTimeout || o.DialTimeout != DefaultDialTimeout || o.MaxRetries != -1 || o.DialerRetries != 1 {
		t.Errorf("defaults: read %v dial %v retries %d dialer retries %d", o.ReadTimeout, o.DialTimeout, o.MaxRetries, o.DialerRetries)
	}
	// The URL's own settings win.
	o, err = ParseURL("rediss://h:6379/0?read_timeout=2s&max_retries=3")
	if err != nil {
		t.Fatal(err)
	}
	if o.ReadTimeout != 2*time.Second || o.MaxRetries != 3 || o.TLSConfig == nil {
		t.Errorf("overrides: read %v retries %d tls %v", o.ReadTimeout, o.MaxRetries, o.TLSConfig != nil)
	}
	// Messages never carry the password, even for strings that are not URLs.
	for _, raw := range []string{"redis://:pw@h:x/0", "redis://u:pw@h/0?nope=1", "ftp://u:pw@h/", "redis://u:pw@h%zz/"} {
		_, err := ParseURL(raw)
		if err == nil {
			t.Errorf("ParseURL(%q) accepted", raw)
			continue
		}
		if strings.Contains(err.Error(), "pw") {
			t.Errorf("ParseURL(%q) error shows the password: %v", raw, err)
		}
	}
	if got := Redacted("redis://u:pw@h:1/0"); got != "redis://u:xxxxx@h:1/0" {
		t.Errorf("Redacted = %q", got)
	}
}
