package mutants

import (
	"slices"

	"github.com/tinykube/tinykube/core/api"
	volumelab "github.com/tinykube/tinykube/labs/15-volume-binding"
	"github.com/tinykube/tinykube/labs/15-volume-binding/reference"
)

// Mutant is one broken answer.
type Mutant struct {
	Name  string
	Match volumelab.MatchFunc
}

// with is the reference with the rules changed by f.
func with(f func(r *reference.Rules)) volumelab.MatchFunc {
	r := reference.Default
	r.Checks = slices.Clone(r.Checks)
	f(&r)
	return func(c *api.PersistentVolumeClaim, volumes []*api.PersistentVolume, node *api.Node) *api.PersistentVolume {
		return reference.MatchWith(c, volumes, node, r)
	}
}

// without is the reference without the check called name.
func without(name string) volumelab.MatchFunc {
	return with(func(r *reference.Rules) {
		r.Checks = slices.DeleteFunc(r.Checks, func(c reference.Check) bool { return c.Name == name })
	})
}

// replacing is the reference with the check called name replaced by ok.
func replacing(name string, ok func(c *api.PersistentVolumeClaim, pv *api.PersistentVolume, node *api.Node) bool) volumelab.MatchFunc {
	return with(func(r *reference.Rules) {
		for i, c := range r.Checks {
			if c.Name == name {
				r.Checks[i].OK = ok
			}
		}
	})
}

// All are the mutants the checker must kill.
var All = []Mutant{
	{"largest-first", with(func(r *reference.Rules) {
		r.Better = func(a, b *api.PersistentVolume) bool { return reference.Capacity(a).Cmp(reference.Capacity(b)) > 0 }
	})},
	{"first-in-list", with(func(r *reference.Rules) {
		// the first volume that fits, as the informer lists them
		r.Better = func(a, b *api.PersistentVolume) bool { return false }
	})},
	{"ignores-class", without("class")},
	{"ignores-access-modes", without("accessModes")},
	{"ignores-volume-mode", without("volumeMode")},
	{"ignores-selector", without("selector")},
	{"ignores-node-affinity", without("nodeAffinity")},
	{"compares-sizes-as-text", replacing("capacity", func(c *api.PersistentVolumeClaim, pv *api.PersistentVolume, _ *api.Node) bool {
		// "5Gi" >= "10Gi" as strings: a smaller volume is accepted
		have := pv.Spec.Capacity[api.ResourceStorage]
		want := c.Spec.Resources.Requests[api.ResourceStorage]
		return have.String() >= want.String()
	})},
	{"refuses-exact-size", replacing("capacity", func(c *api.PersistentVolumeClaim, pv *api.PersistentVolume, _ *api.Node) bool {
		have := pv.Spec.Capacity[api.ResourceStorage]
		return have.Cmp(c.Spec.Resources.Requests[api.ResourceStorage]) > 0
	})},
	{"ignores-pre-binding", with(func(r *reference.Rules) {
		// a volume with a claimRef is never free, even the claim's own
		r.Reserved = func(*api.PersistentVolumeClaim, *api.PersistentVolume) bool { return false }
	})},
	{"takes-reserved-volumes", with(func(r *reference.Rules) {
		// judges a volume by its phase alone: a volume pre-bound to
		// another claim is Available too
		r.Free = func(pv *api.PersistentVolume) bool {
			return pv.DeletionTimestamp == nil && pv.Status.Phase != api.VolumeReleased && pv.Status.Phase != api.VolumeFailed
		}
	})},
	{"ignores-claim-uid", with(func(r *reference.Rules) {
		// a claimRef naming an earlier claim of the same name is taken
		// as this claim's
		r.Reserved = func(c *api.PersistentVolumeClaim, pv *api.PersistentVolume) bool {
			ref := pv.Spec.ClaimRef
			return ref != nil && ref.Namespace == c.Namespace && ref.Name == c.Name
		}
	})},
	{"reservation-skips-fit", with(func(r *reference.Rules) { r.ReservedMustFit = false })},
}
