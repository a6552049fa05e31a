package namespace

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// The conditions of a terminating namespace are Kubernetes': five types,
// each False with an "all is well" reason while its problem is absent and
// True with the problem while present. tinykube has no discovery and no
// group versions to parse, so the first two are always False; they are set
// all the same, because tools read the five.
var conditionTypes = []string{
	api.NamespaceDeletionDiscoveryFailure,
	api.NamespaceDeletionGVParsingFailure,
	api.NamespaceDeletionContentFailure,
	api.NamespaceContentRemaining,
	api.NamespaceFinalizersRemaining,
}

// okConditions are the reasons and messages of the five when all is well.
var okConditions = map[string][2]string{
	api.NamespaceDeletionDiscoveryFailure: {"ResourcesDiscovered", "All resources successfully discovered"},
	api.NamespaceDeletionGVParsingFailure: {"ParsedGroupVersions", "All legacy kube types successfully parsed"},
	api.NamespaceDeletionContentFailure:   {"ContentDeleted", "All content successfully deleted, may be waiting on finalization"},
	api.NamespaceContentRemaining:         {"ContentRemoved", "All content successfully removed"},
	api.NamespaceFinalizersRemaining:      {"ContentHasNoFinalizers", "All content-preserving finalizers finished"},
}

// conditions returns the five conditions that describe left, in
// Kubernetes' order and wording, stamped now.
func conditions(left remaining, now time.Time) []api.NamespaceCondition {
	problems := map[string]api.NamespaceCondition{}
	if len(left.errors) > 0 {
		problems[api.NamespaceDeletionContentFailure] = api.NamespaceCondition{Reason: "ContentDeletionFailed",
			Message: fmt.Sprintf("Failed to delete all resource types, %d remaining: %s", len(left.errors), strings.Join(left.errors, ", "))}
	}
	if len(left.byResource) > 0 {
		problems[api.NamespaceContentRemaining] = api.NamespaceCondition{Reason: "SomeResourcesRemain",
			Message: "Some resources are remaining: " + counted(left.byResource, "%s has %d resource instances")}
	}
	if len(left.byFinal) > 0 {
		problems[api.NamespaceFinalizersRemaining] = api.NamespaceCondition{Reason: "SomeFinalizersRemain",
			Message: "Some content in the namespace has finalizers remaining: " + counted(left.byFinal, "%s in %d resource instances")}
	}
	out := make([]api.NamespaceCondition, 0, len(conditionTypes))
	for _, typ := range conditionTypes {
		c, bad := problems[typ]
		if bad {
			c.Status = api.ConditionTrue
		} else {
			ok := okConditions[typ]
			c = api.NamespaceCondition{Status: api.ConditionFalse, Reason: ok[0], Message: ok[1]}
		}
		c.Type = typ
		c.LastTransitionTime = api.NewTime(now)
		out = append(out, c)
	}
	return out
}

// counted formats a count per name, sorted, joined by ", ".
func counted(m map[string]int, format string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf(format, k, m[k]))
	}
	slices.Sort(parts)
	return strings.Join(parts, ", ")
}

// merge returns have with want applied: a condition keeps its
// lastTransitionTime unless its status changes, and the conditions of
// other types stay. changed reports whether anything differs.
func merge(have, want []api.NamespaceCondition) (out []api.NamespaceCondition, changed bool) {
	out = slices.Clone(have)
	for _, w := range want {
		i := slices.IndexFunc(out, func(c api.NamespaceCondition) bool { return c.Type == w.Type })
		switch {
		case i < 0:
			out = append(out, w)
			changed = true
		case out[i].Status != w.Status:
			out[i] = w
			changed = true
		case out[i].Reason != w.Reason || out[i].Message != w.Message:
			out[i].Reason, out[i].Message = w.Reason, w.Message
			changed = true
		}
	}
	return out, changed
}

// report writes left into ns's conditions when they say something new,
// on the condition that ns has not changed since it was read, and returns
// the namespace as it now is.
func (c *Controller) report(ctx context.Context, ns *api.Namespace, left remaining) (*api.Namespace, error) {
	conds, changed := merge(ns.Status.Conditions, conditions(left, c.loop.Now()))
	if !changed {
		return ns, nil
	}
	next := api.DeepCopy(ns)
	next.Status.Conditions = conds
	return client.For[*api.Namespace](c.client).UpdateStatus(ctx, next, client.WriteOptions{})
}
