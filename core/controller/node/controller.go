package node

import (
	"context"
	"fmt"
	"strconv"
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
	// A pod bound to a node the cache does not have: the node may be
	// gone without this controller having seen it go (it was down, or
	// restarted, when the node was deleted), and then no delete event will
	// ever come for it. Look again after a while (the node informer may
	// simply lag), and ask the API before collecting.
	orphan := func(p *api.Pod) {
		if n := p.Spec.NodeName; n != "" {
			if _, ok := c.nodes.Get("", n); !ok {
				c.gc.AddAfter(n, orphanRecheck)
			}
		}
	}
	c.pods.AddHandlers(client.Handlers[*api.Pod]{Add: orphan, Update: func(_, p *api.Pod) { orphan(p) }})
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

// orphanRecheck is how long a pod bound to a node missing from the cache
// waits before the controller asks the API whether the node exists.
const orphanRecheck = 5 * time.Second

// collectPods force-deletes the pods of a node that no longer exists: no
// kubelet will ever finish them. The cache saying so is not enough (the
// node informer may lag the pods'): the API must say it too.
func (c *Controller) collectPods(node string) error {
	if _, ok := c.nodes.Get("", node); ok {
		return nil // back again (re-registered)
	}
	pods := c.pods.ByIndex(byNode, node)
	if len(pods) == 0 {
		return nil
	}
	var newest int64
	for _, p := range pods {
		rv, _ := strconv.ParseInt(p.ResourceVersion, 10, 64)
		newest = max(newest, rv)
	}
	gone, err := c.nodeGone(node, newest)
	if err != nil {
		return err
	}
	if !gone {
		c.gc.AddAfter(node, orphanRecheck) // until the cache has it
		return nil
	}
	var failed error
	for _, p := range pods {
		if err := c.forceDelete(p); err != nil {
			failed = err
		}
	}
	return failed
}

// nodeGone asks the API whether node is gone. The answer must come from
// a revision at least minRV (the newest of the pods bound to it, which
// were bound while it existed): a lagging API cache that answers from
// before the node existed is not believed, and the caller retries.
func (c *Controller) nodeGone(node string, minRV int64) (bool, error) {
	l, err := client.For[*api.Node](c.client).List(context.Background(), "", client.ListOptions{FieldSelector: "metadata.name=" + node})
	if err != nil {
		return false, fmt.Errorf("node %s: asking whether it still exists: %w", node, err)
	}
	if len(l.Items) > 0 {
		return false, nil
	}
	if rv, _ := strconv.ParseInt(l.ResourceVersion, 10, 64); rv < minRV {
		return false, fmt.Errorf("node %s: the API answered at revision %d, before revision %d of a pod bound to it: not trusting that it is gone", node, rv, minRV)
	}
	return true, nil
}

func (c *Controller) forceDelete(p *api.Pod) error {
	zero := int64(0)
	_, err := client.For[*api.Pod](c.client).Delete(context.Background(), p.Namespace, p.Name, client.DeleteOptions{GracePeriodSeconds: &zero, UID: p.UID})
	if err != nil && !api.IsNotFound(err) && !api.IsConflict(err) {
		return err
	}
	return nil
}
