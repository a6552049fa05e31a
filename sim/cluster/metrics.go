package cluster

import (
	"context"
	"fmt"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/apiserver"
	"github.com/tinykube/tinykube/core/metricsserver"
	"github.com/tinykube/tinykube/sim"
)

// The metrics pipeline of a scenario with cluster.metrics: every API
// server process runs a scraper (core/metricsserver) on its loop, which
// follows the Nodes through the process's own client — the simulated
// network, as system:apiserver (identity.go) — and reaches each node's
// kubelet through the network too (sim.Network.Reach), so partitions,
// loss and crashed kubelets cost it samples as they would cost
// metrics-server.

// startMetrics starts the scraper of API server process p and returns it
// as the server's MetricsSource. A crash of p loses it with everything
// else the server held.
func (c *Cluster) startMetrics(p *sim.Process) apiserver.MetricsSource {
	s := metricsserver.New(metricsserver.Config{Loop: p.Loop(), Client: p.Client(),
		Source: simSummaries{c: c, from: p.Name}, Resolution: c.Scenario.Cluster.MetricResolution.Duration})
	s.Start()
	p.OnCrash(s.Stop)
	return observedMetrics{Scraper: s, c: c} // hpametrics.go
}

// simSummaries reaches simulated kubelets for their stats summaries.
type simSummaries struct {
	c    *Cluster
	from string // the API server process asking
}

// Summary asks node's kubelet, across the simulated network, for
// (*kubelet.Kubelet).Summary.
func (s simSummaries) Summary(_ context.Context, node *api.Node) (api.Summary, error) {
	nd := s.c.Node(node.Name)
	if nd == nil {
		return api.Summary{}, fmt.Errorf("node %s is not a machine of the simulated cluster: no kubelet to ask", node.Name)
	}
	var sum api.Summary
	err := s.c.W.Net.Reach(s.from, nd.Kubelet.Name, "GET /stats/summary", func() error {
		var err error
		sum, err = nd.Summary()
		return err
	})
	return sum, err
}
