package redistest

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"
)

// send writes one inline command and returns the first reply line.
func send(t *testing.T, addr, cmd string) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte(cmd + "\r\n")); err != nil {
		t.Fatalf("write: %v", err)
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		t.Fatalf("read reply to %q: %v", cmd, err)
	}
	return strings.TrimSpace(line)
}

func TestStartRestartStop(t *testing.T) {
	s := Start(t, Options{})
	if got := send(t, s.Addr(), "SET k v"); got != "+OK" {
		t.Fatalf("SET: got %q", got)
	}
	if !strings.HasPrefix(s.URL(), "redis://127.0.0.1:") {
		t.Errorf("URL = %q, want redis://127.0.0.1:…", s.URL())
	}
	addr := s.Addr()
	s.Restart()
	if s.Addr() != addr {
		t.Fatalf("restart moved the server from %s to %s", addr, s.Addr())
	}
	// Persistence is off: a restart loses data like a crash would.
	if got := send(t, s.Addr(), "GET k"); got != "$-1" {
		t.Errorf("GET after restart: got %q, want nil ($-1)", got)
	}
	s.Stop()
	if _, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
		t.Errorf("server still accepts connections after Stop")
	}
	s.Stop() // idempotent
}

func TestPassword(t *testing.T) {
	s := Start(t, Options{Password: "s3cret"})
	if got := send(t, s.Addr(), "GET k"); !strings.HasPrefix(got, "-NOAUTH") {
		t.Errorf("GET without AUTH: got %q, want -NOAUTH", got)
	}
	if !strings.Contains(s.URL(), ":s3cret@") {
		t.Errorf("URL %q lacks the password", s.URL())
	}
}
