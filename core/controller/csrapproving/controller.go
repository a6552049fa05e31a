package csrapproving

import (
	"context"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/loop"
)

// Config is what the controller needs from its world.
type Config struct {
	Loop   loop.Loop
	Client *client.Client
}

// Controller approves nodes' certificate requests. It lives on one loop.
type Controller struct {
	loop   loop.Loop
	client *client.Client
	csrs   *client.Informer[*api.CertificateSigningRequest]
	queue  *client.Queue
}

// New returns a controller; call Start to run it.
func New(cfg Config) *Controller {
	c := &Controller{loop: cfg.Loop, client: cfg.Client}
	c.csrs = client.NewInformer[*api.CertificateSigningRequest](cfg.Loop, cfg.Client, "", client.ListOptions{})
	c.queue = client.NewQueue(cfg.Loop, c.Reconcile)
	enqueue := func(csr *api.CertificateSigningRequest) {
		if !decided(csr) {
			c.queue.Add(client.Key(csr))
		}
	}
	c.csrs.AddHandlers(client.Handlers[*api.CertificateSigningRequest]{
		Add:    enqueue,
		Update: func(_, csr *api.CertificateSigningRequest) { enqueue(csr) },
	})
	return c
}

// Start starts the informer.
func (c *Controller) Start() { c.csrs.Start() }

// Stop stops the informer and drops queued work.
func (c *Controller) Stop() {
	c.queue.Stop()
	c.csrs.Stop()
}

// Reconcile approves the request named by key if Approve says so and
// nobody decided it yet. A request Approve refuses is left alone, for a
// human: the controller never denies.
//
// Contract: called on the loop; the cache may be behind, so a request it
// approves twice is answered by the server as a no-op.
func (c *Controller) Reconcile(key string) error {
	_, name := client.SplitKey(key)
	csr, ok := c.csrs.Get("", name)
	if !ok || decided(csr) {
		return nil
	}
	if approve, _ := Approve(csr); !approve {
		return nil
	}
	next := api.DeepCopy(csr)
	now := api.NewTime(c.loop.Now())
	next.Status.Conditions = append(next.Status.Conditions, api.CertificateSigningRequestCondition{
		Type: api.CertificateApproved, Status: string(api.ConditionTrue), Reason: ReasonAutoApproved,
		Message:        "Auto-approved: a node's request for its own certificate, from a bootstrap token or the node itself",
		LastUpdateTime: now, LastTransitionTime: now,
	})
	_, err := client.For[*api.CertificateSigningRequest](c.client).UpdateSubresource(context.Background(), next, "approval", client.WriteOptions{})
	if api.IsNotFound(err) {
		return nil
	}
	return err
}
