package testenv

import (
	"io"
	"net"
	"sync/atomic"
	"time"
)

// Failover is a TCP proxy that stands in for a Service in front of several replicas: each
// connection goes to the next backend in turn that accepts it, so a dead backend costs a refused
// dial and nothing else, as a Service whose endpoints have already been updated. It passes bytes
// (TLS included) through unread.
type Failover struct {
	ln       net.Listener
	backends []string
	next     atomic.Uint32
}

// NewFailover listens on a free loopback port and forwards to backends ("host:port").
func NewFailover(backends ...string) (*Failover, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	f := &Failover{ln: ln, backends: backends}
	go f.serve()
	return f, nil
}

// Addr is the proxy's "host:port".
func (f *Failover) Addr() string { return f.ln.Addr().String() }

// Close stops accepting; connections in flight end with their backends.
func (f *Failover) Close() error { return f.ln.Close() }

func (f *Failover) serve() {
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		go f.forward(c)
	}
}

func (f *Failover) forward(c net.Conn) {
	defer func() { _ = c.Close() }()
	start := int(f.next.Add(1))
	for i := range f.backends {
		up, err := net.DialTimeout("tcp", f.backends[(start+i)%len(f.backends)], time.Second)
		if err != nil {
			continue
		}
		defer func() { _ = up.Close() }()
		go func() {
			_, _ = io.Copy(up, c)
			_ = up.(*net.TCPConn).CloseWrite()
		}()
		_, _ = io.Copy(c, up)
		return
	}
}
