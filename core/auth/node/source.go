package node

import (
	"context"

	"github.com/tinykube/tinykube/core/api"
)

// Source is the part of the cluster the graph rules read. An index may
// answer first, but a refusal must come from current reads: a kubelet
// asks for a pod's Secret moments after the pod was bound to it, and an
// answer from a lagging cache alone would refuse it.
type Source interface {
	// PodsOnNode returns what each pod of namespace whose spec.nodeName
	// is node names (References), in order of pod name; none is not an
	// error. It may come from an index that trails the store a little.
	PodsOnNode(ctx context.Context, namespace, node string) ([]PodRefs, error)
	// PodsOnNodeNow is PodsOnNode read at the store's current revision.
	// It is asked only when what PodsOnNode returned allows nothing.
	PodsOnNodeNow(ctx context.Context, namespace, node string) ([]PodRefs, error)
	// Volume returns the PersistentVolume name, or nil when there is
	// none.
	Volume(ctx context.Context, name string) (*api.PersistentVolume, error)
}

// PodRefs is one pod's name and what it names.
type PodRefs struct {
	Pod string
	Refs
}
