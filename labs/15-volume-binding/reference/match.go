package reference

import (
	"slices"

	"github.com/tinykube/tinykube/core/api"
)

// Check is one rule a volume must pass to fit a claim.
type Check struct {
	Name string
	OK   func(c *api.PersistentVolumeClaim, pv *api.PersistentVolume, node *api.Node) bool
}

// Rules are the parts of Match a mutant may change.
type Rules struct {
	// Checks are the rules of fitting, all of which must hold.
	Checks []Check
	// Reserved reports whether pv's claimRef names c.
	Reserved func(c *api.PersistentVolumeClaim, pv *api.PersistentVolume) bool
	// Free reports whether pv, reserved for no one, may be taken.
	Free func(pv *api.PersistentVolume) bool
	// Better reports whether a is a better choice than b, both fitting.
	Better func(a, b *api.PersistentVolume) bool
	// ReservedMustFit: a reservation is taken only if it fits.
	ReservedMustFit bool
}

// Default are the rules of the contract.
var Default = Rules{
	Checks: []Check{
		{"class", func(c *api.PersistentVolumeClaim, pv *api.PersistentVolume, _ *api.Node) bool {
			return pv.Spec.StorageClassName == api.ClaimClass(c)
		}},
		{"accessModes", func(c *api.PersistentVolumeClaim, pv *api.PersistentVolume, _ *api.Node) bool {
			for _, m := range c.Spec.AccessModes {
				if !slices.Contains(pv.Spec.AccessModes, m) {
					return false
				}
			}
			return true
		}},
		{"volumeMode", func(c *api.PersistentVolumeClaim, pv *api.PersistentVolume, _ *api.Node) bool {
			return Mode(c.Spec.VolumeMode) == Mode(pv.Spec.VolumeMode)
		}},
		{"capacity", func(c *api.PersistentVolumeClaim, pv *api.PersistentVolume, _ *api.Node) bool {
			have, ok := pv.Spec.Capacity[api.ResourceStorage]
			return ok && have.Cmp(c.Spec.Resources.Requests[api.ResourceStorage]) >= 0
		}},
		{"selector", func(c *api.PersistentVolumeClaim, pv *api.PersistentVolume, _ *api.Node) bool {
			if c.Spec.Selector == nil {
				return true
			}
			sel, err := api.SelectorFromLabelSelector(c.Spec.Selector)
			return err == nil && sel.Matches(pv.Labels)
		}},
		{"nodeAffinity", func(_ *api.PersistentVolumeClaim, pv *api.PersistentVolume, node *api.Node) bool {
			a := pv.Spec.NodeAffinity
			if node == nil || a == nil || a.Required == nil {
				return true
			}
			labels := map[string]string{api.LabelHostname: node.Name}
			for k, v := range node.Labels {
				labels[k] = v
			}
			return api.MatchesNodeSelectorTerms(a.Required.NodeSelectorTerms, labels)
		}},
	},
	Reserved: func(c *api.PersistentVolumeClaim, pv *api.PersistentVolume) bool {
		r := pv.Spec.ClaimRef
		return r != nil && r.Namespace == c.Namespace && r.Name == c.Name && (r.UID == "" || r.UID == c.UID)
	},
	Free: func(pv *api.PersistentVolume) bool {
		return pv.Spec.ClaimRef == nil && pv.DeletionTimestamp == nil &&
			pv.Status.Phase != api.VolumeReleased && pv.Status.Phase != api.VolumeFailed
	},
	Better: func(a, b *api.PersistentVolume) bool {
		if d := Capacity(a).Cmp(Capacity(b)); d != 0 {
			return d < 0
		}
		return a.Name < b.Name
	},
	ReservedMustFit: true,
}

// Match is the contract's Match.
func Match(c *api.PersistentVolumeClaim, volumes []*api.PersistentVolume, node *api.Node) *api.PersistentVolume {
	return MatchWith(c, volumes, node, Default)
}

// MatchWith is Match by rules r.
func MatchWith(c *api.PersistentVolumeClaim, volumes []*api.PersistentVolume, node *api.Node, r Rules) *api.PersistentVolume {
	var best *api.PersistentVolume
	for _, pv := range volumes {
		if r.Reserved(c, pv) {
			if !r.ReservedMustFit || Fits(c, pv, node, r) {
				return pv
			}
			continue
		}
		if !r.Free(pv) || !Fits(c, pv, node, r) {
			continue
		}
		if best == nil || r.Better(pv, best) {
			best = pv
		}
	}
	return best
}

// Fits reports whether pv passes every check of r.
func Fits(c *api.PersistentVolumeClaim, pv *api.PersistentVolume, node *api.Node, r Rules) bool {
	for _, ck := range r.Checks {
		if !ck.OK(c, pv, node) {
			return false
		}
	}
	return true
}

// Mode is a volume mode, Filesystem when unset.
func Mode(m *string) string {
	if m == nil {
		return api.VolumeFilesystem
	}
	return *m
}

// Capacity is pv's storage.
func Capacity(pv *api.PersistentVolume) api.Quantity { return pv.Spec.Capacity[api.ResourceStorage] }
