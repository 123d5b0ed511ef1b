package localstate

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestDir(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		want string
		err  bool
	}{
		{"xdg absolute", map[string]string{"XDG_STATE_HOME": "/s", "HOME": "/h"}, "/s/abtop", false},
		{"xdg relative is ignored", map[string]string{"XDG_STATE_HOME": "rel", "HOME": "/h"}, "/h/.local/state/abtop", false},
		{"home only", map[string]string{"HOME": "/h"}, "/h/.local/state/abtop", false},
		{"nothing", map[string]string{}, "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Dir(func(k string) string { return c.env[k] })
			if (err != nil) != c.err || got != filepath.FromSlash(c.want) {
				t.Fatalf("Dir = %q, %v; want %q (error %v)", got, err, c.want, c.err)
			}
		})
	}
}

func TestFileNameIsSafeAndDistinct(t *testing.T) {
	a := FileName("budget", "api.example.com/default", ".json")
	b := FileName("budget", "api.example.com:default", ".json")
	if a == b {
		t.Fatalf("two keys that clean alike share a file: %q", a)
	}
	for _, n := range []string{a, b, FileName("x", "../../etc/passwd", ""), FileName("x", strings.Repeat("é", 200), "")} {
		if strings.ContainsAny(n, `/\:`) || strings.Contains(n, "..") || len(n) > 80 {
			t.Errorf("unsafe or long file name %q", n)
		}
	}
	if !strings.HasPrefix(a, "budget-api.example.com_default-") {
		t.Errorf("name %q does not keep the key readable", a)
	}
}

func TestUpdateSerialisesWriters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "counter")
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 25 {
				err := Update(context.Background(), path, 0o600, func(old []byte) ([]byte, error) {
					n, _ := strconv.Atoi(string(old))
					return []byte(strconv.Itoa(n + 1)), nil
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	got, err := os.ReadFile(path)
	if err != nil || string(got) != "200" {
		t.Fatalf("counter = %q, %v; want 200 (lost updates mean the lock does not exclude)", got, err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
}

func TestAcquireGivesUpWithTheContext(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x")
	l, err := Acquire(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if _, err := Acquire(ctx, path); err == nil || !strings.Contains(err.Error(), "held by another abtop process") {
		t.Fatalf("second Acquire = %v, want a held-by error", err)
	}
}

// A process killed while it holds the lock must not hold the others: the
// kernel drops the lock with the process.
func TestKilledHolderReleasesTheLock(t *testing.T) {
	if os.Getenv("LOCALSTATE_HOLD") != "" {
		l, err := Acquire(context.Background(), os.Getenv("LOCALSTATE_HOLD"))
		if err != nil {
			os.Exit(3)
		}
		os.Stdout.WriteString("held\n")
		_ = l
		time.Sleep(time.Minute) // killed long before
		os.Exit(0)
	}
	path := filepath.Join(t.TempDir(), "x")
	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledHolderReleasesTheLock$")
	cmd.Env = append(os.Environ(), "LOCALSTATE_HOLD="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 5)
	if _, err := out.Read(buf); err != nil || string(buf) != "held\n" {
		t.Fatalf("helper did not take the lock: %q %v", buf, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	if _, err := Acquire(ctx, path); err == nil {
		t.Fatal("lock taken while the helper holds it")
	}
	cancel()
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	ctx, cancel = context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	l, err := Acquire(ctx, path)
	if err != nil {
		t.Fatalf("lock still held after its holder was killed: %v", err)
	}
	l.Release()
}

func TestWriteAtomicLeavesNoTemporaryFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	if err := WriteAtomic(path, []byte("one"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteAtomic(path, []byte("two"), 0o600); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("directory holds %d entries, want only the file", len(entries))
	}
	if got, _ := os.ReadFile(path); string(got) != "two" {
		t.Fatalf("content %q", got)
	}
}

// ReplaceWith writes what its function writes, in pieces bigger than its
// buffer; a function that fails leaves the old file and no temporary one.
func TestReplaceWithStreamsOrLeavesTheOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "big.json")
	if err := Replace(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := ReplaceWith(path, 0o600, func(w io.Writer) error {
		io.WriteString(w, "half of it")
		return errors.New("the source failed")
	})
	if err == nil || !strings.Contains(err.Error(), "the source failed") {
		t.Fatalf("ReplaceWith error %v, want the function's", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Fatalf("after a failed ReplaceWith the file holds %q, want the old content", got)
	}
	piece := strings.Repeat("x", 100<<10) // bigger than the 64 KB buffer
	if err := ReplaceWith(path, 0o600, func(w io.Writer) error {
		for range 3 {
			if _, err := io.WriteString(w, piece); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != strings.Repeat(piece, 3) {
		t.Fatalf("file holds %d bytes, want %d", len(got), 3*len(piece))
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Fatalf("directory holds %d files, want only the replaced one", len(ents))
	}
}
