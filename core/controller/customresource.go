package controller

import "github.com/tinykube/tinykube/core/api"

// CustomResourceOf returns the resource through which a controller reaches
// the objects a CustomResourceDefinition defines: its storage version when
// that version is served, else the version clients prefer. Every served
// version reaches the same stored objects (tinykube converts with the None
// strategy: only apiVersion changes), so a controller that deletes or
// lists them needs only one. It returns nil when the definition serves
// nothing: its names were never accepted, or no version is served.
func CustomResourceOf(crd *api.CustomResourceDefinition) *api.Resource {
	served := api.ResourcesFromCRD(crd)
	if len(served) == 0 {
		return nil
	}
	for _, r := range served {
		if r.Version == crd.StorageVersion() {
			return r
		}
	}
	best := served[0]
	for _, r := range served[1:] {
		if api.VersionPriority(r.Version) > api.VersionPriority(best.Version) {
			best = r
		}
	}
	return best
}
