package filelock

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

const holdEnv = "ABTOP_FILELOCK_TEST_HOLD"

// TestMain: with holdEnv set, the test binary is "another process" that
// takes the lock, says so on stdout and holds it until stdin closes.
func TestMain(m *testing.M) {
	if p := os.Getenv(holdEnv); p != "" {
		unlock, err := Lock(p)
		if err != nil {
			os.Exit(3)
		}
		os.Stdout.WriteString("locked\n")
		buf := make([]byte, 1)
		os.Stdin.Read(buf)
		unlock()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestTryLockSeesAnotherProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), holdEnv+"="+path)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 7)
	if _, err := stdout.Read(buf); err != nil || string(buf) != "locked\n" {
		t.Fatalf("holder: %q %v", buf, err)
	}
	if _, err := TryLock(path); !errors.Is(err, ErrLocked) {
		t.Fatalf("TryLock while held elsewhere: %v", err)
	}
	stdin.Close() // the holder unlocks and exits
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	unlock, err := TryLock(path)
	if err != nil {
		t.Fatalf("TryLock after the holder left: %v", err)
	}
	unlock()
}
