package memnet

import (
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"testing/synctest"
	"time"
)

func TestDialAcceptEcho(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := Listen()
		defer l.Close()
		go func() {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
			_, _ = io.Copy(c, c)
		}()
		c, err := l.DialContext(context.Background(), "tcp", "ignored:80")
		if err != nil {
			t.Fatal(err)
		}
		if a, ok := c.RemoteAddr().(*net.TCPAddr); !ok || !a.IP.IsLoopback() {
			t.Errorf("remote addr %v: want loopback TCP", c.RemoteAddr())
		}
		if _, err := c.Write([]byte("ping")); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 4)
		if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "ping" {
			t.Errorf("echo %q %v", buf, err)
		}
		c.Close()
	})
}

func TestClosedAndCanceled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := Listen()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if _, err := l.DialContext(ctx, "tcp", ""); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("dial with nobody accepting: %v, want the context's deadline", err)
		}
		l.Close()
		if _, err := l.Accept(); !errors.Is(err, ErrClosed) {
			t.Errorf("accept after close: %v", err)
		}
		if _, err := l.DialContext(context.Background(), "tcp", ""); !errors.Is(err, ErrClosed) {
			t.Errorf("dial after close: %v", err)
		}
	})
}
