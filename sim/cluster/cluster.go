package cluster

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/apiserver"
	"github.com/tinykube/tinykube/core/auth/rbac"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/controller/cronjob"
	"github.com/tinykube/tinykube/core/controller/localpath"
	"github.com/tinykube/tinykube/core/controller/manager"
	"github.com/tinykube/tinykube/core/controller/node"
	"github.com/tinykube/tinykube/core/controller/servicelb"
	"github.com/tinykube/tinykube/core/kubelet"
	"github.com/tinykube/tinykube/core/leader"
	"github.com/tinykube/tinykube/core/operator/database"
	"github.com/tinykube/tinykube/core/proxy"
	"github.com/tinykube/tinykube/core/rest"
	"github.com/tinykube/tinykube/core/scheduler"
	"github.com/tinykube/tinykube/core/store"
	"github.com/tinykube/tinykube/sim"
	"github.com/tinykube/tinykube/sim/history"
	"github.com/tinykube/tinykube/sim/mutants"
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
	// Admin is the scenario's own client: it talks to API directly, as
	// the admin (system:masters).
	Admin *client.Client
	// CAPEM is the cluster CA's certificate, modelled (authz.go).
	CAPEM []byte
	Nodes []*Node

	checker *checker
	story   *storyCheck // the scenario's scaled: stories; nil without
	leaders *leaderCheck
	plugins Plugins
	history *history.Recorder // with history: true
	// lastFault is when the last fault ends (liveness is judged after).
	lastFault   time.Duration
	faults      []scenario.Fault
	traffic     *trafficStats
	trafficRand *rand.Rand
	// load is the scenario's load on services (load.go); nil without.
	load *loadState
	// converged is when liveness first held after the last fault.
	converged time.Duration
	// disturbed counts the control-plane faults in progress; calmFrom is
	// when the control plane may be trusted to propagate changes again
	// (see controlPlaneSettled in servers.go).
	disturbed int
	calmFrom  time.Duration
	// authz judges every authorization decision (authz.go); users caches
	// each process's user (identity.go).
	authz *authzCheck
	users map[string]*rest.UserInfo
	// accounts makes the default ServiceAccounts a scenario starts with
	// (serviceaccounts.go).
	accounts *client.Client
	// operators checks the invariants of the scenario's operators
	// (operators.go); nil without operators.
	operators *operatorCheck
	// cloud is the node groups' simulated cloud (cloud.go); nil without
	// node groups.
	cloud *simCloud
}

// Node is one simulated machine: its runtime and its kubelet process.
type Node struct {
	Name    string
	Machine *sim.Process // runs the containers
	Kubelet *sim.Process
	Runtime *simruntime.Runtime
	// Disk holds the node's local volumes; it survives the machine's
	// crashes (a scenario loses it on purpose).
	Disk *simruntime.Disk
	// Proxy is the node's service proxy process; Table is the routing
	// table it installed, which lives on the machine (see services.go).
	Proxy *sim.Process
	Table *proxy.Table
	// kubelet is the kubelet of the kubelet process's current run: the
	// metrics pipeline reaches it for its stats summary (metrics.go,
	// Summary in load.go).
	kubelet   *kubelet.Kubelet
	balancer  *proxy.Balancer
	viewSince time.Duration // since when the proxy has seen the API uninterrupted
	blind     bool          // the proxy is down or cut off from the API server
	index     int
	// statsOutage: a metrics-outage fault is on (load.go).
	statsOutage bool
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
	// CronJobAdmit replaces cronjob.Admit in every controller manager.
	CronJobAdmit func(cj *api.CronJob, active []*api.Job) cronjob.Admission
	// VolumeMatch replaces volumebinder.Match in every controller manager
	// (lab 15).
	VolumeMatch func(c *api.PersistentVolumeClaim, volumes []*api.PersistentVolume, node *api.Node) *api.PersistentVolume
	// Controllers run other code in place of controllers of the roster
	// (manager.Roster), by name, in every controller manager: a
	// deliberately broken variant, or a controller of your own.
	Controllers map[string]manager.Starter
	// ProxyInstall decides what each node's service proxy installs, given
	// the table on the machine and the one the proxy computed (nil: the
	// computed one).
	ProxyInstall func(installed, next *proxy.Table) *proxy.Table
	// CacheServesConsistentReads: see sim.ServerConfig.
	CacheServesConsistentReads bool
	// Provisioner starts each node's local-path provisioner in place of
	// localpath.Start (a broken variant).
	Provisioner func(localpath.Config) mutants.Stopper
	// Setup runs once after the API server's bootstrap and before any
	// process starts, with the admin's client: a broken variant of the
	// cluster's own objects (a component's role missing a permission).
	Setup func(ctx context.Context, admin *client.Client) error
	// AuthorizationDecide replaces rbac.Decide in every API server's
	// authorization (lab 16); see authorizationplugin.go.
	AuthorizationDecide rbac.DecideFunc
	// DatabaseHooks replace parts of the database operator (a broken
	// variant; see database.Hooks).
	DatabaseHooks database.Hooks
	// KubeletRuntime, when set, gives each kubelet (at every start) the
	// runtime it returns for its node's simulated runtime: a wrapper that
	// measures differently (a test's StatsProvider, a broken variant).
	KubeletRuntime func(node string, rt *simruntime.Runtime) kubelet.Runtime
	// DecodePerWatcher has every watcher decode every event's bytes
	// itself instead of sharing the object its API server decoded once
	// (sim.ServerConfig.DecodePerWatcher): the same run, slower. Tests
	// compare the two; BenchmarkSimShared measures the difference.
	DecodePerWatcher bool
}

// withMutant returns p with the seams of the mutant called name plugged
// in (name "": p unchanged).
func (p Plugins) withMutant(name string) (Plugins, error) {
	if name == "" {
		return p, nil
	}
	m, err := mutants.Lookup(name)
	if err != nil {
		return p, fmt.Errorf("cluster.broken: %v", err)
	}
	if m.Schedule != nil {
		p.Schedule = m.Schedule
	}
	if m.RollingStep != nil {
		p.RollingStep = m.RollingStep
	}
	if m.CronJobAdmit != nil {
		p.CronJobAdmit = m.CronJobAdmit
	}
	if m.ProxyInstall != nil {
		p.ProxyInstall = m.ProxyInstall
	}
	if m.Provisioner != nil {
		p.Provisioner = m.Provisioner
	}
	if m.Setup != nil {
		p.Setup = m.Setup
	}
	if m.Database != nil {
		p.DatabaseHooks = *m.Database
	}
	if m.CacheServesConsistentReads {
		p.CacheServesConsistentReads = true
	}
	if len(m.Controllers) > 0 {
		replaced := maps.Clone(p.Controllers)
		if replaced == nil {
			replaced = map[string]manager.Starter{}
		}
		maps.Copy(replaced, m.Controllers)
		p.Controllers = replaced
	}
	return p, nil
}

// New builds the cluster of scenario s for seed, ready to Run.
func New(s *scenario.Scenario, seed uint64) (*Cluster, error) { return NewWith(s, seed, Plugins{}) }

// NewWith is New with parts of the components replaced by plugins.
func NewWith(s *scenario.Scenario, seed uint64, plugins Plugins) (*Cluster, error) {
	plugins, err := plugins.withMutant(s.Cluster.Broken)
	if err != nil {
		return nil, err
	}
	if err := manager.Check(manager.Hooks{Replace: plugins.Controllers}); err != nil {
		return nil, err
	}
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
	// Authentication and RBAC are on: every process's requests carry the
	// user identity.go names, and every server authorizes them, each
	// decision judged by the authz check (authz.go). The keys and the CA
	// come from their own random streams, so nothing else draws anew.
	c.authz = newAuthzCheck(c, s.Invariants)
	saKeys := serviceAccountKeys(w.Rand("serviceaccount-keys"))
	c.CAPEM = modelledCAPEM(w.Rand("cluster-ca"))
	w.Net.Identity = c.userOf
	c.API = apiserver.New(apiserver.Config{Store: c.Store, Clock: w.Loop, Rand: firstRand, Version: "sim",
		Authorization: c.authorization(adminServer), ServiceAccountKeys: saKeys})
	ctx := context.Background()
	if err := c.API.Bootstrap(ctx); err != nil {
		return nil, err
	}
	if err := c.authz.start(c.Store); err != nil {
		return nil, err
	}
	// The kubernetes Service and its Endpoints, as a real cluster's
	// servers keep them: pods of the simulator make no API calls through
	// it, but the objects are those of a real cluster.
	if err := c.API.ReconcileKubernetesService(ctx, simServerAddresses(max(s.Cluster.APIServers, 1)), simAPIPort); err != nil {
		return nil, err
	}
	c.Admin = client.New(c.adminTransport())
	if plugins.Setup != nil {
		// After bootstrap, before any process starts: what the mutant
		// changes is there from the first request on.
		if err := plugins.Setup(ctx, c.Admin); err != nil {
			return nil, fmt.Errorf("cluster.broken: %v", err)
		}
	}
	for i := 1; i <= max(s.Cluster.APIServers, 1); i++ {
		name := scenario.ServerName(i, s.Cluster.APIServers)
		cfg := sim.ServerConfig{
			CacheLag: s.Cluster.CacheLag.Duration, Version: "sim",
			CacheServesConsistentReads: plugins.CacheServesConsistentReads,
			DecodePerWatcher:           plugins.DecodePerWatcher,
			Authorization:              c.authorization(name), ServiceAccountKeys: saKeys,
		}
		if i == 1 {
			cfg.Rand = firstRand
		}
		if s.Cluster.Metrics {
			cfg.Metrics = c.startMetrics // metrics.go
		}
		c.Servers = append(c.Servers, w.AddServer(name, c.Store, cfg))
	}
	n := s.Network
	if n.Latency.Duration > 0 {
		w.Net.Latency = n.Latency.Duration
	}
	if n.Jitter.Duration > 0 {
		w.Net.Jitter = n.Jitter.Duration
	}
	w.Net.Loss, w.Net.LostResponse = n.Loss, n.LostResponse

	if c.checker, err = newChecker(c.Store, s.Invariants, w.Elapsed); err != nil {
		return nil, err
	}
	if _, ok := Invariants[s.ExpectViolation]; s.ExpectViolation != "" && !ok {
		return nil, fmt.Errorf("expectViolation: unknown invariant %q", s.ExpectViolation)
	}
	if len(s.Cluster.NodeGroups) > 0 {
		// First: the autoscaler's checks judge its own writes before
		// the general ones see what they lead to (a removal's evictions).
		ac, err := newAutoscalerCheck(c) // autoscaling.go
		if err != nil {
			return nil, err
		}
		w.AddCheck(ac.check)
	}
	w.AddCheck(c.checker.check)
	if len(s.Scaled) > 0 {
		if c.story, err = newStoryCheck(c); err != nil { // scalestory.go
			return nil, err
		}
		w.AddCheck(c.story.check)
	}
	ordinals := newOrdinalCheck(c)
	w.AddCheck(ordinals.check)
	w.AddCheck(newStorageCheck(c, ordinals).check) // storage.go
	w.Net.OnDeliver = c.checker.delivered
	c.leaders = newLeaderCheck(c)
	w.WrapTransport = c.leaders.wrap
	if wrap := plugins.Wrap; wrap != nil {
		w.WrapTransport = func(process string, t client.Transport) client.Transport {
			return wrap(process, c.leaders.wrap(process, t))
		}
		c.Admin = client.New(wrap(AdminProcess, c.adminTransport()))
	}

	c.addControlPlane()
	capacity, err := nodeCapacity(s.Cluster.Capacity)
	if err != nil {
		return nil, err
	}
	for i := 1; i <= s.Cluster.Nodes; i++ {
		c.addNode(i, capacity)
	}
	if err := c.addCloud(); err != nil { // cloud.go
		return nil, err
	}

	namespaces, err := c.existingNamespaces()
	if err != nil {
		return nil, err
	}
	if err := c.defaultAccounts(namespaces...); err != nil {
		return nil, err
	}
	if err := c.addOperators(); err != nil { // operators.go
		return nil, err
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
	c.startLoad() // load.go
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
				Scoring: s.Cluster.Scoring, Schedule: c.explainedSchedule(name),
			}).Start()
		})
	}
	for _, name := range s.Cluster.ControllerManagerNames() {
		c.addElected(name, ControllerManagerLease, c.startControllers)
	}
}

// startControllers starts a controller manager: the roster of
// manager.Roster, with the plugins' hooks and replacements.
func (c *Cluster) startControllers(p *sim.Process, rec *client.Recorder) {
	s := c.Scenario
	// A new pool each start: a restarted controller manager relearns
	// the addresses in use from the services' status, as on real
	// machines.
	pool, err := servicelb.NewPoolProvider(LoadBalancerPool)
	if err != nil {
		panic(err) // LoadBalancerPool is a constant
	}
	cfg := manager.Config{
		Loop: p.Loop(), Client: p.Client(), Recorder: rec,
		NodeGracePeriod: s.Cluster.NodeGracePeriod.Duration, EvictionTimeout: s.Cluster.EvictionTimeout.Duration,
		Zones: cronjob.FixedZones, LoadBalancers: pool, RootCAPEM: c.CAPEM,
		Hooks: manager.Hooks{ReplicaSetDiff: c.plugins.ReplicaSetDiff, RollingStep: c.plugins.RollingStep, NodeAssess: c.plugins.NodeAssess,
			CronJobAdmit: c.plugins.CronJobAdmit, VolumeMatch: c.plugins.VolumeMatch, Replace: c.plugins.Controllers},
	}
	if c.cloud != nil {
		cfg.CloudProvider, cfg.Autoscaling = c.cloud, c.cloud.options()
	}
	if _, err := manager.Start(cfg); err != nil {
		panic(err) // checked in NewWith
	}
}

// addNode adds machine i and its kubelet.
func (c *Cluster) addNode(i int, capacity api.ResourceList) {
	c.addNamedNode(scenario.NodeName(i), i, capacity, c.Scenario.Cluster.Labels)
}

// addNamedNode adds a machine called name, its kubelet (registering the
// node with capacity and labels) and its proxy, and returns it.
func (c *Cluster) addNamedNode(name string, i int, capacity api.ResourceList, labels map[string]string) *Node {
	w := c.W
	nd := &Node{Name: name, index: i, Disk: simruntime.NewDisk(name)}
	nd.Machine = w.AddProcess(nd.Name, func(p *sim.Process) {
		nd.Runtime = simruntime.New(p.Loop(), nd.Name, w.Rand("runtime/"+nd.Name))
		// The disk is the node's, not the boot's: what pods wrote to
		// their local volumes is there after a reboot.
		nd.Runtime.UseDisk(nd.Disk)
		c.bootUsage(nd, capacity) // load.go
	})
	nd.Machine.Start()
	nd.Kubelet = w.AddProcess("kubelet/"+nd.Name, func(p *sim.Process) {
		var rt kubelet.Runtime = nd.Runtime
		if c.plugins.KubeletRuntime != nil {
			rt = c.plugins.KubeletRuntime(nd.Name, nd.Runtime)
		}
		nd.kubelet = kubelet.Start(kubelet.Config{Loop: p.Loop(), Client: p.Client(), Runtime: rt,
			NodeName: nd.Name, Capacity: capacity, Labels: labels, DecideRestart: c.plugins.DecideRestart})
		// The node's local-path provisioner shares the kubelet's process:
		// both are the node's agent, and crash together.
		pcfg := localpath.Config{Loop: p.Loop(), Client: p.Client(), NodeName: nd.Name, Storage: nd.Disk}
		if c.plugins.Provisioner != nil {
			c.plugins.Provisioner(pcfg)
		} else {
			localpath.Start(pcfg)
		}
	})
	nd.Kubelet.Start()
	c.addProxy(nd)
	c.Nodes = append(c.Nodes, nd)
	return nd
}

// adminTransport is the scenario's own client's way to its API server:
// straight to API, outside the simulated network, as the admin.
func (c *Cluster) adminTransport() client.Transport {
	return signedTransport{inner: client.Local(c.API.Handle), user: c.userOf(AdminProcess)}
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
