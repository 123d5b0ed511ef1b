//go:build linux

package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// TestSetTokenPromptsWithoutEcho: on a terminal, set-token prompts and turns
// echo off before the token is typed, then restores it.
func TestSetTokenPromptsWithoutEcho(t *testing.T) {
	isolateConfig(t)
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skip("no pty:", err)
	}
	defer ptmx.Close()
	defer tty.Close()
	fd := int(tty.Fd())
	var out, errb bytes.Buffer
	done := make(chan int)
	go func() {
		done <- run(context.Background(), []string{"config", "set-token", "--profile", "tty"}, streams{In: tty, Out: &out, Err: &errb})
	}()
	// Type only once echo is off, as a person would after the prompt.
	deadline := time.Now().Add(10 * time.Second)
	for {
		tio, err := unix.IoctlGetTermios(fd, unix.TCGETS)
		if err != nil {
			t.Fatal(err)
		}
		if tio.Lflag&unix.ECHO == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("echo never turned off")
		}
		time.Sleep(time.Millisecond)
	}
	token := cfgTok("p")
	if _, err := ptmx.Write([]byte(token + "\n")); err != nil {
		t.Fatal(err)
	}
	if code := <-done; code != 0 {
		t.Fatalf("exit %d: %s%s", code, out.String(), errb.String())
	}
	if !strings.Contains(errb.String(), "abstrakt token for profile tty (input hidden): ") {
		t.Errorf("prompt: %q", errb.String())
	}
	if !strings.Contains(out.String(), "saved token ab_…pppp for profile tty") {
		t.Errorf("stdout: %q", out.String())
	}
	if strings.Contains(out.String()+errb.String(), token) {
		t.Error("full token printed")
	}
	if tio, _ := unix.IoctlGetTermios(fd, unix.TCGETS); tio.Lflag&unix.ECHO == 0 {
		t.Error("echo not restored")
	}
}
