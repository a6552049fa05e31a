package cluster

import (
	"time"

	"github.com/tinykube/tinykube/sim"
	"github.com/tinykube/tinykube/sim/history"
	"github.com/tinykube/tinykube/sim/scenario"
)

// NewRecorded builds the cluster of scenario s for seed, as New does, with
// every API call recorded from the start: those of the control plane,
// kubelets and proxies and those of the scenario's admin client. The run
// is the same as New's, step for step. Check the history with
// history.Check and Options{Incomplete: true}: the API server's bootstrap
// objects are not in it.
func NewRecorded(s *scenario.Scenario, seed uint64) (*Cluster, *history.Recorder, error) {
	var c *Cluster
	rec := history.NewRecorder(func() time.Time {
		if c == nil {
			return sim.Epoch // calls made while the cluster is built
		}
		return c.W.Now()
	})
	c, err := NewWith(s, seed, Plugins{Wrap: rec.Wrap})
	if err != nil {
		return nil, nil, err
	}
	return c, rec, nil
}
