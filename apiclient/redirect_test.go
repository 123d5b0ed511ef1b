package apiclient

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestRedirectToPlainHTTPRefused: New refuses an http:// base URL to a
// remote host; a 3xx from the https server to http:// on the same host must
// be refused too, since net/http forwards Authorization to the same host
// whatever the scheme and the token would travel in clear.
func TestRedirectToPlainHTTPRefused(t *testing.T) {
	var sawToken atomic.Bool
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.Header.Get("Authorization"), testToken) {
			sawToken.Store(true)
		}
		w.Write([]byte(`{"credits":1}`))
	}))
	defer plain.Close()
	secure := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://api.test:80"+r.URL.Path, http.StatusFound)
	}))
	defer secure.Close()

	// api.test:443 is the TLS server, api.test:80 the plain one: no DNS.
	tr := &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true},
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			target := plain.Listener.Addr().String()
			if strings.HasSuffix(addr, ":443") {
				target = secure.Listener.Addr().String()
			}
			return (&net.Dialer{}).DialContext(ctx, network, target)
		},
	}
	defer tr.CloseIdleConnections()
	c, err := New(Options{BaseURL: "https://api.test", Token: testToken, HTTPClient: &http.Client{Transport: tr}})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = c.Balance(context.Background())
	if sawToken.Load() {
		t.Fatal("the token was sent over plain http after a redirect")
	}
	if err == nil || !strings.Contains(err.Error(), "http://") {
		t.Fatalf("err = %v, want the redirect to http:// refused", err)
	}
	if strings.Contains(err.Error(), testToken) {
		t.Fatalf("error holds the token: %v", err)
	}
}
