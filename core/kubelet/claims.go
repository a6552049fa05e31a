package kubelet

import (
	"errors"
	"fmt"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// claimObjects is the kubelet's own ClaimResolver, used when its Config
// names none: informers of claims and volumes, started the first time a
// pod on this node names a claim (a node whose pods use none never lists
// them). A pod whose claim is not bound yet waits with FailedMount; any
// change to a claim or a volume brings this node's pods that use claims
// back to the queue, so the pod starts as soon as the binder (or the
// node's provisioner) has done its part.
type claimObjects struct {
	k       *Kubelet
	claims  *client.Informer[*api.PersistentVolumeClaim]
	volumes *client.Informer[*api.PersistentVolume]
}

// errClaimsLoading: the resolver's informers have not made their first
// list. It is a moment of the kubelet's own start, not something wrong
// with the pod, so the pod waits without an event: the informers' first
// list brings it back to the queue (their handlers see every claim and
// volume as added), and a short retry covers a list that adds nothing.
var errClaimsLoading = errors.New("the node has not listed claims and volumes yet")

// claimsLoadingRetry is how soon a pod that met errClaimsLoading is
// looked at again if no informer event has brought it back.
const claimsLoadingRetry = time.Second

func (o *claimObjects) start() {
	if o.claims != nil {
		return
	}
	queue := func() {
		for _, pod := range o.k.pods.List(api.Everything()) {
			if usesClaims(pod) {
				o.k.queue.Add(client.Key(pod))
			}
		}
	}
	o.claims = client.NewInformer[*api.PersistentVolumeClaim](o.k.cfg.Loop, o.k.cfg.Client, "", client.ListOptions{})
	o.claims.AddHandlers(client.Handlers[*api.PersistentVolumeClaim]{
		Add: func(*api.PersistentVolumeClaim) { queue() }, Update: func(_, _ *api.PersistentVolumeClaim) { queue() }, Delete: func(*api.PersistentVolumeClaim) { queue() }})
	o.volumes = client.NewInformer[*api.PersistentVolume](o.k.cfg.Loop, o.k.cfg.Client, "", client.ListOptions{})
	o.volumes.AddHandlers(client.Handlers[*api.PersistentVolume]{
		Add: func(*api.PersistentVolume) { queue() }, Update: func(_, _ *api.PersistentVolume) { queue() }, Delete: func(*api.PersistentVolume) { queue() }})
	o.claims.Start()
	o.volumes.Start()
}

func (o *claimObjects) stop() {
	if o.claims != nil {
		o.claims.Stop()
		o.volumes.Stop()
	}
}

func usesClaims(pod *api.Pod) bool {
	for _, v := range pod.Spec.Volumes {
		if v.PersistentVolumeClaim != nil {
			return true
		}
	}
	return false
}

// ResolveClaim returns the directory of the volume claim namespace/name is
// bound to, if that volume is a directory of this node.
func (o *claimObjects) ResolveClaim(namespace, name string) (LocalVolume, error) {
	o.start()
	if !o.claims.HasSynced() || !o.volumes.HasSynced() {
		return LocalVolume{}, errClaimsLoading
	}
	pvc, ok := o.claims.Get(namespace, name)
	if !ok {
		return LocalVolume{}, fmt.Errorf("persistentvolumeclaim %q not found", name)
	}
	if pvc.Spec.VolumeName == "" || pvc.Status.Phase != api.ClaimBound {
		return LocalVolume{}, fmt.Errorf("persistentvolumeclaim %q is not bound yet", name)
	}
	pv, ok := o.volumes.Get("", pvc.Spec.VolumeName)
	if !ok {
		return LocalVolume{}, fmt.Errorf("persistentvolume %q of claim %q not found", pvc.Spec.VolumeName, name)
	}
	if ref := pv.Spec.ClaimRef; ref == nil || ref.Name != pvc.Name || ref.Namespace != pvc.Namespace {
		return LocalVolume{}, fmt.Errorf("persistentvolume %q is not bound to claim %q", pv.Name, name)
	}
	node := o.k.node
	if node == nil {
		node = &api.Node{ObjectMeta: api.ObjectMeta{Name: o.k.cfg.NodeName}}
	}
	if !api.VolumeUsableFrom(pv, node) {
		return LocalVolume{}, fmt.Errorf("persistentvolume %q cannot be used from node %s (its node affinity)", pv.Name, o.k.cfg.NodeName)
	}
	switch {
	case pv.Spec.Local != nil:
		return LocalVolume{Path: pv.Spec.Local.Path}, nil
	case pv.Spec.HostPath != nil:
		return LocalVolume{Path: pv.Spec.HostPath.Path}, nil
	}
	return LocalVolume{}, fmt.Errorf("persistentvolume %q is not a directory of a node (local or hostPath)", pv.Name)
}
