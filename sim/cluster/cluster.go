package cluster

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/apiserver"
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
	"github.com/tinykube/tinykube/core/kubelet"
	"github.com/tinykube/tinykube/core/leader"
	"github.com/tinykube/tinykube/core/proxy"
	"github.com/tinykube/tinykube/core/scheduler"
	"github.com/tinykube/tinykube/core/store"
	"github.com/tinykube/tinykube/sim"
	"github.com/tinykube/tinykube/sim/history"
	simruntime "github.com/tinykube/tinykube/sim/runtime"
	"github.com/tinykube/tinykube/sim/scenario"
)

// Cluster is one simulated run of a scenario.
type Cluster struct {
	W        *sim.World
	Scenario *scenario.Scenario
	Store    *store.Memory
	// API is the admin's API server: straight over the store, outside the
	// simulated network, so faults never hit it.
	API *apiserver.Server
	// Servers are the API servers the processes call, over the same store,
	// each with its own watch cache (see sim.Server).
	Servers []*sim.Server
	// Admin is the scenario's own client: it talks to API directly.
	Admin *client.Client
	Nodes []*Node

	checker *checker
	leaders *leaderCheck
	plugins Plugins
	history *history.Recorder // with history: true
	// lastFault is when the last fault ends (liveness is judged after).
	lastFault   time.Duration
	faults      []scenario.Fault
	traffic     *trafficStats
	trafficRand *rand.Rand
	// converged is when liveness first held after the last fault.
	converged time.Duration
	// disturbed counts the control-plane faults in progress; calmFrom is
	// when the control plane may be trusted to propagate changes again
	// (see controlPlaneSettled in servers.go).
	disturbed int
	calmFrom  time.Duration
}

// Node is one simulated machine: its runtime and its kubelet process.
type Node struct {
	Name    string
	Machine *sim.Process // runs the containers
	Kubelet *sim.Process
	Runtime *simruntime.Runtime
	// Proxy is the node's service proxy process; Table is the routing
	// table it installed, which lives on the machine (see services.go).
	Proxy     *sim.Process
	Table     *proxy.Table
	balancer  *proxy.Balancer
	viewSince time.Duration // since when the proxy has seen the API uninterrupted
	blind     bool          // the proxy is down or cut off from the API server
	index     int
}

// Plugins replace a part of the reference components with other code for
// a whole simulated run: this is how a lab's checker runs a student's
// answer inside every replica of a component, under the scenario's faults
// and invariants. The zero Plugins changes nothing.
type Plugins struct {
	// LeaderDecide replaces leader.Decide in every scheduler and
	// controller-manager replica's elector (lab 12).
	LeaderDecide func(leader.View) leader.Action
	// Wrap, when set, wraps the API transport of every process from its
	// first start, outside the simulator's own checks, and of the Admin
	// client: a history recorder (NewRecorded) sees every call.
	Wrap func(process string, t client.Transport) client.Transport
	// Schedule replaces scheduler.Schedule in every scheduler replica
	// (lab 04).
	Schedule func(pod *api.Pod, nodes []*scheduler.NodeInfo, scoring string, r *rand.Rand) (string, *scheduler.FitError)
	// DecideRestart replaces kubelet.DecideRestart in every kubelet (lab 05).
	DecideRestart func(kubelet.RestartView) kubelet.RestartDecision
	// ReplicaSetDiff replaces replicaset.Diff in every controller manager
	// (lab 06).
	ReplicaSetDiff func(rs *api.ReplicaSet, owned []*api.Pod) (int, []*api.Pod)
	// NodeAssess replaces node.Assess in every controller manager (lab 07).
	NodeAssess func(node.HealthView) node.Verdict
	// RollingStep decides the Deployment controller's rolling-update steps
	// in every controller manager (lab 09).
	RollingStep func(d *api.Deployment, newRS *api.ReplicaSet, olds []*api.ReplicaSet) (int32, []int32)
}

// New builds the cluster of scenario s for seed, ready to Run.
func New(s *scenario.Scenario, seed uint64) (*Cluster, error) { return NewWith(s, seed, Plugins{}) }

// NewWith is New with parts of the components replaced by plugins.
func NewWith(s *scenario.Scenario, seed uint64, plugins Plugins) (*Cluster, error) {
	var c *Cluster
	var rec *history.Recorder
	if s.History {
		plugins, rec = recordHistory(&c, plugins)
	}
	w := sim.NewWorld(seed)
	c = &Cluster{W: w, Scenario: s, Store: store.NewMemory(), plugins: plugins, history: rec}
	// The admin's server draws from the first server's random stream (one
	// API, one source of uids), as the one API server did before there
	// were several: a one-server run draws what it always drew.
	firstRand := w.Rand(scenario.ServerName(1, s.Cluster.APIServers))
	c.API = apiserver.New(apiserver.Config{Store: c.Store, Clock: w.Loop, Rand: firstRand, Version: "sim"})
	ctx := context.Background()
	if err := c.API.Bootstrap(ctx); err != nil {
		return nil, err
	}
	c.Admin = client.New(client.Local(c.API.Handle))
	for i := 1; i <= max(s.Cluster.APIServers, 1); i++ {
		cfg := sim.ServerConfig{
			CacheLag: s.Cluster.CacheLag.Duration, Version: "sim",
			CacheServesConsistentReads: s.Cluster.Broken == "apiserver-serves-consistent-reads-from-cache",
		}
		if i == 1 {
			cfg.Rand = firstRand
		}
		c.Servers = append(c.Servers, w.AddServer(scenario.ServerName(i, s.Cluster.APIServers), c.Store, cfg))
	}
	n := s.Network
	if n.Latency.Duration > 0 {
		w.Net.Latency = n.Latency.Duration
	}
	if n.Jitter.Duration > 0 {
		w.Net.Jitter = n.Jitter.Duration
	}
	w.Net.Loss, w.Net.LostResponse = n.Loss, n.LostResponse

	var err error
	if c.checker, err = newChecker(c.Store, s.Invariants, w.Elapsed); err != nil {
		return nil, err
	}
	if _, ok := Invariants[s.ExpectViolation]; s.ExpectViolation != "" && !ok {
		return nil, fmt.Errorf("expectViolation: unknown invariant %q", s.ExpectViolation)
	}
	w.AddCheck(c.checker.check)
	w.AddCheck(newOrdinalCheck(c).check)
	w.Net.OnDeliver = c.checker.delivered
	c.leaders = newLeaderCheck(c)
	w.WrapTransport = c.leaders.wrap
	if wrap := plugins.Wrap; wrap != nil {
		w.WrapTransport = func(process string, t client.Transport) client.Transport {
			return wrap(process, c.leaders.wrap(process, t))
		}
		c.Admin = client.New(wrap("admin", client.Local(c.API.Handle)))
	}

	c.addControlPlane()
	capacity, err := nodeCapacity(s.Cluster.Capacity)
	if err != nil {
		return nil, err
	}
	for i := 1; i <= s.Cluster.Nodes; i++ {
		c.addNode(i, capacity)
	}
	if err := c.applyObjects(s.Objects); err != nil {
		return nil, err
	}
	if err := c.checkProcesses(s.Faults); err != nil {
		return nil, err
	}
	for i, f := range s.Faults {
		for j, raw := range f.Objects {
			if err := checkBehaviors(raw); err != nil {
				return nil, fmt.Errorf("faults[%d].objects[%d]: %v", i, j, err)
			}
		}
	}
	c.faults = append(append([]scenario.Fault(nil), s.Faults...), c.drawFaults(w.Rand("faults"))...)
	for _, f := range c.faults {
		if f.Action == "clock" && f.At.Duration == 0 {
			// A clock that is off from the start is off before anything
			// reads it: set now, not by a callback queued behind the
			// processes' first steps (which would make it a jump in the
			// middle of their first lease observation).
			c.inject(f)
			continue
		}
		c.schedule(f)
	}
	c.startTraffic()
	return c, nil
}

func nodeCapacity(spec map[string]string) (api.ResourceList, error) {
	out := api.ResourceList{
		api.ResourceCPU:    api.MustParseQuantity("4"),
		api.ResourceMemory: api.MustParseQuantity("8Gi"),
		api.ResourcePods:   api.MustParseQuantity("110"),
	}
	for k, v := range spec {
		q, err := api.ParseQuantity(v)
		if err != nil {
			return nil, fmt.Errorf("cluster.capacity.%s: %v", k, err)
		}
		out[api.ResourceName(k)] = q
	}
	return out, nil
}

// LoadBalancerPool is where LoadBalancer services get their addresses in
// every scenario: TEST-NET-1, which is never routed anywhere.
const LoadBalancerPool = "192.0.2.0/24"

// addControlPlane adds the scheduler and the controller manager replicas,
// each its own process, each running its components only while it holds
// its Lease (see leader.go).
func (c *Cluster) addControlPlane() {
	s := c.Scenario
	for _, name := range s.Cluster.SchedulerNames() {
		c.addElected(name, SchedulerLease, func(p *sim.Process, _ *client.Recorder) {
			scheduler.New(scheduler.Config{
				Loop: p.Loop(), Client: p.Client(), Rand: c.W.Rand(name), Name: "default-scheduler",
				Scoring: s.Cluster.Scoring, IgnoreAssumedPods: s.Cluster.Broken == "scheduler-ignores-assumed-pods",
				Schedule: c.explainedSchedule(name),
			}).Start()
		})
	}
	for _, name := range s.Cluster.ControllerManagerNames() {
		c.addElected(name, ControllerManagerLease, c.startControllers)
	}
}

// startControllers starts every controller of a controller manager.
func (c *Cluster) startControllers(p *sim.Process, rec *client.Recorder) {
	w, s := c.W, c.Scenario
	replicaset.New(replicaset.Config{Loop: p.Loop(), Client: p.Client(), Recorder: rec, Rand: w.Rand("replicaset"), Diff: c.plugins.ReplicaSetDiff}).Start()
	endpoints.New(endpoints.Config{Loop: p.Loop(), Client: p.Client(), Recorder: rec}).Start()
	deployment.New(deployment.Config{Loop: p.Loop(), Client: p.Client(), Recorder: rec,
		AssumeAvailable: s.Cluster.Broken == "deployment-assumes-available", RollingStep: c.plugins.RollingStep}).Start()
	garbagecollector.New(garbagecollector.Config{Loop: p.Loop(), Client: p.Client(), Recorder: rec}).Start()
	cronjob.New(cronjob.Config{Loop: p.Loop(), Client: p.Client(), Recorder: rec, Zones: cronjob.FixedZones,
		IgnoreForbid: s.Cluster.Broken == "cronjob-ignores-forbid"}).Start()
	job.New(job.Config{Loop: p.Loop(), Client: p.Client(), Recorder: rec, CountWithoutTracking: s.Cluster.Broken == "job-counts-without-tracking"}).Start()
	daemonset.New(daemonset.Config{Loop: p.Loop(), Client: p.Client(), Recorder: rec, IgnoreExisting: s.Cluster.Broken == "daemonset-ignores-existing"}).Start()
	statefulset.New(statefulset.Config{Loop: p.Loop(), Client: p.Client(), Recorder: rec, ReplaceOnNotReady: s.Cluster.Broken == "statefulset-replaces-on-notready"}).Start()
	node.New(node.Config{Loop: p.Loop(), Client: p.Client(), Recorder: rec,
		GracePeriod: s.Cluster.NodeGracePeriod.Duration, EvictionTimeout: s.Cluster.EvictionTimeout.Duration, Assess: c.plugins.NodeAssess}).Start()
	// A new pool each start: a restarted controller manager relearns
	// the addresses in use from the services' status, as on real
	// machines.
	pool, err := servicelb.NewPoolProvider(LoadBalancerPool)
	if err != nil {
		panic(err) // LoadBalancerPool is a constant
	}
	servicelb.New(servicelb.Config{Loop: p.Loop(), Client: p.Client(), Recorder: rec, Provider: pool}).Start()
}

// addNode adds machine i and its kubelet.
func (c *Cluster) addNode(i int, capacity api.ResourceList) {
	w := c.W
	nd := &Node{Name: scenario.NodeName(i), index: i}
	nd.Machine = w.AddProcess(nd.Name, func(p *sim.Process) {
		nd.Runtime = simruntime.New(p.Loop(), nd.Name, w.Rand("runtime/"+nd.Name))
	})
	nd.Machine.Start()
	nd.Kubelet = w.AddProcess("kubelet/"+nd.Name, func(p *sim.Process) {
		rec := client.NewRecorder(p.Loop(), p.Client(), "kubelet", nd.Name)
		kubelet.New(kubelet.Config{Loop: p.Loop(), Client: p.Client(), Recorder: rec, Runtime: nd.Runtime, Prober: nd.Runtime,
			NodeName: nd.Name, Capacity: capacity, Labels: c.Scenario.Cluster.Labels, DecideRestart: c.plugins.DecideRestart}).Start()
	})
	nd.Kubelet.Start()
	c.addProxy(nd)
	c.Nodes = append(c.Nodes, nd)
}

// Node returns the node called name.
func (c *Cluster) Node(name string) *Node {
	for _, n := range c.Nodes {
		if n.Name == name {
			return n
		}
	}
	return nil
}
