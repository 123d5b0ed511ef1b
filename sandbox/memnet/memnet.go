// Package memnet is an in-memory network for one HTTP server: a
// net.Listener whose connections are net.Pipe pairs. Everything blocks on
// channels, so a real http.Server and http.Transport run inside a
// testing/synctest bubble, where a TCP socket would keep the fake clock
// from advancing.
package memnet

import (
	"context"
	"errors"
	"net"
	"sync"
)

// ErrClosed is returned by Accept and Dial after Close.
var ErrClosed = errors.New("memnet: listener closed")

// Listener hands out the server ends of piped connections.
type Listener struct {
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once

	mu       sync.Mutex
	nextPort int
}

// Listen returns a listener that accepts connections made by its DialContext.
func Listen() *Listener {
	return &Listener{conns: make(chan net.Conn), closed: make(chan struct{}), nextPort: 40000}
}

// Accept waits for the next DialContext.
func (l *Listener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, ErrClosed
	}
}

// Close stops Accept and Dial; connections already made stay open.
func (l *Listener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

// Addr is 127.0.0.1:80, so servers treat the peer as loopback.
func (l *Listener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 80} }

// DialContext connects to the listener, whatever network and address are
// asked for. Use it as http.Transport.DialContext.
func (l *Listener) DialContext(ctx context.Context, _, _ string) (net.Conn, error) {
	l.mu.Lock()
	l.nextPort++
	port := l.nextPort
	l.mu.Unlock()
	client, server := net.Pipe()
	local := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}
	select {
	case l.conns <- addrConn{Conn: server, local: l.Addr(), remote: local}:
		return addrConn{Conn: client, local: local, remote: l.Addr()}, nil
	case <-l.closed:
		client.Close()
		server.Close()
		return nil, ErrClosed
	case <-ctx.Done():
		client.Close()
		server.Close()
		return nil, ctx.Err()
	}
}

// addrConn gives a pipe TCP-looking loopback addresses (net.Pipe reports "pipe").
type addrConn struct {
	net.Conn
	local, remote net.Addr
}

func (c addrConn) LocalAddr() net.Addr  { return c.local }
func (c addrConn) RemoteAddr() net.Addr { return c.remote }
