package node

import (
	"context"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/loop"
)

// LeaseNamespace holds the kubelets' heartbeat Leases, one per node, named
// after it.
const LeaseNamespace = "kube-node-lease"

// The taints the controller manages.
const (
	TaintUnreachable = "node.kubernetes.io/unreachable"
	TaintNotReady    = "node.kubernetes.io/not-ready"
)

// Config is what the controller needs from its world. Zero durations take
// the defaults.
type Config struct {
	Loop     loop.Loop
	Client   *client.Client
	Recorder *client.Recorder
	// GracePeriod: a node whose Lease is not seen renewed for this long is
	// marked Ready=Unknown and tainted unreachable. Default 10s.
	GracePeriod time.Duration
	// EvictionTimeout: pods on a NotReady node are evicted this long after
	// the NoExecute taint was added, unless they tolerate the taint with
	// their own tolerationSeconds (or forever). Default 10s.
	EvictionTimeout time.Duration
	// MonitorPeriod: how often every node is checked. Default 1s.
	MonitorPeriod time.Duration
	// Assess, if set, replaces Assess: the failure detection of one node
	// (lab 07 runs a student's answer here).
	Assess func(HealthView) Verdict
}

// Controller is the node lifecycle controller. It lives on one loop.
type Controller struct {
	cfg    Config
	loop   loop.Loop
	client *client.Client
	rec    *client.Recorder

	nodes  *client.Informer[*api.Node]
	leases *client.Informer[*api.Lease]
	pods   *client.Informer[*api.Pod]
	// gc deletes the pods of nodes removed from the API, by node name.
	gc *client.Queue

	health  map[string]*health // by node name
	timer   loop.Timer
	stopped bool
}

// health is what the controller has observed of one node's heartbeat.
type health struct {
	// renewTime is the lease's spec.renewTime as last seen: only whether it
	// changes matters, never its value.
	renewTime time.Time
	// probe is when, on the controller's clock, the node was first seen or
	// its lease was last seen renewed.
	probe time.Time
}

const byNode = "nodeName"

// New returns a controller; call Start to run it.
func New(cfg Config) *Controller {
	if cfg.GracePeriod <= 0 {
		cfg.GracePeriod = 10 * time.Second
	}
	if cfg.EvictionTimeout <= 0 {
		cfg.EvictionTimeout = 10 * time.Second
	}
	if cfg.MonitorPeriod <= 0 {
		cfg.MonitorPeriod = time.Second
	}
	if cfg.Assess == nil {
		cfg.Assess = Assess
	}
	c := &Controller{cfg: cfg, loop: cfg.Loop, client: cfg.Client, rec: cfg.Recorder, health: map[string]*health{}}
	c.nodes = client.NewInformer[*api.Node](cfg.Loop, cfg.Client, "", client.ListOptions{})
	c.leases = client.NewInformer[*api.Lease](cfg.Loop, cfg.Client, LeaseNamespace, client.ListOptions{})
	c.pods = client.NewInformer[*api.Pod](cfg.Loop, cfg.Client, "", client.ListOptions{})
	c.pods.AddIndex(byNode, func(p *api.Pod) []string {
		if p.Spec.NodeName == "" {
			return nil
		}
		return []string{p.Spec.NodeName}
	})
	c.gc = client.NewQueue(cfg.Loop, c.collectPods)
	c.nodes.AddHandlers(client.Handlers[*api.Node]{
		Delete: func(n *api.Node) {
			delete(c.health, n.Name)
			c.gc.Add(n.Name)
		},
	})
	observe := func(l *api.Lease) { c.observeLease(l) }
	c.leases.AddHandlers(client.Handlers[*api.Lease]{Add: observe, Update: func(_, l *api.Lease) { observe(l) }})
	return c
}

// Start starts the informers and the monitor.
func (c *Controller) Start() {
	c.nodes.Start()
	c.leases.Start()
	c.pods.Start()
	c.timer = c.loop.After(c.cfg.MonitorPeriod, c.tick)
}

// Stop stops the informers, the monitor and pending work.
func (c *Controller) Stop() {
	c.stopped = true
	if c.timer != nil {
		c.timer.Stop()
	}
	c.gc.Stop()
	c.nodes.Stop()
	c.leases.Stop()
	c.pods.Stop()
}

func (c *Controller) tick() {
	if c.stopped {
		return
	}
	c.monitor()
	c.timer = c.loop.After(c.cfg.MonitorPeriod, c.tick)
}

// observeLease notes a heartbeat: a renewTime different from the last one
// seen moves the node's probe time to now (the controller's now). The
// kubelet's timestamp may be minutes off; a change is all it tells us.
func (c *Controller) observeLease(l *api.Lease) {
	if l.Spec.RenewTime == nil {
		return
	}
	h := c.healthOf(l.Name)
	if !l.Spec.RenewTime.Equal(h.renewTime) {
		h.renewTime = l.Spec.RenewTime.Time
		h.probe = c.loop.Now()
	}
}

// healthOf returns the record of a node, starting it (probe = now: a node
// gets a full grace period from when the controller first hears of it).
func (c *Controller) healthOf(node string) *health {
	h, ok := c.health[node]
	if !ok {
		h = &health{probe: c.loop.Now()}
		c.health[node] = h
	}
	return h
}

// collectPods force-deletes the pods of a node that no longer exists: no
// kubelet will ever finish them.
func (c *Controller) collectPods(node string) error {
	if _, ok := c.nodes.Get("", node); ok {
		return nil // back again (re-registered)
	}
	var failed error
	for _, p := range c.pods.ByIndex(byNode, node) {
		if err := c.forceDelete(p); err != nil {
			failed = err
		}
	}
	return failed
}

func (c *Controller) forceDelete(p *api.Pod) error {
	zero := int64(0)
	_, err := client.For[*api.Pod](c.client).Delete(context.Background(), p.Namespace, p.Name, client.DeleteOptions{GracePeriodSeconds: &zero, UID: p.UID})
	if err != nil && !api.IsNotFound(err) && !api.IsConflict(err) {
		return err
	}
	return nil
}
