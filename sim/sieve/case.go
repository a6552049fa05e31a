package sieve

import (
	"context"
	"time"

	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/sim"
)

// Case is one controller and the starting state it is checked from.
type Case struct {
	// Name names the case in reports ("replicaset").
	Name string
	// Objects are manifests (YAML documents separated by "---") created
	// through the API, in order, before anything starts.
	Objects string
	// Setup, when set, runs after Objects with a client that reaches the
	// API server directly, outside the simulated network: for state a
	// manifest cannot carry, such as a node's status.
	Setup func(ctx context.Context, admin *client.Client) error
	// Script holds changes a user makes at fixed times (scaling a
	// ReplicaSet, say), the same in every run.
	Script []Step
	// Controller starts the controller under test on p. It is called again
	// at every restart: fresh components, as a restarted binary has.
	Controller func(w *sim.World, p *sim.Process)
	// Helpers starts what the controller needs from the rest of a cluster
	// (another controller, a pod driver) in a process that is never
	// perturbed. May be nil.
	Helpers func(w *sim.World, p *sim.Process)

	// Duration is how long every run lasts, in virtual time; outcomes are
	// compared at its end. Default 2m.
	Duration time.Duration
	// Settle is the calm every perturbed run gets before its end: no
	// perturbation starts, and none lasts, past Duration-Settle. Default 60s.
	Settle time.Duration
	// Boundaries caps the crash points at the controller's first
	// Boundaries calls. Default 60.
	Boundaries int
	// StaleWrites caps the stale and stale-restart runs at the
	// controller's first StaleWrites writes. Default 12.
	StaleWrites int
	// Ignore names more resources (plural, "configmaps") left out of the
	// outcome; DefaultIgnore always is.
	Ignore []string
	// Anonymous names resources ("pods") whose objects are interchangeable:
	// which of two equal pods a ReplicaSet deletes depends on timing. Their
	// names are dropped, and they are keyed by their controller instead,
	// "pods/default/<ReplicaSet/web>", so that the outcome compares how
	// many of each kind there are, not which.
	Anonymous []string
	// Relabel names fields ("ip") whose values the controller may choose
	// differently in equally good runs, such as the address a load
	// balancer pool hands out: they are compared by which objects share a
	// value, not by the value.
	Relabel []string
	// Want checks the baseline's outcome, so that a case whose controller
	// did nothing is not taken for one that passes. Optional.
	Want func(o Outcome) error
	// Seed seeds the world (default 1).
	Seed uint64
}

// Step is one scripted change, made through a client that the network
// never touches.
type Step struct {
	At time.Duration
	Do func(ctx context.Context, admin *client.Client) error
}

// DefaultIgnore are the resources never compared: events are best effort
// and repeat after a restart, leases are heartbeats, and the allocation
// records are the API server's own bookkeeping.
var DefaultIgnore = []string{"events", "leases", "ipaddresses", "nodeports"}

// Timing of the perturbations.
const (
	// RestartDelay is how long a crashed controller stays down.
	RestartDelay = time.Second
	// LateDelay is how late a late watch event arrives.
	LateDelay = 4 * time.Second
	// LateFor is how long watch events stay late in the late runs.
	LateFor = 20 * time.Second
	// StaleFor is how long the controller's reads stay stale (and its
	// watch events late) in the stale and stale-restart runs.
	StaleFor = 10 * time.Second
)

func (c Case) withDefaults() Case {
	if c.Duration <= 0 {
		c.Duration = 2 * time.Minute
	}
	if c.Settle <= 0 {
		c.Settle = 60 * time.Second
	}
	if c.Boundaries <= 0 {
		c.Boundaries = 60
	}
	if c.StaleWrites <= 0 {
		c.StaleWrites = 12
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	return c
}
