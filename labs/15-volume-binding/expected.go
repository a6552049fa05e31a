package volumelab

import (
	"fmt"
	"slices"

	"github.com/tinykube/tinykube/core/api"
)

// The checker's own answer, written rule by rule so that a failure can
// say which rule an answer broke.

// misfit returns why pv cannot serve c from node, or "" when it can (who
// holds pv aside). node nil: the claim is Immediate, any node will do.
func misfit(c *api.PersistentVolumeClaim, pv *api.PersistentVolume, node *api.Node) string {
	if pv.Spec.StorageClassName != api.ClaimClass(c) {
		return fmt.Sprintf("its class is %q, the claim's %q", pv.Spec.StorageClassName, api.ClaimClass(c))
	}
	for _, m := range c.Spec.AccessModes {
		if !slices.Contains(pv.Spec.AccessModes, m) {
			return fmt.Sprintf("it does not offer %s, which the claim asks for", m)
		}
	}
	if volumeMode(pv.Spec.VolumeMode) != volumeMode(c.Spec.VolumeMode) {
		return fmt.Sprintf("its volume mode is %s, the claim's %s", volumeMode(pv.Spec.VolumeMode), volumeMode(c.Spec.VolumeMode))
	}
	want := c.Spec.Resources.Requests[api.ResourceStorage]
	have := pv.Spec.Capacity[api.ResourceStorage]
	if have.Cmp(want) < 0 {
		return fmt.Sprintf("it holds %s, less than the %s the claim asks for (compare quantities with Cmp, not their text)", have.String(), want.String())
	}
	if c.Spec.Selector != nil {
		sel, err := api.SelectorFromLabelSelector(c.Spec.Selector)
		if err != nil || !sel.Matches(pv.Labels) {
			return fmt.Sprintf("its labels %s do not satisfy the claim's selector %s", describeLabels(pv.Labels), describeSelector(c.Spec.Selector))
		}
	}
	if node != nil {
		if a := pv.Spec.NodeAffinity; a != nil && a.Required != nil {
			labels := map[string]string{api.LabelHostname: node.Name}
			for k, v := range node.Labels {
				labels[k] = v
			}
			if !api.MatchesNodeSelectorTerms(a.Required.NodeSelectorTerms, labels) {
				return fmt.Sprintf("its node affinity does not admit the selected node %s", node.Name)
			}
		}
	}
	return ""
}

// reservedFor reports whether pv's claimRef names c: its namespace and
// name, and its uid or none (a user's pre-binding written before the
// claim existed).
func reservedFor(c *api.PersistentVolumeClaim, pv *api.PersistentVolume) bool {
	r := pv.Spec.ClaimRef
	return r != nil && r.Namespace == c.Namespace && r.Name == c.Name && (r.UID == "" || r.UID == c.UID)
}

// unavailable returns why pv is not free for c, or "" when it is free
// or reserved for c.
func unavailable(c *api.PersistentVolumeClaim, pv *api.PersistentVolume) string {
	if r := pv.Spec.ClaimRef; r != nil && !reservedFor(c, pv) {
		if r.Namespace == c.Namespace && r.Name == c.Name {
			return fmt.Sprintf("its claimRef names an earlier claim %s/%s with uid %s, not this one (uid %s)", r.Namespace, r.Name, r.UID, c.UID)
		}
		return fmt.Sprintf("its claimRef reserves it for claim %s/%s", r.Namespace, r.Name)
	}
	if pv.Spec.ClaimRef != nil {
		return ""
	}
	switch {
	case pv.DeletionTimestamp != nil:
		return "it is being deleted"
	case pv.Status.Phase == api.VolumeReleased || pv.Status.Phase == api.VolumeFailed:
		return fmt.Sprintf("it is %s: its data belongs to a claim that is gone", pv.Status.Phase)
	}
	return ""
}

// capacity is pv's storage.
func capacity(pv *api.PersistentVolume) api.Quantity { return pv.Spec.Capacity[api.ResourceStorage] }

// before orders candidates: smaller first, then by name.
func before(a, b *api.PersistentVolume) bool {
	if d := capacity(a).Cmp(capacity(b)); d != 0 {
		return d < 0
	}
	return a.Name < b.Name
}

// expected is the answer Match must give: a volume reserved for c that
// fits it; else the smallest free volume that fits, the first by name
// among equals; else nil.
func expected(c *api.PersistentVolumeClaim, volumes []*api.PersistentVolume, node *api.Node) *api.PersistentVolume {
	var fits []*api.PersistentVolume
	for _, pv := range volumes {
		if misfit(c, pv, node) != "" || unavailable(c, pv) != "" {
			continue
		}
		if reservedFor(c, pv) {
			return pv
		}
		fits = append(fits, pv)
	}
	if len(fits) == 0 {
		return nil
	}
	return slices.MinFunc(fits, func(a, b *api.PersistentVolume) int {
		if before(a, b) {
			return -1
		}
		if before(b, a) {
			return 1
		}
		return 0
	})
}
