package controlplane

import (
	"github.com/tinykube/tinykube/core/metrics"
	"github.com/tinykube/tinykube/core/store"
	"github.com/tinykube/tinykube/realnode/etcdstore"
	promreg "github.com/tinykube/tinykube/realnode/metrics"
	"github.com/tinykube/tinykube/realnode/runloop"
)

// The server process' metrics: one Registry for the API server, its etcd
// requests, and the scheduler and controllers it runs, served at GET
// /metrics on the API's port to the users RBAC lets get that path
// (system:masters, the system:monitoring group).
//
// This file is the one place the server assembles them: the API server
// gets the Registry as its Recorder, the store is measured, and every
// loop of an elected component carries it, so the scheduler and each
// controller's work queue report without being told.

// recorder returns the server's Recorder (Discard before Start makes one).
func (s *Server) recorder() metrics.Recorder {
	if s.prom == nil {
		return metrics.Discard
	}
	return s.prom
}

// measuredStore is st with its etcd requests measured.
func (s *Server) measuredStore(st store.Store) store.Store {
	return etcdstore.Measured(st, s.recorder())
}

// newLoop returns a loop for components that carries the server's
// Recorder.
func (s *Server) newLoop() *runloop.Loop {
	l := runloop.New()
	l.Recorder = s.recorder()
	return l
}

// Metrics is the server's Registry: its handler answers /metrics.
func (s *Server) Metrics() *promreg.Registry { return s.prom }
