package replicaset

import (
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/controller"
)

// claim sorts the namespace's active pods into the ones rs controls,
// adopting matching orphans and releasing its pods that no longer match,
// as controller.Claimer's table says.
func (c *Controller) claim(rs *api.ReplicaSet, sel api.Selector, pods []*api.Pod) ([]*api.Pod, error) {
	return controller.Claimer[*api.ReplicaSet, *api.Pod]{
		Client: c.client, Owner: rs, Ref: controllerRef(rs), Selector: sel, Noun: "pod",
	}.Claim(pods)
}
