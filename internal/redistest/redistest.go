// Package redistest starts a throwaway redis-server for tests: a real server
// from PATH, on a free loopback port, with its files in the test's temp dir,
// stopped when the test ends. Tests skip (with a message saying how to get
// the binary) only when redis-server is not installed; any other failure to
// start is a test failure, so a broken setup never passes silently.
package redistest

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Binary is the executable looked up on PATH.
const Binary = "redis-server"

// Options configure a Server. The zero value is a plain server without auth.
type Options struct {
	// Password, when set, is required from clients (requirepass).
	Password string
}

// Server is one running (or stopped) redis-server owned by a test.
type Server struct {
	t    testing.TB
	bin  string
	dir  string
	opts Options

	mu   sync.Mutex
	port int
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd exits
}

// Start runs a new redis-server for t and stops it in t.Cleanup. It skips t
// when redis-server is not on PATH.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	bin, err := exec.LookPath(Binary)
	if err != nil {
		t.Skipf("redistest: %s not found on PATH (install it: apt-get install -y redis-server, or run .ci/deps.sh): %v", Binary, err)
	}
	s := &Server{t: t, bin: bin, dir: t.TempDir(), opts: opts}
	// A free port can be taken between our probe and redis binding it;
	// try a few fresh ports before giving up.
	var lastErr error
	for range 5 {
		port, err := freePort()
		if err != nil {
			t.Fatalf("redistest: finding a free loopback port: %v", err)
		}
		if lastErr = s.startOn(port); lastErr == nil {
			break
		}
	}
	if lastErr != nil {
		t.Fatalf("redistest: starting %s: %v", bin, lastErr)
	}
	t.Cleanup(s.Stop)
	return s
}

// Addr is host:port of the server (valid across Restart).
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port))
}

// URL is a redis:// URL for the server, database 0, with the password when
// one is set.
func (s *Server) URL() string {
	if s.opts.Password != "" {
		return "redis://:" + s.opts.Password + "@" + s.Addr() + "/0"
	}
	return "redis://" + s.Addr() + "/0"
}

// Stop kills the server (SIGKILL: like a crash, nothing is saved) and waits
// for it to exit. Stopping a stopped server does nothing.
func (s *Server) Stop() {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Kill() // SIGKILL also ends a paused (SIGSTOPped) server
	<-done
}

// Restart stops the server if it runs and starts a fresh one on the same
// port. Data does not survive (persistence is off), as after a crash.
func (s *Server) Restart() {
	s.t.Helper()
	s.Stop()
	s.mu.Lock()
	port := s.port
	s.mu.Unlock()
	var err error
	// The old socket can linger for a moment after the kill.
	for range 50 {
		if err = s.startOn(port); err == nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.t.Fatalf("redistest: restarting on port %d: %v", port, err)
}

func (s *Server) startOn(port int) error {
	args := []string{
		"--port", strconv.Itoa(port),
		"--bind", "127.0.0.1",
		"--dir", s.dir,
		"--save", "",
		"--appendonly", "no",
		"--daemonize", "no",
		"--protected-mode", "no",
		"--loglevel", "warning",
		"--logfile", "", // log to stdout, captured below
	}
	if s.opts.Password != "" {
		args = append(args, "--requirepass", s.opts.Password)
	}
	logPath := filepath.Join(s.dir, fmt.Sprintf("redis-%d.log", port))
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	cmd := exec.Command(s.bin, args...)
	cmd.Dir = s.dir
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return err
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		logFile.Close()
		close(done)
	}()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	if err := waitReady(addr, done, 5*time.Second); err != nil {
		_ = cmd.Process.Kill()
		<-done
		return fmt.Errorf("%w; log %s: %s", err, logPath, tail(logPath))
	}
	s.mu.Lock()
	s.port, s.cmd, s.done = port, cmd, done
	s.mu.Unlock()
	return nil
}

// waitReady polls addr until the server answers PING (+PONG, or -NOAUTH when
// a password is required: it is up either way).
func waitReady(addr string, exited <-chan struct{}, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		select {
		case <-exited:
			return errors.New("redis-server exited during start-up")
		default:
		}
		if ping(addr) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("redis-server not answering on %s after %v", addr, limit)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func ping(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
	if err != nil {
		return false
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(500 * time.Millisecond))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return false
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return false
	}
	return strings.HasPrefix(line, "+PONG") || strings.HasPrefix(line, "-NOAUTH")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func tail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	s := strings.TrimSpace(string(b))
	if len(s) > 2000 {
		s = "…" + s[len(s)-2000:]
	}
	return s
}
