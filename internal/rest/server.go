// Package rest is Tessera's one HTTP listener. Each documented API lives in its own
// sub-package under its own prefix; this package owns what they share: the listener, timeouts,
// body limits, request IDs and graceful shutdown.
package rest

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/go-logr/logr"
)

// MaxBodyBytes bounds every request body; larger bodies fail while being read.
const MaxBodyBytes = 1 << 20

// Server serves the REST APIs. It implements controller-runtime's Runnable, so the manager
// starts and stops it, on every replica (it needs no leader).
type Server struct {
	Addr    string
	Handler http.Handler
	Log     logr.Logger

	// ready is closed once the listener is bound.
	ready chan struct{}
	addr  net.Addr
}

// NewServer returns a server for handler on addr.
func NewServer(addr string, handler http.Handler, log logr.Logger) *Server {
	return &Server{Addr: addr, Handler: handler, Log: log, ready: make(chan struct{})}
}

// Start listens and serves until ctx ends, then drains in-flight requests for up to 10 seconds.
func (s *Server) Start(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.Addr)
	if err != nil {
		return err
	}
	s.addr = ln.Addr()
	close(s.ready)
	srv := &http.Server{
		Handler:           http.MaxBytesHandler(s.Handler, MaxBodyBytes),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	s.Log.Info("REST server listening", "address", "http://"+s.addr.String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// NeedLeaderElection reports false: every replica serves the APIs.
func (s *Server) NeedLeaderElection() bool { return false }

// BoundAddr waits until the listener is bound and returns its address (useful with port 0).
func (s *Server) BoundAddr(ctx context.Context) (net.Addr, error) {
	select {
	case <-s.ready:
		return s.addr, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
