package apiserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/rest"
	"github.com/tinykube/tinykube/core/store"
)

// DeleteOptions is the optional body of a DELETE, as in Kubernetes.
type DeleteOptions struct {
	api.TypeMeta       `json:",inline"`
	GracePeriodSeconds *int64         `json:"gracePeriodSeconds,omitempty"`
	Preconditions      *Preconditions `json:"preconditions,omitempty"`
	PropagationPolicy  *string        `json:"propagationPolicy,omitempty"`
	// OrphanDependents is the deprecated form of PropagationPolicy that
	// old clients still send: true means Orphan, false Background.
	OrphanDependents *bool    `json:"orphanDependents,omitempty"`
	DryRun           []string `json:"dryRun,omitempty"`
}

// Preconditions make a delete conditional on the object's identity or
// version.
type Preconditions struct {
	UID             *string `json:"uid,omitempty"`
	ResourceVersion *string `json:"resourceVersion,omitempty"`
}

// parseDeleteOptions reads the body and the query parameters of a DELETE.
func parseDeleteOptions(req *rest.Request) (DeleteOptions, error) {
	var o DeleteOptions
	if len(req.Body) > 0 {
		if err := json.Unmarshal(req.Body, &o); err != nil {
			return o, errBadRequest("the DELETE body is not valid DeleteOptions: %v", jsonErrorText(err))
		}
	}
	if v := req.Query.Get("gracePeriodSeconds"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return o, errBadRequest("invalid gracePeriodSeconds %q: it must be an integer", v)
		}
		o.GracePeriodSeconds = &n
	}
	if v := req.Query.Get("propagationPolicy"); v != "" {
		o.PropagationPolicy = &v
	}
	if v := req.Query.Get("orphanDependents"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return o, errBadRequest("invalid orphanDependents %q: it must be true or false", v)
		}
		o.OrphanDependents = &b
	}
	if err := validateDryRun("DeleteOptions", o.DryRun); err != nil {
		return o, err
	}
	if o.GracePeriodSeconds != nil && *o.GracePeriodSeconds < 0 {
		zero := int64(0)
		o.GracePeriodSeconds = &zero
	}
	if p := o.PropagationPolicy; p != nil {
		if o.OrphanDependents != nil {
			return o, errBadRequest("propagationPolicy and orphanDependents may not both be set; use propagationPolicy")
		}
		switch *p {
		case PropagationBackground, PropagationForeground, PropagationOrphan:
		default:
			return o, errBadRequest("propagationPolicy %q is not one of Background, Foreground, Orphan", *p)
		}
	}
	return o, nil
}

// The propagation policies of a delete: what happens to the dependents of
// the deleted object (those whose ownerReferences name it).
const (
	// PropagationBackground, the default, deletes the object now; the
	// garbage collector deletes its dependents afterwards.
	PropagationBackground = "Background"
	// PropagationForeground keeps the object, marked for deletion with the
	// FinalizerForeground finalizer, until the garbage collector has
	// deleted its dependents that block owner deletion.
	PropagationForeground = "Foreground"
	// PropagationOrphan keeps the object, marked with the FinalizerOrphan
	// finalizer, until the garbage collector has removed it from the
	// ownerReferences of its dependents, which stay.
	PropagationOrphan = "Orphan"

	// The finalizers of the policies, as Kubernetes names them (and as
	// core/controller/garbagecollector expects them).
	FinalizerOrphan     = "orphan"
	FinalizerForeground = "foregroundDeletion"
)

// gcFinalizer returns the finalizer a delete's propagation policy asks
// for, "" for Background.
func gcFinalizer(o DeleteOptions) string {
	switch {
	case o.PropagationPolicy != nil && *o.PropagationPolicy == PropagationOrphan:
		return FinalizerOrphan
	case o.PropagationPolicy != nil && *o.PropagationPolicy == PropagationForeground:
		return FinalizerForeground
	case o.PropagationPolicy == nil && o.OrphanDependents != nil && *o.OrphanDependents:
		return FinalizerOrphan
	}
	return ""
}

// withGCFinalizer returns fins with fin added and the other propagation
// finalizer removed (the two exclude each other, and a later delete's
// policy replaces an earlier one's, as in Kubernetes). fin "" leaves fins
// as they are.
func withGCFinalizer(fins []string, fin string) []string {
	if fin == "" {
		return fins
	}
	var out []string
	for _, f := range fins {
		if f != FinalizerOrphan && f != FinalizerForeground {
			out = append(out, f)
		}
	}
	return append(out, fin)
}

// handleDelete answers DELETE of one object.
//
// Deletion is graceful. An object with finalizers is only marked: it gets a
// deletionTimestamp and stays until the last finalizer is removed. A pod
// bound to a node is marked with a grace period: its kubelet stops the
// containers and then deletes it with grace 0. Anything else goes at once,
// unless the propagation policy is Orphan or Foreground: then the object
// is marked and gets that policy's finalizer, which the garbage collector
// removes once it has dealt with the dependents. The finalizer goes on
// with the first mark only; a later delete cannot change the policy.
func (s *Server) handleDelete(ctx context.Context, t target, req *rest.Request) response {
	opts, err := parseDeleteOptions(req)
	if err != nil {
		return fail(err)
	}
	dryRun := isDryRun(req) || len(opts.DryRun) > 0
	if t.res.Kind == "Namespace" {
		if err := checkNamespaceDeletable(t.name); err != nil {
			return fail(err)
		}
	}
	for attempt := 0; attempt < maxUpdateAttempts; attempt++ {
		obj, kv, err := s.read(ctx, t.res, t.namespace, t.name)
		if err != nil {
			return fail(err)
		}
		if err := checkPreconditions(t, opts.Preconditions, obj); err != nil {
			return fail(err)
		}
		if err := s.admit(ctx, &admissionRequest{op: opDelete, res: t.res, old: obj, dryRun: dryRun}); err != nil {
			return fail(err)
		}
		grace := graceFor(obj, opts)
		meta := obj.GetObjectMeta()
		fin := gcFinalizer(opts)
		if grace == 0 && !pendingFinalizers(obj) && fin == "" {
			if dryRun {
				return ok(http.StatusOK, mustJSON(obj), nil)
			}
			_, rev, err := s.store.Delete(ctx, kv.Key, kv.ModRevision)
			if errors.Is(err, store.ErrConflict) {
				continue
			}
			if err != nil {
				return fail(writeError(t.res, t.name, err))
			}
			if svc, isService := obj.(*api.Service); isService {
				s.release(ctx, svc.UID, serviceClaims(svc))
			}
			body, err := encodeWithRevision(obj, rev)
			if err != nil {
				return fail(errInternal(err))
			}
			return ok(http.StatusOK, body, nil)
		}
		// Mark for deletion. A second delete may shorten a pod's grace
		// period but never lengthen it. A namespace is marked once; a
		// second delete is told it is under way, as Kubernetes does.
		if _, isNS := obj.(*api.Namespace); isNS && meta.DeletionTimestamp != nil {
			return fail(errConflict(t.res, t.name, namespaceBeingPurged))
		}
		if meta.DeletionTimestamp != nil && meta.DeletionGracePeriodSeconds != nil && *meta.DeletionGracePeriodSeconds <= grace {
			return ok(http.StatusOK, mustJSON(obj), nil)
		}
		deadline := s.clock.Now().Add(time.Duration(grace) * time.Second)
		body, err := s.update(ctx, target{res: t.res, namespace: t.namespace, name: t.name}, dryRun, updateDeletion, untracked, func(cur api.Object) (api.Object, error) {
			if cur.GetObjectMeta().UID != meta.UID {
				return nil, errConflict(t.res, t.name, "the object was replaced while it was being deleted")
			}
			// The object may have changed since the read above: the
			// preconditions hold for what is marked, or the delete fails
			// (sim/history found this under concurrency).
			if err := checkPreconditions(t, opts.Preconditions, cur); err != nil {
				return nil, err
			}
			m := cur.GetObjectMeta()
			marked := m.DeletionTimestamp != nil
			if m.DeletionTimestamp == nil || m.DeletionGracePeriodSeconds == nil || *m.DeletionGracePeriodSeconds > grace {
				g := grace
				m.DeletionGracePeriodSeconds = &g
				m.DeletionTimestamp = api.NewTime(deadline)
			}
			// The policy's finalizer goes on with the mark. An object
			// already marked keeps the finalizers it has: no finalizer
			// may be added during deletion (see checkFinalizers), so a
			// second delete cannot change the policy of the first.
			if fin != "" && !marked && !m.HasFinalizer(fin) {
				m.Finalizers = withGCFinalizer(m.Finalizers, fin)
			}
			markNamespaceTerminating(cur)
			return cur, nil
		})
		if err != nil {
			return fail(err)
		}
		return ok(http.StatusOK, body, nil)
	}
	return fail(errConflict(t.res, t.name, "the object kept changing while it was being deleted; try again"))
}

// graceFor decides the grace period of a delete: only pods that are bound
// to a node and still running get one.
func graceFor(obj api.Object, opts DeleteOptions) int64 {
	pod, isPod := obj.(*api.Pod)
	if !isPod {
		return 0
	}
	if pod.Spec.NodeName == "" || api.IsPodTerminal(pod) {
		return 0
	}
	if opts.GracePeriodSeconds != nil {
		return *opts.GracePeriodSeconds
	}
	if g := pod.Spec.TerminationGracePeriodSeconds; g != nil {
		return *g
	}
	return 30
}

func checkPreconditions(t target, p *Preconditions, obj api.Object) error {
	if p == nil {
		return nil
	}
	meta := obj.GetObjectMeta()
	if p.UID != nil && *p.UID != meta.UID {
		return errConflict(t.res, t.name, fmt.Sprintf("Precondition failed: UID in precondition: %s, UID in object meta: %s", *p.UID, meta.UID))
	}
	if p.ResourceVersion != nil && *p.ResourceVersion != meta.ResourceVersion {
		return errConflict(t.res, t.name, fmt.Sprintf("Precondition failed: ResourceVersion in precondition: %s, ResourceVersion in object meta: %s", *p.ResourceVersion, meta.ResourceVersion))
	}
	return nil
}

func mustJSON(obj api.Object) []byte {
	b, err := json.Marshal(obj)
	if err != nil {
		panic(err)
	}
	return b
}
