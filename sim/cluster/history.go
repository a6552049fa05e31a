package cluster

import (
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/sim/history"
	"github.com/tinykube/tinykube/sim/scenario"
)

// NewRecorded builds the cluster of scenario s for seed, as New does, with
// every API call recorded from the start: those of the control plane,
// kubelets and proxies (through World.WrapTransport) and those of the
// scenario's admin client. Check the history with history.Check and
// Options{Incomplete: true}: the API server's bootstrap objects and what
// the processes did while New built them are not in it.
//
// New starts the processes before a caller can set WrapTransport, so they
// are restarted here, at virtual time zero, before anything has run: the
// run is that of the same scenario and seed with a restart of every
// API-calling process at its very start (its trace shows them), not the
// byte-identical run of New.
func NewRecorded(s *scenario.Scenario, seed uint64) (*Cluster, *history.Recorder, error) {
	c, err := New(s, seed)
	if err != nil {
		return nil, nil, err
	}
	rec := history.NewRecorder(c.W.Now)
	// The recorder goes outside whatever New wrapped the transports with
	// (the one-leader check watches them): it records what the client sees.
	inner := c.W.WrapTransport
	c.W.WrapTransport = func(process string, t client.Transport) client.Transport {
		if inner != nil {
			t = inner(process, t)
		}
		return rec.Wrap(process, t)
	}
	c.Admin = client.New(rec.Wrap("admin", client.Local(c.API.Handle)))
	machines := map[string]bool{}
	for _, n := range c.Nodes {
		machines[n.Machine.Name] = true // a runtime: it makes no API calls
	}
	for _, p := range c.W.Processes() {
		if p.Up() && !machines[p.Name] {
			p.Crash()
			p.Start()
		}
	}
	return c, rec, nil
}
