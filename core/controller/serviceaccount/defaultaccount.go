package serviceaccount

import (
	"context"
	"time"

	"github.com/tinykube/tinykube/core/api"
	token "github.com/tinykube/tinykube/core/auth/serviceaccount"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/loop"
)

// DefaultName is the ServiceAccount every namespace has.
const DefaultName = token.DefaultAccount

// notSyncedDelay is how long a key waits while the caches still load.
const notSyncedDelay = 100 * time.Millisecond

// Config is what the controllers need from their world.
type Config struct {
	Loop   loop.Loop
	Client *client.Client
}

// Accounts is the ServiceAccount controller. It lives on one loop.
type Accounts struct {
	loop   loop.Loop
	client *client.Client

	namespaces *client.Informer[*api.Namespace]
	accounts   *client.Informer[*api.ServiceAccount]
	queue      *client.Queue // keys are namespace names
}

// NewAccounts returns the ServiceAccount controller; call Start to run it.
// It watches namespaces (a new one needs its account) and the default
// accounts (a deleted one is made again).
func NewAccounts(cfg Config) *Accounts {
	c := &Accounts{loop: cfg.Loop, client: cfg.Client}
	c.namespaces = client.NewInformer[*api.Namespace](cfg.Loop, cfg.Client, "", client.ListOptions{})
	c.accounts = client.NewInformer[*api.ServiceAccount](cfg.Loop, cfg.Client, "", client.ListOptions{FieldSelector: "metadata.name=" + DefaultName})
	c.queue = client.NewQueue(cfg.Loop, c.Reconcile)
	c.namespaces.AddHandlers(client.EnqueueKeys[*api.Namespace](c.queue))
	c.accounts.AddHandlers(enqueueNamespace[*api.ServiceAccount](c.queue))
	return c
}

// enqueueNamespace enqueues the namespace of an object that changed.
func enqueueNamespace[T api.Object](q *client.Queue) client.Handlers[T] {
	add := func(obj T) { q.Add(obj.GetObjectMeta().Namespace) }
	return client.Handlers[T]{Add: add, Update: func(_, obj T) { add(obj) }, Delete: add}
}

// Start starts the informers.
func (c *Accounts) Start() {
	c.namespaces.Start()
	c.accounts.Start()
}

// Stop stops the informers and drops queued work.
func (c *Accounts) Stop() {
	c.queue.Stop()
	c.accounts.Stop()
	c.namespaces.Stop()
}

// Reconcile makes sure namespace key has a ServiceAccount "default" when it
// is active. A namespace being deleted gets none (the API would refuse it
// anyway). AlreadyExists means a cache is behind: the account is there.
// It returns an error to be retried with backoff when the create failed.
//
// Contract: called on the controller's loop, one key at a time.
func (c *Accounts) Reconcile(key string) error {
	if !c.namespaces.HasSynced() || !c.accounts.HasSynced() {
		c.queue.AddAfter(key, notSyncedDelay)
		return nil
	}
	_, name := client.SplitKey(key)
	if ns, ok := c.namespaces.Get("", name); !ok || ns.DeletionTimestamp != nil {
		return nil
	}
	if _, ok := c.accounts.Get(name, DefaultName); ok {
		return nil
	}
	sa := &api.ServiceAccount{ObjectMeta: api.ObjectMeta{Name: DefaultName, Namespace: name}}
	_, err := client.For[*api.ServiceAccount](c.client).Create(context.Background(), sa, client.WriteOptions{})
	return ignorable(err)
}

// ignorable drops the errors that mean there is nothing to do: the object
// exists already, or its namespace is gone or going.
func ignorable(err error) error {
	if err == nil || api.IsAlreadyExists(err) || api.IsNotFound(err) || api.ReasonOf(err) == api.ReasonForbidden {
		return nil
	}
	return err
}
