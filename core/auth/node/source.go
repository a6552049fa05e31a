package node

import (
	"context"

	"github.com/tinykube/tinykube/core/api"
)

// Source is the part of the cluster the graph rules read. Reads must be
// current: a kubelet asks for a pod's Secret moments after the pod was
// bound to it, and an answer from a lagging cache would refuse it.
type Source interface {
	// PodsOnNode returns the pods of namespace whose spec.nodeName is
	// node (none is not an error).
	PodsOnNode(ctx context.Context, namespace, node string) ([]*api.Pod, error)
	// Volume returns the PersistentVolume name, or nil when there is
	// none.
	Volume(ctx context.Context, name string) (*api.PersistentVolume, error)
}
