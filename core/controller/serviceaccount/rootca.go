package serviceaccount

import (
	"context"
	"maps"

	"github.com/tinykube/tinykube/core/api"
	token "github.com/tinykube/tinykube/core/auth/serviceaccount"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/loop"
)

// The ConfigMap the root CA publisher keeps in every namespace, and its
// one key. A pod's ServiceAccount volume projects it as ca.crt.
const (
	RootCAConfigMap = token.RootCAConfigMap
	RootCAKey       = token.RootCAKey
)

// RootCA is the root CA publisher. It lives on one loop.
type RootCA struct {
	loop   loop.Loop
	client *client.Client
	pem    string

	namespaces *client.Informer[*api.Namespace]
	configMaps *client.Informer[*api.ConfigMap]
	queue      *client.Queue // keys are namespace names
}

// NewRootCA returns the root CA publisher of caPEM (the cluster CA's
// certificate, PEM-encoded); call Start to run it.
func NewRootCA(cfg Config, caPEM []byte) *RootCA {
	c := &RootCA{loop: cfg.Loop, client: cfg.Client, pem: string(caPEM)}
	c.namespaces = client.NewInformer[*api.Namespace](cfg.Loop, cfg.Client, "", client.ListOptions{})
	c.configMaps = client.NewInformer[*api.ConfigMap](cfg.Loop, cfg.Client, "", client.ListOptions{FieldSelector: "metadata.name=" + RootCAConfigMap})
	c.queue = client.NewQueue(cfg.Loop, c.Reconcile)
	c.queue.Name = "root_ca_cert_publisher" // Kubernetes' name; "serviceaccount" is the Accounts controller's
	c.namespaces.AddHandlers(client.EnqueueKeys[*api.Namespace](c.queue))
	c.configMaps.AddHandlers(enqueueNamespace[*api.ConfigMap](c.queue))
	return c
}

// Start starts the informers.
func (c *RootCA) Start() {
	c.namespaces.Start()
	c.configMaps.Start()
}

// Stop stops the informers and drops queued work.
func (c *RootCA) Stop() {
	c.queue.Stop()
	c.configMaps.Stop()
	c.namespaces.Stop()
}

// Reconcile makes namespace key's kube-root-ca.crt hold exactly the CA
// (data {ca.crt: PEM}) when the namespace is active: it creates the
// ConfigMap when missing and puts the data back when someone changed it,
// keeping the rest of the object (labels, annotations) as they are. A
// conflict or AlreadyExists means a cache is behind; the event that
// brings it up to date enqueues the namespace again.
//
// Contract: called on the controller's loop, one key at a time.
func (c *RootCA) Reconcile(key string) error {
	if !c.namespaces.HasSynced() || !c.configMaps.HasSynced() {
		c.queue.AddAfter(key, notSyncedDelay)
		return nil
	}
	_, name := client.SplitKey(key)
	if ns, ok := c.namespaces.Get("", name); !ok || ns.DeletionTimestamp != nil {
		return nil
	}
	want := map[string]string{RootCAKey: c.pem}
	cms := client.For[*api.ConfigMap](c.client)
	cm, ok := c.configMaps.Get(name, RootCAConfigMap)
	if !ok {
		_, err := cms.Create(context.Background(), &api.ConfigMap{ObjectMeta: api.ObjectMeta{Name: RootCAConfigMap, Namespace: name}, Data: want}, client.WriteOptions{})
		return ignorable(err)
	}
	if maps.Equal(cm.Data, want) && len(cm.BinaryData) == 0 {
		return nil
	}
	fixed := api.DeepCopy(cm)
	fixed.Data, fixed.BinaryData = want, nil
	_, err := cms.Update(context.Background(), fixed, client.WriteOptions{})
	if api.ReasonOf(err) == api.ReasonConflict {
		return nil
	}
	return ignorable(err)
}
