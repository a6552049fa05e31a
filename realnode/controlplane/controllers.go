package controlplane

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/controller/cronjob"
	"github.com/tinykube/tinykube/core/controller/daemonset"
	"github.com/tinykube/tinykube/core/controller/deployment"
	"github.com/tinykube/tinykube/core/controller/endpoints"
	"github.com/tinykube/tinykube/core/controller/garbagecollector"
	"github.com/tinykube/tinykube/core/controller/job"
	"github.com/tinykube/tinykube/core/controller/node"
	"github.com/tinykube/tinykube/core/controller/replicaset"
	"github.com/tinykube/tinykube/core/controller/servicelb"
	"github.com/tinykube/tinykube/core/controller/statefulset"
	"github.com/tinykube/tinykube/core/scheduler"
	"github.com/tinykube/tinykube/realnode/runloop"
)

// ControllerConfig tunes the scheduler and controllers a server runs.
type ControllerConfig struct {
	// Scoring is the scheduler's: LeastAllocated (default) or MostAllocated.
	Scoring string
	// NodeGracePeriod and EvictionTimeout are the node controller's (10s
	// each by default).
	NodeGracePeriod, EvictionTimeout time.Duration
	// LoadBalancerPool is where Services of type LoadBalancer get their
	// addresses: comma-separated addresses and CIDR prefixes (see
	// servicelb.NewPoolProvider). Empty means DefaultLoadBalancerPool.
	LoadBalancerPool string
}

// DefaultLoadBalancerPool is 127.0.100.0/24: on Linux the whole of
// 127.0.0.0/8 answers on the loopback interface, so on the one machine of
// `tinykube up` (or a lone server) these addresses reach the node's
// service proxy without configuring any interface. A cluster of several
// machines wants a pool its network routes to the nodes instead.
const DefaultLoadBalancerPool = "127.0.100.0/24"

// startControllers runs the scheduler and the controller manager in this
// process, each on its own loop (one goroutine), talking to the API in
// process. They are the same components the simulator runs.
func (s *Server) startControllers(ctx context.Context, cfg ControllerConfig) error {
	c := client.New(client.Local(s.API.Handle))
	poolSpec := cfg.LoadBalancerPool
	if poolSpec == "" {
		poolSpec = DefaultLoadBalancerPool
	}
	pool, err := servicelb.NewPoolProvider(poolSpec)
	if err != nil {
		return err
	}
	run := func(start func(l *runloop.Loop)) {
		l := runloop.New()
		go l.Run(ctx)
		l.Post(func() { start(l) })
	}
	run(func(l *runloop.Loop) {
		scheduler.New(scheduler.Config{Loop: l, Client: c, Rand: rand.New(rand.NewPCG(seed(), seed())), Name: "default-scheduler", Scoring: cfg.Scoring}).Start()
	})
	run(func(l *runloop.Loop) {
		rec := client.NewRecorder(l, c, "controller-manager", "")
		replicaset.New(replicaset.Config{Loop: l, Client: c, Recorder: rec, Rand: rand.New(rand.NewPCG(seed(), seed()))}).Start()
		endpoints.New(endpoints.Config{Loop: l, Client: c, Recorder: rec}).Start()
		deployment.New(deployment.Config{Loop: l, Client: c, Recorder: rec}).Start()
		job.New(job.Config{Loop: l, Client: c, Recorder: rec}).Start()
		garbagecollector.New(garbagecollector.Config{Loop: l, Client: c, Recorder: rec}).Start()
		cronjob.New(cronjob.Config{Loop: l, Client: c, Recorder: rec, Zones: time.LoadLocation}).Start()
		daemonset.New(daemonset.Config{Loop: l, Client: c, Recorder: rec}).Start()
		statefulset.New(statefulset.Config{Loop: l, Client: c, Recorder: rec}).Start()
		servicelb.New(servicelb.Config{Loop: l, Client: c, Recorder: rec, Provider: pool}).Start()
	})
	run(func(l *runloop.Loop) {
		rec := client.NewRecorder(l, c, "node-controller", "")
		node.New(node.Config{Loop: l, Client: c, Recorder: rec, GracePeriod: cfg.NodeGracePeriod, EvictionTimeout: cfg.EvictionTimeout}).Start()
	})
	return nil
}

// LeaderElectionConfig tunes the elections that let only one server's
// scheduler, and one server's controller manager, act at a time.
type LeaderElectionConfig struct {
	// LeaseDuration, RenewDeadline and RetryPeriod are Kubernetes' (15s,
	// 10s, 2s by default); tests shorten them.
	LeaseDuration, RenewDeadline, RetryPeriod time.Duration
	// Identity is this server's name in the Leases (default: hostname/
	// the API's host:port).
	Identity string
}
