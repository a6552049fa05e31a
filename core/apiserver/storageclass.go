package apiserver

import (
	"context"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/store"
)

// DefaultStorageClassName is the class Bootstrap creates and marks as the
// default: local directories made on the node a claim's first pod goes to.
const DefaultStorageClassName = "standard"

// defaultStorageClass gives a new claim that names no class the default
// one, as Kubernetes' DefaultStorageClass admission plugin does: of several
// classes marked default, the newest (then the first by name). A claim
// that sets storageClassName, even to "", keeps it: "" asks for a volume
// of no class.
func (s *Server) defaultStorageClass(ctx context.Context, obj api.Object) error {
	c, ok := obj.(*api.PersistentVolumeClaim)
	if !ok || c.Spec.StorageClassName != nil {
		return nil
	}
	res := api.ResourceFor("storage.k8s.io/v1", "StorageClass")
	l, err := s.store.List(ctx, prefix(res, ""), store.ListOptions{})
	if err != nil {
		return storeError(err)
	}
	var best *api.StorageClass
	for _, kv := range l.KVs {
		o, err := decodeKV(res, kv)
		if err != nil {
			return errInternal(err)
		}
		sc := o.(*api.StorageClass)
		if !api.IsDefaultClass(sc) {
			continue
		}
		if best == nil || newer(sc.CreationTimestamp, best.CreationTimestamp) {
			best = sc
		}
	}
	if best != nil {
		c.Spec.StorageClassName = &best.Name
	}
	return nil
}

// bootstrapStorageClass creates the default class if no class of its name
// exists yet (an administrator may have changed or replaced it).
func (s *Server) bootstrapStorageClass(ctx context.Context) error {
	wait, del := api.BindingWaitForFirstConsumer, api.ReclaimDelete
	sc := &api.StorageClass{
		ObjectMeta:        api.ObjectMeta{Name: DefaultStorageClassName, Annotations: map[string]string{api.AnnDefaultStorageClass: "true"}},
		Provisioner:       api.LocalPathProvisioner,
		ReclaimPolicy:     &del,
		VolumeBindingMode: &wait,
	}
	res := api.ResourceFor("storage.k8s.io/v1", "StorageClass")
	if _, err := s.create(ctx, target{res: res}, sc, false, writer{manager: "tinykube-apiserver"}); err != nil && !api.IsAlreadyExists(err) {
		return err
	}
	return nil
}

func newer(a, b *api.Time) bool {
	return a != nil && (b == nil || a.After(b.Time))
}
