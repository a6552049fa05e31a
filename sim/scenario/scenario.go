package scenario

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/sim/mutants"
	"sigs.k8s.io/yaml"
)

// Scenario is one YAML file.
type Scenario struct {
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Duration    Duration `json:"duration"`
	Cluster     Cluster  `json:"cluster"`
	// Objects are manifests applied at the start, in order.
	Objects []json.RawMessage `json:"objects,omitempty"`
	Faults  []Fault           `json:"faults,omitempty"`
	// Profile draws random faults per seed, in addition to Faults.
	Profile *Profile `json:"profile,omitempty"`
	Network Network  `json:"network,omitempty"`
	// Invariants names the safety checks to run after every event; empty
	// means all of them.
	Invariants []string `json:"invariants,omitempty"`
	Liveness   Liveness `json:"liveness,omitempty"`
	// Traffic, when set, sends simulated requests to every service through
	// the nodes' service proxies for the whole run.
	Traffic *Traffic `json:"traffic,omitempty"`
	// Load is requests a second sent to Services over time, a step
	// function: each step sets its Service's rate from its time on. The
	// requests are spread as the nodes' proxies spread them, and pods
	// whose behaviour has cpu-per-request (sim/runtime) use CPU for
	// them: what an autoscaler reacts to. Unlike Traffic, which sends
	// single requests to check where they go, Load is a rate and costs
	// nothing per request.
	Load []LoadStep `json:"load,omitempty"`
	// ExpectViolation marks a demonstration: the scenario is built to break
	// the named invariant (a fault beyond what the system promises to
	// survive), and the example tests check that it does, for every seed.
	ExpectViolation string `json:"expectViolation,omitempty"`
	// History records every API call of the run and, at its end, checks
	// that the history is linearizable (sim/history, with porcupine): the
	// invariant "linearizable". It costs about as much again as the run.
	History bool `json:"history,omitempty"`
	// Expect lists events that must have been recorded by the end.
	Expect []ExpectedEvent `json:"expect,omitempty"`
	// Scaled lists counts that must have grown to a peak at some moment
	// and come back by the end of the run: the story of an autoscaling
	// scenario (scaled out, then in), which liveness — the cluster
	// converged once — does not tell.
	Scaled []ScaleStory `json:"scaled,omitempty"`
	// Operators names operators to run ("database": core/operator/
	// database), each in its own process "operator/NAME" that faults can
	// crash, cut off or feed stale reads, with its definition installed
	// and its author's invariants checked beside the built-in ones.
	Operators []string `json:"operators,omitempty"`
}

// Cluster is the shape of the simulated cluster.
type Cluster struct {
	Nodes    int               `json:"nodes"`
	Capacity map[string]string `json:"capacity,omitempty"` // cpu, memory, pods
	Labels   map[string]string `json:"labels,omitempty"`
	// NodeGracePeriod: a node whose heartbeat stops for this long is
	// NotReady (default 10s). EvictionTimeout: its pods are evicted after
	// this much more (default 10s).
	NodeGracePeriod Duration `json:"nodeGracePeriod,omitempty"`
	EvictionTimeout Duration `json:"evictionTimeout,omitempty"`
	// Scoring is the scheduler's: LeastAllocated (default) or MostAllocated.
	Scoring string `json:"scoring,omitempty"`
	// APIServers is how many API servers serve the one store (default 1,
	// called "apiserver"; several are apiserver-1 … apiserver-N). Each has
	// its own watch cache, which follows the store CacheLag late.
	APIServers int      `json:"apiServers,omitempty"`
	CacheLag   Duration `json:"cacheLag,omitempty"`
	// Broken names a deliberately broken component variant, to check that
	// the invariants catch it: one of sim/mutants' (mutants.Names; each
	// says what its mistake is and which invariant must catch it).
	Broken string `json:"broken,omitempty"`
	// ControlPlaneReplicas runs this many schedulers and controller
	// managers (default 1), each replica its own process, one of each kind
	// active at a time by leader election. With more than one they are
	// named scheduler-1 … and controller-manager-1 …
	ControlPlaneReplicas int `json:"controlPlaneReplicas,omitempty"`
	// Metrics runs the metrics pipeline (core/metricsserver) in every
	// API server process: it asks each node's kubelet for its stats
	// summary every MetricResolution (default 15s) through the simulated
	// network, and the server answers metrics.k8s.io from it (what the
	// HorizontalPodAutoscaler and `kubectl top` read). Off by default:
	// the scrapes are API calls and trace lines of their own.
	Metrics          bool     `json:"metrics,omitempty"`
	MetricResolution Duration `json:"metricResolution,omitempty"`
	// NodeGroups are groups of identical nodes a simulated cloud adds and
	// removes at the cluster autoscaler's request (sim/cluster/cloud.go);
	// with any, the controller manager runs the autoscaler
	// (core/clusterautoscaler). Their nodes are named GROUP-1, GROUP-2 …
	// (never reused) beside the fixed node-1 … node-N, which no group owns.
	NodeGroups []NodeGroup `json:"nodeGroups,omitempty"`
	// Autoscaler tunes the cluster autoscaler (zero: Kubernetes' defaults).
	Autoscaler Autoscaler `json:"autoscaler,omitempty"`
}

// NodeGroup is one group of the simulated cloud.
type NodeGroup struct {
	Name string `json:"name"`
	// Min and Max bound the group's size; it starts with Min nodes (or
	// Initial, when set).
	Min     int  `json:"min"`
	Max     int  `json:"max"`
	Initial *int `json:"initial,omitempty"`
	// CPU, Memory and Pods are each node's capacity (default 2, 4Gi, 110).
	CPU    string            `json:"cpu,omitempty"`
	Memory string            `json:"memory,omitempty"`
	Pods   string            `json:"pods,omitempty"`
	Labels map[string]string `json:"labels,omitempty"`
	// BootDelay is how long a new machine takes to start its kubelet
	// (default 60s); BootFailureRate the chance, drawn from the seed per
	// machine, that it never does.
	BootDelay       Duration `json:"bootDelay,omitempty"`
	BootFailureRate float64  `json:"bootFailureRate,omitempty"`
}

// Autoscaler holds the cluster autoscaler's settings a scenario may
// shorten (see clusterautoscaler.Options for each).
type Autoscaler struct {
	ScanInterval           Duration `json:"scanInterval,omitempty"`
	ScaleDownUnneededTime  Duration `json:"scaleDownUnneededTime,omitempty"`
	ScaleDownDelayAfterAdd Duration `json:"scaleDownDelayAfterAdd,omitempty"`
	MaxNodeProvisionTime   Duration `json:"maxNodeProvisionTime,omitempty"`
	InitialBackoff         Duration `json:"initialBackoff,omitempty"`
	MaxBackoff             Duration `json:"maxBackoff,omitempty"`
}

// HasGroupNode reports whether name is a node name of one of the node
// groups: GROUP-K for a positive K.
func (s *Scenario) HasGroupNode(name string) bool {
	for _, g := range s.Cluster.NodeGroups {
		rest, ok := strings.CutPrefix(name, g.Name+"-")
		if !ok || rest == "" || rest[0] == '0' {
			continue
		}
		if strings.Trim(rest, "0123456789") == "" {
			return true
		}
	}
	return false
}

// SchedulerNames and ControllerManagerNames are the process names of the
// control plane's replicas.
func (c Cluster) SchedulerNames() []string { return replicaNames("scheduler", c.ControlPlaneReplicas) }

// ControllerManagerNames: see SchedulerNames.
func (c Cluster) ControllerManagerNames() []string {
	return replicaNames("controller-manager", c.ControlPlaneReplicas)
}

func replicaNames(base string, n int) []string {
	if n <= 1 {
		return []string{base}
	}
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%d", base, i+1)
	}
	return out
}

// HasControlPlaneProcess reports whether name is one of the scheduler or
// controller-manager replicas.
func (s *Scenario) HasControlPlaneProcess(name string) bool {
	return slices.Contains(s.Cluster.SchedulerNames(), name) || slices.Contains(s.Cluster.ControllerManagerNames(), name)
}

// Fault is one scheduled fault.
type Fault struct {
	At     Duration `json:"at"`
	Action string   `json:"action"`
	Node   string   `json:"node,omitempty"`
	// For heals the fault automatically after this long (partitions,
	// crashes).
	For Duration `json:"for,omitempty"`
	// Direction of a partition: "both" (default), "to-apiserver" (the
	// node's requests are lost) or "from-apiserver" (requests arrive and
	// take effect, but the answers and watch events are lost).
	Direction string `json:"direction,omitempty"`
	// Process names the process of stale-reads ("scheduler",
	// "controller-manager" or "kubelet/node-N"), of crash-process,
	// crash-at-call and partition-process (any process of the cluster).
	Process string `json:"process,omitempty"`
	// Server names the API server of partition-store, freeze-cache,
	// lag-cache and partition-process (there: empty means every server).
	Server string `json:"server,omitempty"`
	// Lag is how much later lag-cache makes the server's cache follow.
	Lag Duration `json:"lag,omitempty"`
	// Call and When place crash-at-call: the process crashes at its
	// Call-th API call from At on, "before" it leaves (default) or "after"
	// the server acted on it (the answer is lost). For is how long the
	// process stays down.
	Call int    `json:"call,omitempty"`
	When string `json:"when,omitempty"`
	// Objects for apply.
	Objects []json.RawMessage `json:"objects,omitempty"`
	// Kind, Namespace and Name for delete and scale.
	Kind      string `json:"kind,omitempty"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name,omitempty"`
	Replicas  *int32 `json:"replicas,omitempty"`
	// Patch is a JSON merge patch (written as YAML) for patch.
	Patch json.RawMessage `json:"patch,omitempty"`
	// Offset and Rate for clock: the process's clock jumps Offset ahead
	// (negative: behind) and runs at Rate (1 = real time) from then on. A
	// jump while a lease is being timed acts as an infinitely fast clock
	// for that interval (real components time leases on a monotonic clock,
	// which never jumps; the simulator's processes have one clock).
	Offset Duration `json:"offset,omitempty"`
	Rate   float64  `json:"rate,omitempty"`
}

// actions lists the fault actions, each with what it does, in the order
// messages name them: the one list of them (Actions is made from it;
// sim/cluster tests that it performs exactly these).
var actions = []struct{ name, doc string }{
	// A node's machine and processes.
	{"crash-node", "the node dies: its containers are gone, its kubelet stops"},
	{"restart-node", "a crashed node boots again, with no containers"},
	{"partition-node", "the node's kubelet cannot reach the API server; containers keep running"},
	{"heal-node", "ends a partition of the node"},
	{"restart-kubelet", "the kubelet process restarts; containers keep running and must be adopted"},
	{"lose-disk", "the node's disk is lost: its local volumes' directories and what pods wrote there are gone (the node keeps running; pair it with crash-node for a machine replaced with a blank disk)"},
	{"drain-node", "an operator drains the node as kubectl drain --ignore-daemonsets does: cordon, then evict its pods through the eviction subresource, retrying every 5s while a PodDisruptionBudget refuses"},
	{"restart-proxy", "the node's service proxy process is down for a while; the rules it installed keep routing, stale, until it is back"},
	{"metrics-outage", "the node's stats are unavailable: its kubelet's stats summary fails (as when cAdvisor or the runtime's stats calls fail) while pods keep running, until end-metrics-outage (after for)"},
	{"end-metrics-outage", "ends a metrics-outage of the node"},

	// What clients and controllers must survive: a cut watch, a restart
	// between two writes, stale reads, a drifting clock.
	{"cut-watches", "every watch stream is cut; clients must notice and watch again"},
	{"restart-controller-manager", "the controller manager process crashes and starts again at once, with empty caches and no memory"},
	{"stale-reads", "a process's reads are answered from the API server's state when the fault began (a cache that stopped following the store); its writes go through"},
	{"clock", "a process's clock jumps by offset and runs at rate (1 = real time) from then on; leader election is safe only while rates stay within its drift bound"},

	// The control plane's own faults.
	{"crash-process", "a process (an API server, the scheduler, the controller manager, a kubelet …) crashes and starts again after for (at once when for is 0)"},
	{"crash-at-call", "a process crashes just before (or just after, its answer lost) its call-th API call from at on, and starts again after for"},
	{"partition-process", "a process cannot reach one API server (server), or every one (no server); it fails over to the others"},
	{"partition-store", "an API server cannot reach the store: it answers 503, its watch cache stops and ends its watches"},
	{"store-outage", "no API server reaches the store: every call that needs it is answered 503"},
	{"freeze-cache", "an API server's watch cache stops following the store: its watch events and resourceVersion=0 reads stand still"},
	{"lag-cache", "an API server's watch cache follows the store lag later than usual"},

	// The scenario's own changes to objects.
	{"apply", "applies objects"},
	{"delete", "deletes an object"},
	{"scale", "sets a ReplicaSet's or Deployment's replicas"},
	{"patch", "applies a JSON merge patch to an object (a new image starts a rollout)"},
}

// Actions maps each fault action to what it does.
var Actions = func() map[string]string {
	m := make(map[string]string, len(actions))
	for _, a := range actions {
		m[a.name] = a.doc
	}
	return m
}()

// MaxProfileCount bounds each count of a profile: more faults of one kind
// than this in one window is a storm, not a profile (and would take the
// simulator's memory drawing them).
const MaxProfileCount = 1000

// counts lists the profile's fault counts by their YAML names.
func (p *Profile) counts() []struct {
	name string
	n    *int
} {
	return []struct {
		name string
		n    *int
	}{
		{"nodeCrashes", &p.NodeCrashes}, {"partitions", &p.Partitions}, {"kubeletRestarts", &p.KubeletRestarts},
		{"proxyRestarts", &p.ProxyRestarts}, {"watchCuts", &p.WatchCuts}, {"controllerRestarts", &p.ControllerRestarts},
		{"serverCrashes", &p.ServerCrashes}, {"processCrashes", &p.ProcessCrashes}, {"callCrashes", &p.CallCrashes},
		{"storePartitions", &p.StorePartitions}, {"storeOutages", &p.StoreOutages}, {"serverPartitions", &p.ServerPartitions},
		{"cacheFreezes", &p.CacheFreezes}, {"metricsOutages", &p.MetricsOutages},
	}
}

// Profile draws faults at random per seed: counts of each kind, spread
// over Window, each lasting up to MaxDowntime.
type Profile struct {
	Window          Duration `json:"window"`
	MaxDowntime     Duration `json:"maxDowntime,omitempty"`
	NodeCrashes     int      `json:"nodeCrashes,omitempty"`
	Partitions      int      `json:"partitions,omitempty"`
	KubeletRestarts int      `json:"kubeletRestarts,omitempty"`
	ProxyRestarts   int      `json:"proxyRestarts,omitempty"`
	WatchCuts       int      `json:"watchCuts,omitempty"`

	ControllerRestarts int `json:"controllerRestarts,omitempty"`
	// ClockDrift, when above 0, gives every scheduler and controller
	// manager replica a clock running at a rate drawn from
	// [1-ClockDrift, 1+ClockDrift] and an offset of up to an hour either
	// way, from the start of the run.
	ClockDrift float64 `json:"clockDrift,omitempty"`

	// Control-plane faults: crashes of API servers (ServerCrashes) and of
	// any control-plane process (ProcessCrashes), crashes at a random API
	// call of the scheduler, controller manager or a kubelet (CallCrashes),
	// API servers cut from the store (StorePartitions), store outages
	// (StoreOutages, up to a quarter of maxDowntime), processes cut from
	// one server or all (ServerPartitions), and frozen watch caches
	// (CacheFreezes).
	ServerCrashes    int `json:"serverCrashes,omitempty"`
	ProcessCrashes   int `json:"processCrashes,omitempty"`
	CallCrashes      int `json:"callCrashes,omitempty"`
	StorePartitions  int `json:"storePartitions,omitempty"`
	StoreOutages     int `json:"storeOutages,omitempty"`
	ServerPartitions int `json:"serverPartitions,omitempty"`
	CacheFreezes     int `json:"cacheFreezes,omitempty"`
	// MetricsOutages are metrics-outage faults of random nodes.
	MetricsOutages int `json:"metricsOutages,omitempty"`
}

// Network shapes the simulated network.
type Network struct {
	Latency      Duration `json:"latency,omitempty"`
	Jitter       Duration `json:"jitter,omitempty"`
	Loss         float64  `json:"loss,omitempty"`
	LostResponse float64  `json:"lostResponse,omitempty"`
}

// Liveness says what must be true once faults have healed: within this
// long after the last fault, every pod that can run is Running and every
// ReplicaSet has its replicas ready. Zero disables the check.
type Liveness struct {
	Within Duration `json:"within,omitempty"`
}

// Traffic is simulated clients calling services. Every Every, a client on
// a node picked at random sends one request to each service port the
// node's proxy knows, through that proxy's table, as a pod on that node
// dialling the cluster IP would.
type Traffic struct {
	// Every is the time between two rounds of requests (default 200ms).
	Every Duration `json:"every,omitempty"`
	// Bound is the propagation bound: how long after a pod stops being
	// ready (or is deleted) a proxy may still send it new requests
	// (default 5s). Longer is a service-routing violation.
	Bound Duration `json:"bound,omitempty"`
}

// LoadStep sets the requests a second sent to one port of a Service from
// At on (until a later step for the same port). A step that names no
// service is for the previous step's: [{service: web, at: 30s, rps: 200},
// {at: 5m, rps: 0}] is a load of 200 from 30s to 5m.
//
// The clients are spread evenly over the live nodes that have service
// rules; each node's share goes through its own proxy's table, evenly over
// the backends that table lists (the round robin of proxy.Balancer, taken
// as a rate), to whichever pod holds each backend IP. A node whose table
// has no backend for the port refuses its share, and so does a stale
// table's dead backend: that load is lost, as it would be.
type LoadStep struct {
	Service string `json:"service,omitempty"`
	// Namespace is the Service's (default "default").
	Namespace string `json:"namespace,omitempty"`
	// Port names the service port (default: its first).
	Port string   `json:"port,omitempty"`
	At   Duration `json:"at"`
	// RPS is requests a second, 0 to stop.
	RPS float64 `json:"rps"`
}

// MaxLoadRPS bounds one step's requests a second.
const MaxLoadRPS = 1e7

// ExpectedEvent is an Event that must exist at the end of the run.
type ExpectedEvent struct {
	Reason          string `json:"reason"`
	MessageContains string `json:"messageContains,omitempty"`
}

// ScaleStory is one count an autoscaling scenario must move: the Node
// objects (kind Node), or a Deployment's spec.replicas (kind Deployment,
// name and namespace, default "default"). Peak: it reached at least this
// at some moment. End: it is exactly this at the end of the run.
type ScaleStory struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name,omitempty"`
	Peak      int32  `json:"peak,omitempty"`
	End       *int32 `json:"end,omitempty"`
}

// checkScaled checks the scale stories and fills each Deployment's
// namespace.
func (s *Scenario) checkScaled() error {
	for i := range s.Scaled {
		st := &s.Scaled[i]
		switch st.Kind {
		case "Node":
			if st.Name != "" || st.Namespace != "" {
				return fmt.Errorf("scaled[%d]: kind Node counts every node: it takes no name or namespace", i)
			}
		case "Deployment":
			if st.Name == "" {
				return fmt.Errorf("scaled[%d].name: required for kind Deployment", i)
			}
			if st.Namespace == "" {
				st.Namespace = "default"
			}
		default:
			return fmt.Errorf("scaled[%d].kind: %q is not Node or Deployment", i, st.Kind)
		}
		if st.Peak < 0 || (st.End != nil && *st.End < 0) {
			return fmt.Errorf("scaled[%d]: peak and end are counts, not below 0", i)
		}
		if st.Peak == 0 && st.End == nil {
			return fmt.Errorf("scaled[%d]: says nothing: set peak, end or both", i)
		}
	}
	return nil
}

// Duration is a time.Duration written as "30s", "2m", "1h30m".
type Duration struct{ time.Duration }

// UnmarshalJSON reads a duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a duration is written as a string such as \"30s\" or \"2m\"")
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("invalid duration %q (use e.g. 500ms, 30s, 2m)", s)
	}
	if v < 0 {
		return fmt.Errorf("duration %q is negative", s)
	}
	d.Duration = v
	return nil
}

// MarshalJSON writes the duration string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// Load reads and checks a scenario file.
func Load(path string) (*Scenario, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return s, nil
}

// Parse reads a scenario from YAML or JSON, refusing unknown fields (a
// misspelt fault would otherwise silently not happen) and checking every
// value.
func Parse(b []byte) (*Scenario, error) {
	js, err := yaml.YAMLToJSON(b)
	if err != nil {
		return nil, fmt.Errorf("not valid YAML: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	var s Scenario
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("%v", strings.TrimPrefix(err.Error(), "json: "))
	}
	if err := s.Check(); err != nil {
		return nil, err
	}
	return &s, nil
}

// Check validates the scenario and fills defaults.
func (s *Scenario) Check() error {
	if s.Name == "" {
		return fmt.Errorf("name: required")
	}
	if s.Duration.Duration <= 0 {
		return fmt.Errorf("duration: required (how long to run, e.g. 5m)")
	}
	if s.Cluster.Nodes < 1 || s.Cluster.Nodes > 10000 {
		return fmt.Errorf("cluster.nodes: %d is not between 1 and 10000", s.Cluster.Nodes)
	}
	for k, v := range s.Cluster.Capacity {
		switch k {
		case "cpu", "memory", "pods":
		default:
			return fmt.Errorf("cluster.capacity.%s: unknown resource (use cpu, memory, pods)", k)
		}
		if _, err := api.ParseQuantity(v); err != nil {
			return fmt.Errorf("cluster.capacity.%s: %v", k, err)
		}
	}
	switch s.Cluster.Scoring {
	case "", "LeastAllocated", "MostAllocated":
	default:
		return fmt.Errorf("cluster.scoring: %q is not LeastAllocated or MostAllocated", s.Cluster.Scoring)
	}
	if s.Cluster.Broken != "" {
		if _, err := mutants.Lookup(s.Cluster.Broken); err != nil {
			return fmt.Errorf("cluster.broken: %v", err)
		}
	}
	if s.Cluster.APIServers == 0 {
		s.Cluster.APIServers = 1
	}
	if s.Cluster.APIServers < 1 || s.Cluster.APIServers > 9 {
		return fmt.Errorf("cluster.apiServers: %d is not between 1 and 9", s.Cluster.APIServers)
	}
	if s.Cluster.CacheLag.Duration > time.Minute {
		return fmt.Errorf("cluster.cacheLag: %v is more than a minute (a cache that far behind is a frozen one: use the freeze-cache fault)", s.Cluster.CacheLag)
	}
	for i, f := range s.Faults {
		if _, ok := Actions[f.Action]; !ok {
			return fmt.Errorf("faults[%d].action: unknown action %q (one of %s)", i, f.Action, actionList())
		}
		if f.At.Duration > s.Duration.Duration {
			return fmt.Errorf("faults[%d].at: %v is after the end of the run (%v)", i, f.At, s.Duration)
		}
		switch f.Direction {
		case "", "both", "to-apiserver", "from-apiserver":
		default:
			return fmt.Errorf("faults[%d].direction: %q is not both, to-apiserver or from-apiserver", i, f.Direction)
		}
		if f.Direction != "" && f.Action != "partition-node" && f.Action != "partition-process" {
			return fmt.Errorf("faults[%d].direction: only partition-node and partition-process have a direction", i)
		}
		if err := s.checkControlPlaneFault(f); err != nil {
			return fmt.Errorf("faults[%d].%v", i, err)
		}
		switch f.Action {
		case "crash-node", "restart-node", "partition-node", "heal-node", "restart-kubelet", "restart-proxy", "drain-node", "lose-disk",
			"metrics-outage", "end-metrics-outage":
			if f.Node == "" {
				return fmt.Errorf("faults[%d].node: required for %s (nodes are named node-1 … node-%d)", i, f.Action, s.Cluster.Nodes)
			}
			if !s.HasNode(f.Node) {
				return fmt.Errorf("faults[%d].node: no node %q (nodes are named node-1 … node-%d)", i, f.Node, s.Cluster.Nodes)
			}
		case "stale-reads", "clock":
			if !s.HasControlPlaneProcess(f.Process) && !(strings.HasPrefix(f.Process, "kubelet/") && s.HasNode(strings.TrimPrefix(f.Process, "kubelet/"))) &&
				!slices.Contains(s.OperatorProcesses(), f.Process) {
				return fmt.Errorf("faults[%d].process: %q is not one of %s, kubelet/node-N or operator/NAME", i, f.Process,
					strings.Join(append(s.Cluster.SchedulerNames(), s.Cluster.ControllerManagerNames()...), ", "))
			}
			if f.Action == "clock" && (f.Rate < 0 || f.Rate > 10) {
				return fmt.Errorf("faults[%d].rate: %v is not between 0 (exclusive; 0 means 1) and 10", i, f.Rate)
			}
		case "apply":
			if len(f.Objects) == 0 {
				return fmt.Errorf("faults[%d].objects: apply needs objects", i)
			}
		case "delete", "scale", "patch":
			if f.Kind == "" || f.Name == "" {
				return fmt.Errorf("faults[%d]: %s needs kind and name", i, f.Action)
			}
			if f.Action == "scale" && f.Replicas == nil {
				return fmt.Errorf("faults[%d].replicas: required for scale", i)
			}
			if f.Action == "patch" && (len(f.Patch) == 0 || f.Patch[0] != '{') {
				return fmt.Errorf("faults[%d].patch: patch needs a merge patch object, e.g. {spec: {replicas: 3}}", i)
			}
		}
	}
	if p := s.Profile; p != nil && p.Window.Duration <= 0 {
		return fmt.Errorf("profile.window: required (faults are drawn within it)")
	}
	if p := s.Profile; p != nil && (p.ClockDrift < 0 || p.ClockDrift >= 1) {
		return fmt.Errorf("profile.clockDrift: %v is not in [0, 1)", p.ClockDrift)
	}
	if p := s.Profile; p != nil {
		for _, c := range p.counts() {
			if *c.n < 0 || *c.n > MaxProfileCount {
				return fmt.Errorf("profile.%s: %d is not between 0 and %d", c.name, *c.n, MaxProfileCount)
			}
		}
	}
	if err := s.checkNodeGroups(); err != nil {
		return err
	}
	if r := s.Cluster.ControlPlaneReplicas; r < 0 || r > 5 {
		return fmt.Errorf("cluster.controlPlaneReplicas: %d is not between 1 and 5", r)
	}
	if t := s.Traffic; t != nil {
		if t.Every.Duration == 0 {
			t.Every.Duration = 200 * time.Millisecond
		}
		if t.Every.Duration < time.Millisecond {
			return fmt.Errorf("traffic.every: %v is too short (at least 1ms)", t.Every)
		}
		if t.Bound.Duration == 0 {
			t.Bound.Duration = 5 * time.Second
		}
	}
	if err := s.checkLoad(); err != nil {
		return err
	}
	if err := s.checkScaled(); err != nil {
		return err
	}
	if n := s.Network; n.Loss < 0 || n.Loss >= 1 || n.LostResponse < 0 || n.LostResponse >= 1 {
		return fmt.Errorf("network: loss and lostResponse are probabilities in [0, 1)")
	}
	return nil
}

// checkLoad checks the load steps and fills each step's service from the
// previous step when it names none.
func (s *Scenario) checkLoad() error {
	for i := range s.Load {
		st := &s.Load[i]
		if st.Service == "" {
			if st.Namespace != "" || st.Port != "" {
				return fmt.Errorf("load[%d].service: required with namespace or port", i)
			}
			if i == 0 {
				return fmt.Errorf("load[0].service: required (the Service the requests go to; later steps may leave it out to mean the same one)")
			}
			prev := s.Load[i-1]
			st.Service, st.Namespace, st.Port = prev.Service, prev.Namespace, prev.Port
		}
		if st.Namespace == "" {
			st.Namespace = "default"
		}
		if st.At.Duration > s.Duration.Duration {
			return fmt.Errorf("load[%d].at: %v is after the end of the run (%v)", i, st.At, s.Duration)
		}
		if !(st.RPS >= 0 && st.RPS <= MaxLoadRPS) {
			return fmt.Errorf("load[%d].rps: %v is not between 0 and %g requests a second", i, st.RPS, MaxLoadRPS)
		}
	}
	return nil
}

// checkNodeGroups checks the node groups and fills their defaults.
func (s *Scenario) checkNodeGroups() error {
	seen := map[string]bool{}
	for i := range s.Cluster.NodeGroups {
		g := &s.Cluster.NodeGroups[i]
		at := fmt.Sprintf("cluster.nodeGroups[%d]", i)
		switch {
		case g.Name == "":
			return fmt.Errorf("%s.name: required", at)
		case g.Name == "node" || strings.ContainsAny(g.Name, "/ ") || strings.ToLower(g.Name) != g.Name:
			return fmt.Errorf("%s.name: %q cannot name a group (lower case, no / or space, not \"node\", whose names the fixed nodes have)", at, g.Name)
		case seen[g.Name]:
			return fmt.Errorf("%s.name: a second group called %q", at, g.Name)
		case g.Min < 0 || g.Max < g.Min || g.Max > 1000:
			return fmt.Errorf("%s: min %d and max %d are not 0 <= min <= max <= 1000", at, g.Min, g.Max)
		case g.Initial != nil && (*g.Initial < g.Min || *g.Initial > g.Max):
			return fmt.Errorf("%s.initial: %d is not between min %d and max %d", at, *g.Initial, g.Min, g.Max)
		case g.BootFailureRate < 0 || g.BootFailureRate >= 1:
			return fmt.Errorf("%s.bootFailureRate: %v is not in [0, 1)", at, g.BootFailureRate)
		}
		seen[g.Name] = true
		for field, v := range map[string]*string{"cpu": &g.CPU, "memory": &g.Memory, "pods": &g.Pods} {
			if *v == "" {
				*v = map[string]string{"cpu": "2", "memory": "4Gi", "pods": "110"}[field]
			}
			if _, err := api.ParseQuantity(*v); err != nil {
				return fmt.Errorf("%s.%s: %v", at, field, err)
			}
		}
		if g.BootDelay.Duration == 0 {
			g.BootDelay.Duration = time.Minute
		}
	}
	return nil
}

// checkControlPlaneFault checks the fields of the control plane's faults.
// The process names depend on how the cluster is built: the cluster checks
// them when it starts.
func (s *Scenario) checkControlPlaneFault(f Fault) error {
	needServer := f.Action == "partition-store" || f.Action == "freeze-cache" || f.Action == "lag-cache"
	switch {
	case needServer && f.Server == "":
		return fmt.Errorf("server: required for %s (%s)", f.Action, s.serverList())
	case f.Server != "" && !needServer && f.Action != "partition-process":
		return fmt.Errorf("server: %s takes no server", f.Action)
	case f.Server != "" && !s.HasServer(f.Server):
		return fmt.Errorf("server: no API server %q (%s)", f.Server, s.serverList())
	}
	switch f.Action {
	case "crash-process", "crash-at-call", "partition-process":
		if f.Process == "" {
			return fmt.Errorf("process: required for %s", f.Action)
		}
	}
	if f.Action == "lag-cache" && f.Lag.Duration <= 0 {
		return fmt.Errorf("lag: required for lag-cache (how much later the cache follows, e.g. 2s)")
	}
	if f.Lag.Duration > 0 && f.Action != "lag-cache" {
		return fmt.Errorf("lag: only lag-cache has a lag")
	}
	if f.Action == "crash-at-call" {
		if f.Call < 1 {
			return fmt.Errorf("call: crash-at-call needs call >= 1 (the process crashes at its call-th API call from at on)")
		}
		switch f.When {
		case "", "before", "after":
		default:
			return fmt.Errorf("when: %q is not before or after", f.When)
		}
	} else if f.Call != 0 || f.When != "" {
		return fmt.Errorf("call: only crash-at-call has call and when")
	}
	return nil
}

// ServerName returns the name of API server i (1-based) of n: "apiserver"
// when there is one.
func ServerName(i, n int) string {
	if n <= 1 {
		return "apiserver"
	}
	return fmt.Sprintf("apiserver-%d", i)
}

// HasServer reports whether the cluster has an API server of that name.
func (s *Scenario) HasServer(name string) bool {
	for i := 1; i <= max(s.Cluster.APIServers, 1); i++ {
		if ServerName(i, s.Cluster.APIServers) == name {
			return true
		}
	}
	return false
}

func (s *Scenario) serverList() string {
	if s.Cluster.APIServers <= 1 {
		return `the one API server is "apiserver"`
	}
	return fmt.Sprintf("API servers are apiserver-1 … apiserver-%d", s.Cluster.APIServers)
}

// NodeName returns the name of node i (1-based).
func NodeName(i int) string { return fmt.Sprintf("node-%d", i) }

// OperatorProcesses are the process names of the scenario's operators.
func (s *Scenario) OperatorProcesses() []string {
	out := make([]string, len(s.Operators))
	for i, name := range s.Operators {
		out[i] = OperatorProcess(name)
	}
	return out
}

// OperatorProcess is the process an operator runs in.
func OperatorProcess(name string) string { return "operator/" + name }

// HasNode reports whether the cluster has a node of that name.
func (s *Scenario) HasNode(name string) bool {
	for i := 1; i <= s.Cluster.Nodes; i++ {
		if NodeName(i) == name {
			return true
		}
	}
	return false
}

// actionList names the fault actions, for a message.
func actionList() string {
	out := make([]string, 0, len(actions))
	for _, a := range actions {
		out = append(out, a.name)
	}
	return strings.Join(out, ", ")
}
