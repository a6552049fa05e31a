package crdcleanup

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/controller"
)

// The Terminating condition's reasons and messages, as Kubernetes words
// them.
const (
	reasonInProgress   = "InstanceDeletionInProgress"
	messageInProgress  = "CustomResource deletion is in progress"
	reasonFailed       = "InstanceDeletionFailed"
	reasonCheck        = "InstanceDeletionCheck"
	reasonCompleted    = "InstanceDeletionCompleted"
	messageCompleted   = "removed all instances"
	reasonNeverEstab   = "NeverEstablished"
	messageNeverEstab  = "resource was never established"
	messageCheckPrefix = "could not confirm zero CustomResources remaining: "
)

// errWaiting is returned while objects are still going: the queue looks
// again with backoff.
var errWaiting = errors.New("instances remain")

// Reconcile moves the definition named name towards its removal when it is
// being deleted and still carries the cleanup finalizer, and does nothing
// otherwise. See the package comment for the steps. It returns an error to
// be retried with backoff: a call failed, a read was older than what it
// must follow, or objects are still going.
//
// The cache only says which definitions to look at: the definition is read
// live, and must be the one the cache saw (same uid, still pending). When
// the two disagree one of them lags; it looks again later rather than drop
// the key.
//
// Contract: called on the controller's loop, one name at a time (by the
// queue, or directly by tests).
func (c *Controller) Reconcile(name string) error {
	if !c.crds.HasSynced() {
		c.queue.AddAfter(name, notSyncedDelay)
		return nil
	}
	cached, ok := c.crds.Get("", name)
	if !ok || !pending(cached) {
		return nil
	}
	ctx := context.Background()
	crd, _, err := c.current(ctx, name)
	if err != nil {
		return err
	}
	if crd == nil || crd.UID != cached.UID || !pending(crd) {
		c.queue.AddAfter(name, RecheckDelay)
		return nil
	}
	if crd.Status.Condition(api.CRDTerminating) == nil {
		// A conditional write: it also proves crd is the current version.
		crd, err = c.setTerminating(ctx, crd, api.ConditionTrue, reasonInProgress, messageInProgress)
		if err != nil {
			return ignoreNotFound(err)
		}
	}
	res := controller.CustomResourceOf(crd)
	if res == nil {
		// No name was ever accepted, or no version is served: no object
		// can have been stored.
		crd, err = c.setTerminating(ctx, crd, api.ConditionFalse, reasonNeverEstab, messageNeverEstab)
		if err != nil {
			return ignoreNotFound(err)
		}
		return c.removeFinalizer(ctx, crd)
	}

	h := client.Dynamic(c.client, res)
	l, err := h.List(ctx, "", client.ListOptions{})
	if err != nil {
		c.report(ctx, crd, reasonFailed, fmt.Sprintf("could not list instances: %v", err))
		return err
	}
	listed, _ := strconv.ParseInt(l.ResourceVersion, 10, 64)
	// The objects listed are the definition's to delete only if it was
	// still this definition, pending, when the list was answered: read it
	// again at a revision at least the list's.
	crd, at, err := c.current(ctx, name)
	if err != nil {
		return err
	}
	if crd == nil || crd.UID != cached.UID || !pending(crd) {
		c.queue.AddAfter(name, RecheckDelay)
		return nil
	}
	if at < listed {
		return fmt.Errorf("customresourcedefinition %s read at revision %d, before the list of its %s at %d: reading again", name, at, res.Plural, listed)
	}

	left, finalizers, failures := c.deleteAll(ctx, h, l.Items)
	if len(failures) > 0 {
		err := fmt.Errorf("could not issue all deletes: %s", strings.Join(failures, "; "))
		c.report(ctx, crd, reasonFailed, err.Error())
		return err
	}
	if left > 0 {
		msg := fmt.Sprintf("%d %s.%s remain", left, res.Plural, res.Group)
		if len(finalizers) > 0 {
			msg += " (finalizers: " + strings.Join(finalizers, ", ") + ")"
		}
		c.report(ctx, crd, reasonCheck, messageCheckPrefix+msg)
		return fmt.Errorf("customresourcedefinition %s: %w: %s", name, errWaiting, msg)
	}
	rv, _ := strconv.ParseInt(crd.ResourceVersion, 10, 64)
	if len(l.Items) > 0 || listed < rv {
		// Everything listed went at once; an empty list, taken after the
		// definition's last change, must confirm it.
		c.queue.Add(name)
		return nil
	}
	crd, err = c.setTerminating(ctx, crd, api.ConditionFalse, reasonCompleted, messageCompleted)
	if err != nil {
		return ignoreNotFound(err)
	}
	return c.removeFinalizer(ctx, crd)
}

// pending reports whether crd is being deleted and still waits for this
// controller.
func pending(crd *api.CustomResourceDefinition) bool {
	return crd.DeletionTimestamp != nil && slices.Contains(crd.Finalizers, api.CustomResourceCleanupFinalizer)
}

// current reads the definition called name from the API, with the
// revision the answer is as of (a list pinned to the name says it; a get
// does not). It returns nil when there is none.
func (c *Controller) current(ctx context.Context, name string) (*api.CustomResourceDefinition, int64, error) {
	l, err := client.For[*api.CustomResourceDefinition](c.client).List(ctx, "", client.ListOptions{FieldSelector: "metadata.name=" + name})
	if err != nil {
		return nil, 0, err
	}
	at, _ := strconv.ParseInt(l.ResourceVersion, 10, 64)
	for _, crd := range l.Items {
		if crd.Name == name {
			return crd, at, nil
		}
	}
	return nil, at, nil
}

// deleteAll deletes every object of items not being deleted already, each
// on the condition that it is still the object listed (its uid), and
// returns how many are still there (marked for deletion, held by their
// finalizers), those finalizers, sorted, and one message per failed
// delete.
func (c *Controller) deleteAll(ctx context.Context, h client.Resource[api.Object], items []api.Object) (left int, finalizers, failures []string) {
	held := map[string]bool{}
	for _, obj := range items {
		m := obj.GetObjectMeta()
		if m.DeletionTimestamp == nil {
			out, err := h.Delete(ctx, m.Namespace, m.Name, client.DeleteOptions{UID: m.UID})
			switch {
			case api.IsNotFound(err), api.IsConflict(err):
				// Gone, or replaced since the list: the next list says.
				continue
			case err != nil:
				failures = append(failures, fmt.Sprintf("%s: %v", client.KeyFor(m.Namespace, m.Name), err))
				continue
			case out.GetObjectMeta().DeletionTimestamp == nil:
				continue // deleted at once
			}
			m = out.GetObjectMeta()
		}
		left++
		for _, f := range m.Finalizers {
			held[f] = true
		}
	}
	return left, slices.Sorted(maps.Keys(held)), failures
}

// report sets the Terminating condition to True with reason and message,
// best effort: the caller is about to be retried anyway.
func (c *Controller) report(ctx context.Context, crd *api.CustomResourceDefinition, reason, message string) {
	_, _ = c.setTerminating(ctx, crd, api.ConditionTrue, reason, message)
}

// setTerminating writes the Terminating condition through the status
// subresource, on the condition that crd is still at its resourceVersion,
// and returns the definition as written. A condition already as wanted is
// not written again. The transition time moves when the status does.
func (c *Controller) setTerminating(ctx context.Context, crd *api.CustomResourceDefinition, status api.ConditionStatus, reason, message string) (*api.CustomResourceDefinition, error) {
	if have := crd.Status.Condition(api.CRDTerminating); have != nil && have.Status == status && have.Reason == reason && have.Message == message {
		return crd, nil
	}
	next := api.DeepCopy(crd)
	cond := next.Status.Condition(api.CRDTerminating)
	if cond == nil {
		next.Status.Conditions = append(next.Status.Conditions, api.CustomResourceDefinitionCondition{Type: api.CRDTerminating})
		cond = &next.Status.Conditions[len(next.Status.Conditions)-1]
	}
	if cond.Status != status || cond.LastTransitionTime == nil {
		cond.LastTransitionTime = api.NewTime(c.loop.Now())
	}
	cond.Status, cond.Reason, cond.Message = status, reason, message
	return client.For[*api.CustomResourceDefinition](c.client).UpdateStatus(ctx, next, client.WriteOptions{})
}

// removeFinalizer removes the cleanup finalizer from crd, on the condition
// that crd is still at its resourceVersion. The API server removes the
// definition when no other finalizer remains, and with it the resource.
func (c *Controller) removeFinalizer(ctx context.Context, crd *api.CustomResourceDefinition) error {
	next := api.DeepCopy(crd)
	next.Finalizers = slices.DeleteFunc(next.Finalizers, func(f string) bool { return f == api.CustomResourceCleanupFinalizer })
	_, err := client.For[*api.CustomResourceDefinition](c.client).Update(ctx, next, client.WriteOptions{})
	return ignoreNotFound(err)
}

// ignoreNotFound drops a NotFound: the definition went, nothing is left
// to do.
func ignoreNotFound(err error) error {
	if api.IsNotFound(err) {
		return nil
	}
	return err
}
