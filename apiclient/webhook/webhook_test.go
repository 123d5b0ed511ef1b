package webhook

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The reference libraries' test vector (standard-webhooks/libraries, every
// language's TestWebhookSign).
const (
	vecSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	vecID     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	vecTS     = 1614265330
	vecBody   = `{"test": 2432232314}`
	vecSig    = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func TestSignMatchesTheReferenceVector(t *testing.T) {
	key, err := DecodeSecret(vecSecret)
	if err != nil {
		t.Fatal(err)
	}
	if got := Sign(key, vecID, vecTS, []byte(vecBody)); got != vecSig {
		t.Errorf("Sign = %s, want %s", got, vecSig)
	}
}

func TestVerify(t *testing.T) {
	at := time.Unix(vecTS, 0)
	headers := func(id, ts, sig string) http.Header {
		h := http.Header{}
		for k, v := range map[string]string{HeaderID: id, HeaderTimestamp: ts, HeaderSignature: sig} {
			if v != "" {
				h.Set(k, v)
			}
		}
		return h
	}
	ts := fmt.Sprint(vecTS)
	other := "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc="
	cases := []struct {
		name    string
		secret  string
		now     time.Time
		h       http.Header
		body    string
		wantErr error
	}{
		{"reference vector", vecSecret, at, headers(vecID, ts, vecSig), vecBody, nil},
		{"secret without whsec_", strings.TrimPrefix(vecSecret, "whsec_"), at, headers(vecID, ts, vecSig), vecBody, nil},
		{"one of several signatures", vecSecret, at, headers(vecID, ts, other+" v1a,xyz "+vecSig+" "+other), vecBody, nil},
		{"4m59s late", vecSecret, at.Add(299 * time.Second), headers(vecID, ts, vecSig), vecBody, nil},
		{"exactly 5 min late", vecSecret, at.Add(5 * time.Minute), headers(vecID, ts, vecSig), vecBody, nil},
		{"5m01s late", vecSecret, at.Add(301 * time.Second), headers(vecID, ts, vecSig), vecBody, ErrTooOld},
		{"5m01s early", vecSecret, at.Add(-301 * time.Second), headers(vecID, ts, vecSig), vecBody, ErrTooNew},
		{"body changed", vecSecret, at, headers(vecID, ts, vecSig), `{"test": 2432232315}`, ErrNoSignature},
		{"id changed", vecSecret, at, headers(vecID+"x", ts, vecSig), vecBody, ErrNoSignature},
		{"timestamp changed", vecSecret, at, headers(vecID, fmt.Sprint(vecTS+1), vecSig), vecBody, ErrNoSignature},
		{"wrong secret", "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSx", at, headers(vecID, ts, vecSig), vecBody, ErrNoSignature},
		{"other signature only", vecSecret, at, headers(vecID, ts, other), vecBody, ErrNoSignature},
		{"right MAC under another version", vecSecret, at, headers(vecID, ts, "v2,"+strings.TrimPrefix(vecSig, "v1,")), vecBody, ErrNoSignature},
		{"partial signature", vecSecret, at, headers(vecID, ts, "v1,"), vecBody, ErrNoSignature},
		{"truncated signature", vecSecret, at, headers(vecID, ts, vecSig[:len(vecSig)-4]), vecBody, ErrNoSignature},
		{"no id", vecSecret, at, headers("", ts, vecSig), vecBody, ErrMissingHeaders},
		{"no timestamp", vecSecret, at, headers(vecID, "", vecSig), vecBody, ErrMissingHeaders},
		{"no signature", vecSecret, at, headers(vecID, ts, ""), vecBody, ErrMissingHeaders},
		{"timestamp not a number", vecSecret, at, headers(vecID, "yesterday", vecSig), vecBody, ErrBadTimestamp},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, err := NewVerifier(c.secret, func() time.Time { return c.now }, 0)
			if err != nil {
				t.Fatal(err)
			}
			d, err := v.Verify(c.h, []byte(c.body))
			if !errors.Is(err, c.wantErr) || (c.wantErr == nil) != (err == nil) {
				t.Fatalf("Verify = %+v, %v; want %v", d, err, c.wantErr)
			}
			if err == nil && (d.ID != c.h.Get(HeaderID) || !d.Timestamp.Equal(at)) {
				t.Errorf("delivery %+v", d)
			}
		})
	}
}

func TestNewVerifierRefusesABadSecret(t *testing.T) {
	for _, s := range []string{"", "whsec_", "whsec_not base64!", "hunter2"} {
		if _, err := NewVerifier(s, nil, 0); err == nil {
			t.Errorf("secret %q accepted", s)
		}
	}
}

func TestDedup(t *testing.T) {
	d := Dedup{Max: 2}
	steps := []struct {
		id    string
		first bool
	}{{"a", true}, {"a", false}, {"b", true}, {"a", false}, {"c", true}, {"a", true}, {"c", false}}
	for i, s := range steps {
		if got := d.First(s.id); got != s.first {
			t.Errorf("step %d: First(%q) = %v, want %v", i, s.id, got, s.first)
		}
	}
}

func FuzzVerify(f *testing.F) {
	f.Add(vecID, fmt.Sprint(vecTS), vecSig, vecBody)
	f.Add("", "1", "v1,,,", "")
	f.Add("x", "-99999999999999999999", "v1 v1, ,v1", "{}")
	key, _ := DecodeSecret(vecSecret)
	v, _ := NewVerifier(vecSecret, func() time.Time { return time.Unix(vecTS, 0) }, 0)
	f.Fuzz(func(t *testing.T, id, ts, sig, body string) {
		h := http.Header{HeaderID: {id}, HeaderTimestamp: {ts}, HeaderSignature: {sig}}
		d, err := v.Verify(h, []byte(body))
		if err != nil {
			return
		}
		// Accepted: it must carry the one right signature.
		secs := d.Timestamp.Unix()
		if !strings.Contains(sig, Sign(key, id, secs, []byte(body))) {
			t.Errorf("accepted %q %q %q %q without its signature", id, ts, sig, body)
		}
	})
}
