package apiserver

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/rest"
)

// handleBinding answers POST pods/{name}/binding: it assigns the pod to the
// target node. A pod is bound at most once: binding a pod that already has
// a node is a Conflict, whoever asks, so two schedulers (or one scheduler
// acting on a stale cache) can never move a pod. The pod's PodScheduled
// condition turns True in the same write.
func (s *Server) handleBinding(ctx context.Context, t target, req *rest.Request) response {
	var b api.Binding
	if err := json.Unmarshal(req.Body, &b); err != nil {
		return fail(errBadRequest("the request body is not a valid Binding: %v", jsonErrorText(err)))
	}
	if b.Name != "" && b.Name != t.name {
		return fail(errBadRequest("the name of the binding (%s) does not match the pod on the URL (%s)", b.Name, t.name))
	}
	if b.Target.Name == "" || (b.Target.Kind != "" && b.Target.Kind != "Node") {
		return fail(errInvalid(t.res, t.name, api.FieldErrors{{Type: "Required value", Field: "target.name", Detail: "a binding targets a Node by name"}}))
	}
	now := s.clock.Now()
	_, err := s.update(ctx, target{res: t.res, namespace: t.namespace, name: t.name}, isDryRun(req), updateBinding, untracked, func(old api.Object) (api.Object, error) {
		pod := old.(*api.Pod)
		if b.UID != "" && b.UID != pod.UID {
			return nil, errConflict(t.res, t.name, "the pod was replaced since it was scheduled (uid differs)")
		}
		if pod.Spec.NodeName != "" {
			return nil, errConflict(t.res, t.name, fmt.Sprintf("pod %s is already assigned to node %q", t.name, pod.Spec.NodeName))
		}
		if pod.DeletionTimestamp != nil {
			return nil, errConflict(t.res, t.name, "the pod is being deleted")
		}
		pod.Spec.NodeName = b.Target.Name
		setPodCondition(&pod.Status, api.PodCondition{Type: api.PodScheduled, Status: api.ConditionTrue, LastTransitionTime: api.NewTime(now)})
		return pod, nil
	})
	if err != nil {
		return fail(err)
	}
	st := api.Status{TypeMeta: api.TypeMeta{APIVersion: "v1", Kind: "Status"}, Status: "Success", Code: http.StatusCreated}
	body, _ := json.Marshal(st)
	return ok(http.StatusCreated, body, nil)
}

// setPodCondition replaces the condition of c's type, or adds it.
func setPodCondition(s *api.PodStatus, c api.PodCondition) {
	for i := range s.Conditions {
		if s.Conditions[i].Type == c.Type {
			s.Conditions[i] = c
			return
		}
	}
	s.Conditions = append(s.Conditions, c)
}
