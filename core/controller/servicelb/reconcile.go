package servicelb

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// Reconcile brings the load balancer of the service named key
// ("namespace/name") in line with its spec: ensured, with its addresses in
// the status, for a LoadBalancer service; released, with the status
// cleared and the finalizer removed, for any other (or a deleted one). An
// error sends the key back to the queue, which retries with back-off.
func (c *Controller) Reconcile(key string) error {
	if !c.adopt() {
		return fmt.Errorf("services not loaded yet")
	}
	ns, name := client.SplitKey(key)
	svc, ok := c.services.Get(ns, name)
	if !ok {
		// Gone without our finalizer (or with it removed by hand): release
		// what we know it held.
		if last := c.provisioned[key]; last != nil {
			if err := c.provider.EnsureLoadBalancerDeleted(last); err != nil {
				return err
			}
			delete(c.provisioned, key)
			c.retryWaiting()
		}
		return nil
	}
	if wantsLoadBalancer(svc) {
		return c.ensure(key, svc)
	}
	if needsCleanup(svc) || c.provisioned[key] != nil {
		return c.cleanup(key, svc)
	}
	return nil
}

// ensure: finalizer first, so a delete that races the provider can never
// leave a load balancer behind; then the provider; then the status.
func (c *Controller) ensure(key string, svc *api.Service) error {
	ctx := context.Background()
	svcs := client.For[*api.Service](c.client)
	if !svc.HasFinalizer(Finalizer) {
		next := api.DeepCopy(svc)
		next.Finalizers = append(next.Finalizers, Finalizer)
		out, err := svcs.Update(ctx, next, client.WriteOptions{})
		if err != nil {
			return err // a stale cache (Conflict): the informer catches up, we retry
		}
		svc = out
	}
	ingress, err := c.provider.EnsureLoadBalancer(svc, c.ready())
	if err != nil {
		c.recorder.Eventf(svc, client.EventWarning, ReasonSyncFailed, "Error syncing load balancer: %v", err)
		return err
	}
	c.provisioned[key] = svc
	if slices.Equal(ingress, svc.Status.LoadBalancer.Ingress) {
		return nil
	}
	next := api.DeepCopy(svc)
	next.Status.LoadBalancer.Ingress = ingress
	if _, err := svcs.UpdateStatus(ctx, next, client.WriteOptions{}); err != nil {
		return err
	}
	c.recorder.Eventf(svc, client.EventNormal, ReasonEnsured, "Ensured load balancer at %s (provider %s)", ingressList(ingress), c.provider.Name())
	return nil
}

// cleanup releases the load balancer, then clears the status (unless the
// service is on its way out anyway), then lets deletion go on by removing
// the finalizer.
func (c *Controller) cleanup(key string, svc *api.Service) error {
	ctx := context.Background()
	svcs := client.For[*api.Service](c.client)
	if err := c.provider.EnsureLoadBalancerDeleted(svc); err != nil {
		c.recorder.Eventf(svc, client.EventWarning, ReasonDeleteFailed, "Error deleting load balancer: %v", err)
		return err
	}
	released := c.provisioned[key] != nil || svc.HasFinalizer(Finalizer)
	delete(c.provisioned, key)
	c.retryWaiting()
	if len(svc.Status.LoadBalancer.Ingress) > 0 && svc.DeletionTimestamp == nil {
		next := api.DeepCopy(svc)
		next.Status.LoadBalancer.Ingress = nil
		out, err := svcs.UpdateStatus(ctx, next, client.WriteOptions{})
		if err != nil {
			return err
		}
		svc = out
	}
	if svc.HasFinalizer(Finalizer) {
		next := api.DeepCopy(svc)
		next.Finalizers = slices.DeleteFunc(next.Finalizers, func(f string) bool { return f == Finalizer })
		if _, err := svcs.Update(ctx, next, client.WriteOptions{}); err != nil {
			return err
		}
	}
	if released {
		c.recorder.Eventf(svc, client.EventNormal, ReasonDeleted, "Deleted load balancer")
	}
	return nil
}

// retryWaiting queues the LoadBalancer services still without an address:
// a release may have freed one for them, and they need not wait out their
// back-off to get it.
func (c *Controller) retryWaiting() {
	for _, s := range c.services.List(api.Everything()) {
		if wantsLoadBalancer(s) && len(s.Status.LoadBalancer.Ingress) == 0 {
			c.queue.Add(client.Key(s))
		}
	}
}

func ingressList(in []api.LoadBalancerIngress) string {
	var out []string
	for _, i := range in {
		if i.IP != "" {
			out = append(out, i.IP)
		} else {
			out = append(out, i.Hostname)
		}
	}
	return strings.Join(out, ", ")
}
