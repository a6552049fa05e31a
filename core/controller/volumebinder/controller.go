package volumebinder

import (
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/loop"
)

// Event reasons, as Kubernetes' persistent-volume controller writes them.
const (
	ReasonFailedBinding        = "FailedBinding"
	ReasonWaitForFirstConsumer = "WaitForFirstConsumer"
	ReasonExternalProvisioning = "ExternalProvisioning"
	ReasonClaimLost            = "ClaimLost"
	ReasonVolumeFailedDelete   = "VolumeFailedDelete"
)

// Config is what the controller needs from its world.
type Config struct {
	Loop     loop.Loop
	Client   *client.Client
	Recorder *client.Recorder
	// Match replaces Match (a lab's answer, or a simulator's broken
	// variant). Nil: Match.
	Match func(c *api.PersistentVolumeClaim, volumes []*api.PersistentVolume, node *api.Node) *api.PersistentVolume
}

// Controller binds claims to volumes and guards claims in use. It lives
// on one loop.
type Controller struct {
	loop     loop.Loop
	client   *client.Client
	recorder *client.Recorder
	match    func(*api.PersistentVolumeClaim, []*api.PersistentVolume, *api.Node) *api.PersistentVolume

	claims  *client.Informer[*api.PersistentVolumeClaim]
	volumes *client.Informer[*api.PersistentVolume]
	classes *client.Informer[*api.StorageClass]
	nodes   *client.Informer[*api.Node]
	pods    *client.Informer[*api.Pod]
	queue   *client.Queue
}

// Queue keys are "claim/<namespace>/<name>" and "volume/<name>".
const (
	claimPrefix  = "claim/"
	volumePrefix = "volume/"
)

// New returns a controller; call Start to run it.
func New(cfg Config) *Controller {
	c := &Controller{loop: cfg.Loop, client: cfg.Client, recorder: cfg.Recorder, match: cfg.Match}
	if c.match == nil {
		c.match = Match
	}
	c.claims = client.NewInformer[*api.PersistentVolumeClaim](cfg.Loop, cfg.Client, "", client.ListOptions{})
	c.volumes = client.NewInformer[*api.PersistentVolume](cfg.Loop, cfg.Client, "", client.ListOptions{})
	c.classes = client.NewInformer[*api.StorageClass](cfg.Loop, cfg.Client, "", client.ListOptions{})
	c.nodes = client.NewInformer[*api.Node](cfg.Loop, cfg.Client, "", client.ListOptions{})
	c.pods = client.NewInformer[*api.Pod](cfg.Loop, cfg.Client, "", client.ListOptions{})
	c.pods.AddIndex("claim", func(p *api.Pod) []string {
		var out []string
		for _, v := range p.Spec.Volumes {
			if v.PersistentVolumeClaim != nil {
				out = append(out, client.KeyFor(p.Namespace, v.PersistentVolumeClaim.ClaimName))
			}
		}
		return out
	})
	c.queue = client.NewQueue(cfg.Loop, c.Reconcile)

	addClaim := func(pvc *api.PersistentVolumeClaim) { c.queue.Add(claimPrefix + client.Key(pvc)) }
	c.claims.AddHandlers(client.Handlers[*api.PersistentVolumeClaim]{
		Add:    addClaim,
		Update: func(_, pvc *api.PersistentVolumeClaim) { addClaim(pvc) },
		Delete: func(pvc *api.PersistentVolumeClaim) {
			addClaim(pvc)
			if pvc.Spec.VolumeName != "" {
				c.queue.Add(volumePrefix + pvc.Spec.VolumeName)
			}
		},
	})
	addVolume := func(pv *api.PersistentVolume) {
		c.queue.Add(volumePrefix + pv.Name)
		if r := pv.Spec.ClaimRef; r != nil {
			c.queue.Add(claimPrefix + client.KeyFor(r.Namespace, r.Name))
		}
	}
	c.volumes.AddHandlers(client.Handlers[*api.PersistentVolume]{
		Add:    addVolume,
		Update: func(_, pv *api.PersistentVolume) { addVolume(pv) },
		Delete: func(pv *api.PersistentVolume) {
			if r := pv.Spec.ClaimRef; r != nil {
				c.queue.Add(claimPrefix + client.KeyFor(r.Namespace, r.Name))
			}
		},
	})
	// A pod's end may free a claim being deleted.
	podClaims := func(p *api.Pod) {
		for _, v := range p.Spec.Volumes {
			if v.PersistentVolumeClaim != nil {
				c.queue.Add(claimPrefix + client.KeyFor(p.Namespace, v.PersistentVolumeClaim.ClaimName))
			}
		}
	}
	c.pods.AddHandlers(client.Handlers[*api.Pod]{
		Update: func(_, p *api.Pod) {
			if podDone(p) {
				podClaims(p)
			}
		},
		Delete: podClaims,
	})
	// A new class (the default one arriving late) may let waiting claims on.
	c.classes.AddHandlers(client.Handlers[*api.StorageClass]{
		Add: func(*api.StorageClass) {
			for _, pvc := range c.claims.List(api.Everything()) {
				if pvc.Spec.VolumeName == "" {
					addClaim(pvc)
				}
			}
		},
	})
	return c
}

// Start starts the informers (pods, nodes and classes first, so that the
// first claim syncs see them) and the queue.
func (c *Controller) Start() {
	c.pods.Start()
	c.nodes.Start()
	c.classes.Start()
	c.volumes.Start()
	c.claims.Start()
}

// Stop stops the informers and drops queued work.
func (c *Controller) Stop() {
	c.queue.Stop()
	c.claims.Stop()
	c.volumes.Stop()
	c.classes.Stop()
	c.nodes.Stop()
	c.pods.Stop()
}

// Queue returns the work queue, so tests and drivers can tune its back-off.
func (c *Controller) Queue() *client.Queue { return c.queue }

func (c *Controller) synced() bool {
	return c.pods.HasSynced() && c.nodes.HasSynced() && c.classes.HasSynced() && c.volumes.HasSynced() && c.claims.HasSynced()
}

// podDone: the pod no longer uses its volumes.
func podDone(p *api.Pod) bool {
	return p.Status.Phase == api.PodSucceeded || p.Status.Phase == api.PodFailed
}
