package kubelet

import (
	"cmp"
	"maps"
	"slices"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/loop"
	"github.com/tinykube/tinykube/core/metrics"
)

// Config assembles a kubelet. Zero durations take the defaults named on
// each field.
type Config struct {
	Loop     loop.Loop
	Client   *client.Client
	Recorder *client.Recorder
	Runtime  Runtime
	Prober   Prober
	NodeName string
	// Address is the node's InternalIP (the pods' hostIP); empty: none.
	Address string
	// Port is where this kubelet serves pod logs and exec (0: nowhere);
	// it is published in the Node's status.daemonEndpoints.
	Port     int32
	Capacity api.ResourceList // cpu, memory, pods; allocatable is the same
	Labels   map[string]string

	// LeaseDuration is written in the node's Lease (40s). The node
	// controller decides on its own how long it waits.
	LeaseDuration time.Duration
	// RenewInterval is how often the Lease is renewed (2s here; 10s in
	// Kubernetes).
	RenewInterval time.Duration
	// StatusInterval is how often the kubelet reads its Node and compares
	// the status it would post with what the Node says (10s, Kubernetes'
	// nodeStatusUpdateFrequency). It posts only when they differ, or when
	// ReportInterval has passed since it last posted.
	StatusInterval time.Duration
	// ReportInterval is how long an unchanged status goes unposted (5m,
	// Kubernetes' nodeStatusReportFrequency): since NodeLease, the Lease
	// is the liveness heartbeat, and the Node is written when it changes.
	ReportInterval time.Duration
	// SyncPeriod is how often the runtime is relisted (1s).
	SyncPeriod time.Duration

	// Restart back-off of crashing containers (and of failing image
	// pulls): BackOffInitial (10s) doubling up to BackOffMax (5m); a
	// container that ran BackOffReset (10m) starts again from the
	// beginning. Kubernetes' numbers, which the simulator keeps; tests shrink them.
	BackOffInitial time.Duration
	BackOffMax     time.Duration
	BackOffReset   time.Duration

	// Claims, if set, finds the node path of a persistentVolumeClaim
	// volume; without it such pods wait with a FailedMount event.
	Claims ClaimResolver

	// DecideRestart, if set, replaces DecideRestart: what to do with an
	// exited container (lab 05 runs a student's answer here).
	DecideRestart func(RestartView) RestartDecision

	// Metrics is told of runtime operations, pod starts and what runs
	// (metrics.go); nil is the Recorder Loop carries, if any
	// (metrics.From), else Discard.
	Metrics metrics.Recorder

	// Workers, if set, runs the syncs and probes of different pods at
	// once, each pod's in order (podworkers.go); Runtime and Prober must
	// then let the loop go while they wait. nil: everything runs on the
	// loop, one pod after another (the simulator).
	Workers Workers
}

func (c *Config) setDefaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.LeaseDuration, 40*time.Second)
	def(&c.RenewInterval, 2*time.Second)
	def(&c.StatusInterval, 10*time.Second)
	def(&c.ReportInterval, 5*time.Minute)
	def(&c.SyncPeriod, time.Second)
	def(&c.BackOffInitial, 10*time.Second)
	def(&c.BackOffMax, 5*time.Minute)
	def(&c.BackOffReset, 10*time.Minute)
	if c.DecideRestart == nil {
		c.DecideRestart = DecideRestart
	}
}

// Kubelet is the node agent of one node. Everything it does runs on its
// Loop; it never waits for the runtime or the API.
type Kubelet struct {
	cfg     Config
	pods    *client.Informer[*api.Pod]
	queue   *client.Queue
	restart *backOff // crashing containers, by podUID/container
	pulls   *backOff // failing image pulls, by podUID/container
	// refusals spaces out retries of containers the runtime refused to
	// create for what their pod asks (ConfigError), by podUID/container.
	refusals *backOff

	state    map[string]*podState // by pod UID
	uidKey   map[string]string    // pod UID -> "namespace/name", from the informer
	probes   map[string]*probeWorker
	workers  map[string]*podWorker          // by pod key, with Config.Workers
	config   configObjects                  // the ConfigMaps and Secrets the pods use
	claims   claimObjects                   // the claims and volumes they mount, unless Config.Claims resolves them
	tokens   serviceAccountTokens           // the ServiceAccount tokens requested for the pods' projected volumes
	services *client.Informer[*api.Service] // for the containers' service-link variables

	node     *api.Node  // as last read or written
	reported time.Time  // when the node status was last posted
	lease    *api.Lease // as last written
	timers   []loop.Timer
	pleg     map[string]plegEntry // by runtime object ID, as of the last relist
	unnotify func()
	started  bool
	stopped  bool
	// startedAt is when Start ran: the node's start in its stats summary.
	startedAt time.Time
	// samples are the CPU counters of the last Summary, by container ID
	// ("" the node), for the rates of the next (stats.go).
	samples map[string]statSample

	// runtime is cfg.Runtime, measured when there is a Recorder: the
	// operations are called through it.
	runtime Runtime
	metrics metrics.Recorder
	// firstSeen is when each pod yet to run was first seen, by UID, for
	// kubelet_pod_start_duration_seconds.
	firstSeen map[string]time.Time
}

// New returns a kubelet; Start sets it going.
func New(cfg Config) *Kubelet {
	cfg.setDefaults()
	k := &Kubelet{
		cfg:      cfg,
		restart:  newBackOff(cfg.BackOffInitial, cfg.BackOffMax),
		pulls:    newBackOff(cfg.BackOffInitial, cfg.BackOffMax),
		refusals: newBackOff(cfg.BackOffInitial, cfg.BackOffMax),
		state:    map[string]*podState{},
		uidKey:   map[string]string{},
		probes:   map[string]*probeWorker{},
		workers:  map[string]*podWorker{},
		runtime:  cfg.Runtime,
		metrics:  cmp.Or(cfg.Metrics, metrics.From(cfg.Loop)),

		firstSeen: map[string]time.Time{},
	}
	if k.metrics != metrics.Discard {
		k.runtime = measuredRuntime{rt: cfg.Runtime, rec: k.metrics, now: cfg.Loop.Now}
	}
	k.pods = client.NewInformer[*api.Pod](cfg.Loop, cfg.Client, "", client.ListOptions{FieldSelector: "spec.nodeName=" + cfg.NodeName})
	k.pods.AddHandlers(client.Handlers[*api.Pod]{
		Add:    k.podChanged,
		Update: func(_, p *api.Pod) { k.podChanged(p) },
		Delete: func(p *api.Pod) {
			delete(k.uidKey, p.UID)
			delete(k.firstSeen, p.UID)
			k.config.unregister(client.Key(p))
			k.queue.Add(client.Key(p))
		},
	})
	k.queue = client.NewQueue(cfg.Loop, k.dispatchSync)
	k.config = configObjects{k: k, watches: map[configKey]*configWatch{}, podRefs: map[string][]configKey{}}
	k.claims = claimObjects{k: k}
	k.tokens = serviceAccountTokens{k: k}
	return k
}

// podChanged queues a pod the informer added or updated, and watches
// the ConfigMaps and Secrets it names — until it has finished: a
// terminal pod starts nothing again, so its watches are released.
func (k *Kubelet) podChanged(p *api.Pod) {
	k.uidKey[p.UID] = client.Key(p)
	k.sawPod(p)
	if api.IsPodTerminal(p) {
		k.config.unregister(client.Key(p))
	} else {
		k.config.register(p)
	}
	k.queue.Add(client.Key(p))
}

// Start registers the node, starts the lease and status heartbeats, the
// pod informer and the runtime relist. The first relist adopts whatever
// the runtime already runs.
func (k *Kubelet) Start() {
	if k.started {
		return
	}
	k.started = true
	k.startedAt = k.cfg.Loop.Now()
	if n, ok := k.cfg.Runtime.(ChangeNotifier); ok {
		k.unnotify = n.OnChange(k.runtimeChanged)
	}
	k.adopt()
	k.every(0, k.cfg.StatusInterval, k.postNodeStatus)
	k.every(0, k.cfg.RenewInterval, k.renewLease)
	k.every(k.cfg.SyncPeriod, k.cfg.SyncPeriod, k.relist)
	k.startServices()
	k.pods.Start()
}

// Stop stops every timer, the informer and the queue. Containers keep
// running: a kubelet started later on the same runtime adopts them.
func (k *Kubelet) Stop() {
	k.stopped = true
	k.pods.Stop()
	if k.services != nil {
		k.services.Stop()
	}
	k.config.stop()
	k.claims.stop()
	k.tokens.stop()
	k.queue.Stop()
	for _, t := range k.timers {
		t.Stop()
	}
	k.timers = nil
	for _, id := range slices.Sorted(maps.Keys(k.probes)) {
		k.probes[id].stop()
	}
	for _, uid := range slices.Sorted(maps.Keys(k.state)) {
		k.state[uid].stopTimers()
	}
	if k.unnotify != nil {
		k.unnotify()
	}
}

// every runs f after first and then every period, until Stop.
func (k *Kubelet) every(first, period time.Duration, f func()) {
	slot := len(k.timers)
	k.timers = append(k.timers, nil)
	var tick func()
	tick = func() {
		if k.stopped {
			return
		}
		f()
		k.timers[slot] = k.cfg.Loop.After(period, tick)
	}
	k.timers[slot] = k.cfg.Loop.After(first, tick)
}

// runtimeChanged queues the pod whose runtime objects changed.
func (k *Kubelet) runtimeChanged(podUID string) {
	if k.stopped {
		return
	}
	if key, ok := k.uidKey[podUID]; ok {
		k.queue.Add(key)
	} else if k.pods.HasSynced() {
		k.cfg.Loop.After(0, k.removeOrphans)
	}
}

func (k *Kubelet) event(obj api.Object, typ, reason, format string, args ...any) {
	if k.cfg.Recorder != nil {
		k.cfg.Recorder.Eventf(obj, typ, reason, format, args...)
	}
}
