package podautoscaler

import (
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/loop"
)

// DefaultSyncPeriod is how often each autoscaler is reconciled
// (--horizontal-pod-autoscaler-sync-period).
const DefaultSyncPeriod = 15 * time.Second

// Config is what the controller needs from its world. Zero durations and
// a zero tolerance mean Kubernetes' defaults; nil Metrics and Scales mean
// the API's, through Client.
type Config struct {
	Loop     loop.Loop
	Client   *client.Client
	Recorder *client.Recorder
	Metrics  MetricsClient
	Scales   ScaleClient

	SyncPeriod             time.Duration // DefaultSyncPeriod
	DownscaleStabilization time.Duration // DefaultDownscaleStabilization
	Tolerance              *Tolerance    // DefaultTolerance

	Hooks Hooks
}

// Hooks replace steps of the controller's pipeline: a lab plugs a
// student's Recommend in, the simulator deliberately broken variants
// (sim/mutants). Stabilize and Limit are given the real step's answer and
// return the one to use. The zero Hooks changes nothing.
type Hooks struct {
	Recommend func(current int32, pods []PodUsage, target Target, tol Tolerance) (Recommendation, error)
	Stabilize func(current, recommended, stabilized int32) int32
	Limit     func(current, stabilized, limited, minReplicas, maxReplicas int32) int32
}

// Controller is the HorizontalPodAutoscaler controller. It lives on one
// loop; its memory of each autoscaler (history) lives as long as it does.
type Controller struct {
	loop      loop.Loop
	client    *client.Client
	recorder  *client.Recorder
	metrics   MetricsClient
	scales    ScaleClient
	period    time.Duration
	downDelay time.Duration
	tolerance Tolerance
	hooks     Hooks

	hpas    *client.Informer[*api.HorizontalPodAutoscaler]
	pods    *client.Informer[*api.Pod]
	queue   *client.Queue
	history map[string]*history
}

// New returns a controller; call Start to run it.
func New(cfg Config) *Controller {
	c := &Controller{loop: cfg.Loop, client: cfg.Client, recorder: cfg.Recorder, metrics: cfg.Metrics, scales: cfg.Scales,
		period: cfg.SyncPeriod, downDelay: cfg.DownscaleStabilization, tolerance: DefaultTolerance, hooks: cfg.Hooks,
		history: map[string]*history{}}
	if c.metrics == nil {
		c.metrics = NewResourceMetrics(cfg.Client)
	}
	if c.scales == nil {
		c.scales = NewScales(cfg.Client)
	}
	if c.period <= 0 {
		c.period = DefaultSyncPeriod
	}
	if c.downDelay <= 0 {
		c.downDelay = DefaultDownscaleStabilization
	}
	if cfg.Tolerance != nil {
		c.tolerance = *cfg.Tolerance
	}
	c.hpas = client.NewInformer[*api.HorizontalPodAutoscaler](cfg.Loop, cfg.Client, "", client.ListOptions{})
	c.pods = client.NewInformer[*api.Pod](cfg.Loop, cfg.Client, "", client.ListOptions{})
	c.queue = client.NewQueue(cfg.Loop, c.Reconcile)
	c.hpas.AddHandlers(client.Handlers[*api.HorizontalPodAutoscaler]{
		Add: func(h *api.HorizontalPodAutoscaler) { c.queue.Add(client.Key(h)) },
		// Only spec changes: the controller's own status writes would
		// otherwise make it sync again at once, not every period.
		Update: func(old, h *api.HorizontalPodAutoscaler) {
			if old.Generation != h.Generation {
				c.queue.Add(client.Key(h))
			}
		},
		Delete: func(h *api.HorizontalPodAutoscaler) { c.queue.Add(client.Key(h)) },
	})
	return c
}

// Start starts the informers, the autoscalers' last so that the pods are
// cached when the first one is reconciled.
func (c *Controller) Start() {
	c.pods.Start()
	c.hpas.Start()
}

// Stop stops the informers and drops queued work.
func (c *Controller) Stop() {
	c.queue.Stop()
	c.hpas.Stop()
	c.pods.Stop()
}
