package apiserver

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/rest"
	"github.com/tinykube/tinykube/core/store"
)

// MaxDisruptedPods bounds a PDB's status.disruptedPods: past it the
// disruption controller has fallen too far behind the evictions it was
// told of, and further evictions are refused, as in Kubernetes.
const MaxDisruptedPods = 2000

// handleEviction answers POST pods/{name}/eviction: delete the pod unless
// that would break the one PodDisruptionBudget covering it.
//
// The order matters. The budget is spent first, in a conditional write of
// the PDB's status (decrement disruptionsAllowed, record the pod in
// disruptedPods); only when that write succeeds is the pod deleted. Two
// evictions racing for the last disruption both read allowed=1, and the
// store lets one write win: the other rereads, sees 0, and is refused.
// If the pod's delete then fails, the budget stays spent until the
// disruption controller drops the stale disruptedPods entry — a refusal
// too many, never an eviction too many.
func (s *Server) handleEviction(ctx context.Context, t target, req *rest.Request) response {
	if req.Method != http.MethodPost {
		return fail(errMethodNotAllowed(req.Method, req.Path))
	}
	var ev api.Eviction
	if err := json.Unmarshal(req.Body, &ev); err != nil {
		return fail(errBadRequest("the request body is not a valid Eviction: %v", jsonErrorText(err)))
	}
	if ev.Name != "" && ev.Name != t.name {
		return fail(errBadRequest("name in URL does not match name in Eviction object"))
	}
	if ev.Namespace != "" && ev.Namespace != t.namespace {
		return fail(errBadRequest("the namespace of the Eviction (%s) does not match the namespace sent on the request (%s)", ev.Namespace, t.namespace))
	}
	opts := DeleteOptions{}
	if d := ev.DeleteOptions; d != nil {
		opts.GracePeriodSeconds, opts.PropagationPolicy, opts.DryRun = d.GracePeriodSeconds, d.PropagationPolicy, d.DryRun
		if p := d.Preconditions; p != nil {
			opts.Preconditions = &Preconditions{UID: p.UID, ResourceVersion: p.ResourceVersion}
		}
	}
	dryRun := isDryRun(req) || (len(opts.DryRun) == 1 && opts.DryRun[0] == "All")
	obj, _, err := s.read(ctx, t.res, t.namespace, t.name)
	if err != nil {
		return fail(err)
	}
	pod := obj.(*api.Pod)
	if err := checkPreconditions(t, opts.Preconditions, pod); err != nil {
		return fail(err)
	}
	if !canIgnoreBudget(pod) {
		pdbs, err := s.budgetsCovering(ctx, pod)
		if err != nil {
			return fail(err)
		}
		switch {
		case len(pdbs) > 1:
			return fail(errInternal(fmt.Errorf("This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.")))
		case len(pdbs) == 1:
			pinned, err := s.spendBudget(ctx, pdbs[0], pod, dryRun)
			if err != nil {
				return fail(err)
			}
			if pinned {
				// An unhealthy pod let through without spending the
				// budget: delete exactly the pod that was judged.
				rv := pod.ResourceVersion
				if opts.Preconditions == nil {
					opts.Preconditions = &Preconditions{}
				}
				opts.Preconditions.ResourceVersion = &rv
			}
		}
	}
	body, err := json.Marshal(opts)
	if err != nil {
		return fail(errInternal(err))
	}
	q := req.Query
	del := s.handleDelete(ctx, target{res: t.res, namespace: t.namespace, name: t.name}, &rest.Request{Method: http.MethodDelete, Path: req.Path, Query: q, Body: body})
	if del.err != nil {
		return del
	}
	st := api.Status{TypeMeta: api.TypeMeta{APIVersion: "v1", Kind: "Status"}, Status: "Success", Code: http.StatusCreated}
	out, _ := json.Marshal(st)
	return ok(http.StatusCreated, out, nil)
}

// canIgnoreBudget reports whether evicting pod disrupts nothing a budget
// protects: it has not started (Pending), has finished, or is already
// being deleted.
func canIgnoreBudget(pod *api.Pod) bool {
	switch pod.Status.Phase {
	case api.PodSucceeded, api.PodFailed, api.PodPending:
		return true
	}
	return pod.DeletionTimestamp != nil
}

// budgetsCovering lists the PDBs of pod's namespace whose selector picks
// pod. A PDB without a selector covers nothing; one with an empty
// selector covers every pod of its namespace.
func (s *Server) budgetsCovering(ctx context.Context, pod *api.Pod) ([]*api.PodDisruptionBudget, error) {
	res := api.ResourceByPlural("policy", "poddisruptionbudgets")
	objs, err := s.listAll(ctx, res, pod.Namespace)
	if err != nil {
		return nil, err
	}
	var out []*api.PodDisruptionBudget
	for _, o := range objs {
		pdb := o.(*api.PodDisruptionBudget)
		if pdb.Covers(pod) {
			out = append(out, pdb)
		}
	}
	return out, nil
}

// listAll decodes every object of res in namespace ns, from the store's
// current revision.
func (s *Server) listAll(ctx context.Context, res *api.Resource, ns string) ([]api.Object, error) {
	var out []api.Object
	lr, err := s.store.List(ctx, prefix(res, ns), store.ListOptions{})
	if err != nil {
		return nil, storeError(err)
	}
	for _, kv := range lr.KVs {
		obj, err := decodeKV(res, kv)
		if err != nil {
			return nil, errInternal(err)
		}
		out = append(out, obj)
	}
	return out, nil
}

// spendBudget takes one disruption from pdb for pod, or refuses with 429.
// pinned reports that the pod may go without spending anything (it is not
// Ready and the budget allows unhealthy pods to go), in which case the
// delete must be conditional on the pod as read. Each attempt of the
// conditional write judges the PDB as it is in the store at that moment.
func (s *Server) spendBudget(ctx context.Context, pdb *api.PodDisruptionBudget, pod *api.Pod, dryRun bool) (pinned bool, err error) {
	res := api.ResourceOf(pdb)
	now := s.clock.Now()
	_, err = s.update(ctx, target{res: res, namespace: pdb.Namespace, name: pdb.Name}, dryRun, updateStatus, untracked, func(old api.Object) (api.Object, error) {
		cur := old.(*api.PodDisruptionBudget)
		pinned = false
		if !api.IsPodReady(pod) {
			policy := cur.Spec.UnhealthyPodEvictionPolicy
			if policy != nil && *policy == api.AlwaysAllow {
				pinned = true
				return cur, nil
			}
			if cur.Status.CurrentHealthy >= cur.Status.DesiredHealthy && cur.Status.DesiredHealthy > 0 {
				pinned = true
				return cur, nil
			}
		}
		if cur.Status.ObservedGeneration < cur.Generation {
			return nil, errBudget(fmt.Sprintf("The disruption budget %s is still being processed by the server.", cur.Name))
		}
		if cur.Status.DisruptionsAllowed < 0 {
			return nil, errForbidden(res, cur.Name, "pdb disruptions allowed is negative")
		}
		if len(cur.Status.DisruptedPods) > MaxDisruptedPods {
			return nil, errForbidden(res, cur.Name, "DisruptedPods map too big - too many evictions not confirmed by PDB controller")
		}
		if cur.Status.DisruptionsAllowed == 0 {
			return nil, errBudget(fmt.Sprintf("The disruption budget %s needs %d healthy pods and has %d currently", cur.Name, cur.Status.DesiredHealthy, cur.Status.CurrentHealthy))
		}
		cur.Status.DisruptionsAllowed--
		if cur.Status.DisruptionsAllowed == 0 {
			api.SetDisruptionAllowed(&cur.Status, cur.Generation, now)
		}
		if cur.Status.DisruptedPods == nil {
			cur.Status.DisruptedPods = map[string]api.Time{}
		}
		cur.Status.DisruptedPods[pod.Name] = *api.NewTime(now)
		return cur, nil
	})
	return pinned, err
}

// errBudget is the 429 an eviction gets when a budget forbids it, with
// the budget's reason as the cause, worded as Kubernetes words it.
func errBudget(cause string) error {
	return api.NewStatusError(http.StatusTooManyRequests, api.ReasonTooManyRequests,
		&api.StatusDetails{Causes: []api.StatusCause{{Type: "DisruptionBudget", Message: cause}}},
		"Cannot evict pod as it would violate the pod's disruption budget.")
}
