package cluster

import (
	"fmt"
	"time"

	"github.com/tinykube/tinykube/core/client"
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

// recordHistory plugs a recorder into a run whose scenario asks for
// history: true, outside any wrapper the plugins already bring.
func recordHistory(c **Cluster, plugins Plugins) (Plugins, *history.Recorder) {
	rec := history.NewRecorder(func() time.Time {
		if *c == nil {
			return sim.Epoch
		}
		return (*c).W.Now()
	})
	inner := plugins.Wrap
	plugins.Wrap = func(process string, t client.Transport) client.Transport {
		if inner != nil {
			t = inner(process, t)
		}
		return rec.Wrap(process, t)
	}
	return plugins, rec
}

// checkHistory judges the recorded history at the end of a run.
func (c *Cluster) checkHistory() error {
	if c.history == nil || !c.checker.enabled["linearizable"] {
		return nil
	}
	r := history.Check(c.history.History(), history.Options{Incomplete: true})
	if r.Ok {
		c.W.Trace.Note("check", "history: %d operations on %d objects, linearizable", r.Ops, r.Keys)
		return nil
	}
	return fmt.Errorf("linearizable: %s", r.Explanation)
}

// History returns the run's recorder, or nil unless its scenario says
// history: true.
func (c *Cluster) History() *history.Recorder { return c.history }
