package volumebinder

import (
	"slices"

	"github.com/tinykube/tinykube/core/api"
)

// Match returns the volume claim c should bind to, or nil: of the volumes
// no claim holds, not being deleted, of c's class, offering every access
// mode c asks for, of c's volume mode, with labels c's selector accepts,
// usable from node (when node is not nil) and at least as big as c asks,
// the smallest — so large volumes stay free for large claims — then the
// first by name. Volumes reserved for c (claimRef naming it) win over all
// others. Match reads only its arguments.
func Match(c *api.PersistentVolumeClaim, volumes []*api.PersistentVolume, node *api.Node) *api.PersistentVolume {
	var best *api.PersistentVolume
	for _, pv := range volumes {
		if ref := pv.Spec.ClaimRef; ref != nil {
			if ref.Namespace == c.Namespace && ref.Name == c.Name && (ref.UID == "" || ref.UID == c.UID) && Fits(c, pv, node) {
				return pv
			}
			continue
		}
		if pv.DeletionTimestamp != nil || pv.Status.Phase == api.VolumeReleased || pv.Status.Phase == api.VolumeFailed || !Fits(c, pv, node) {
			continue
		}
		if best == nil || smaller(pv, best) {
			best = pv
		}
	}
	return best
}

// Fits reports whether pv can serve claim c (ignoring who holds pv).
func Fits(c *api.PersistentVolumeClaim, pv *api.PersistentVolume, node *api.Node) bool {
	if pv.Spec.StorageClassName != api.ClaimClass(c) {
		return false
	}
	for _, m := range c.Spec.AccessModes {
		if !slices.Contains(pv.Spec.AccessModes, m) {
			return false
		}
	}
	if volumeMode(c.Spec.VolumeMode) != volumeMode(pv.Spec.VolumeMode) {
		return false
	}
	want := c.Spec.Resources.Requests[api.ResourceStorage]
	have, ok := pv.Spec.Capacity[api.ResourceStorage]
	if !ok || have.Cmp(want) < 0 {
		return false
	}
	if c.Spec.Selector != nil {
		sel, err := api.SelectorFromLabelSelector(c.Spec.Selector)
		if err != nil || !sel.Matches(pv.Labels) {
			return false
		}
	}
	if node != nil && !api.VolumeUsableFrom(pv, node) {
		return false
	}
	return true
}

func volumeMode(m *string) string {
	if m == nil {
		return api.VolumeFilesystem
	}
	return *m
}

func smaller(a, b *api.PersistentVolume) bool {
	qa, qb := a.Spec.Capacity[api.ResourceStorage], b.Spec.Capacity[api.ResourceStorage]
	if c := qa.Cmp(qb); c != 0 {
		return c < 0
	}
	return a.Name < b.Name
}
