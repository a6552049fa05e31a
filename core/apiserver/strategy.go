package apiserver

import (
	"time"

	"github.com/tinykube/tinykube/core/api"
)

// The strategy hooks decide, per kind, which parts of an object a client
// may set on each verb. They are the reason a controller writing status
// cannot clobber a user's spec edit, and a user cannot forge a uid.

// prepareForCreate resets what a client may not choose when creating obj
// and stamps what the server decides. It returns the object to store.
func prepareForCreate(res *api.Resource, obj api.Object, uid string, now time.Time) (api.Object, error) {
	if res.HasStatus && res.Kind != "Node" {
		// Status is observed, not requested: it starts empty. A kubelet
		// registering a Node is the exception, reporting capacity at once.
		clearStatus(obj)
	}
	meta := obj.GetObjectMeta()
	meta.UID = uid
	meta.ResourceVersion = ""
	meta.Generation = 1
	meta.CreationTimestamp = api.NewTime(now)
	meta.DeletionTimestamp = nil
	meta.DeletionGracePeriodSeconds = nil
	switch o := obj.(type) {
	case *api.Pod:
		o.Status = api.PodStatus{Phase: api.PodPending}
	case *api.Secret:
		mergeStringData(o)
	}
	return obj, nil
}

// prepareForUpdate carries over from old what an update of the object
// itself may not change: identity, deletion state and (for kinds with a
// status subresource) the status.
func prepareForUpdate(res *api.Resource, obj, old api.Object) (api.Object, error) {
	if res.HasStatus {
		setStatus(obj, old)
	}
	keepServerMeta(obj.GetObjectMeta(), old.GetObjectMeta())
	switch o := obj.(type) {
	case *api.Secret:
		mergeStringData(o)
	case *api.Service:
		// A manifest rarely names the cluster IP the server allocated:
		// leaving it out keeps it, rather than asking to change it.
		prev := old.(*api.Service)
		if o.Spec.ClusterIP == "" {
			o.Spec.ClusterIP, o.Spec.ClusterIPs = prev.Spec.ClusterIP, prev.Spec.ClusterIPs
		}
	}
	return obj, nil
}

// prepareForStatusUpdate keeps everything of old except its status, which
// comes from obj: a status writer can change nothing else.
func prepareForStatusUpdate(obj, old api.Object) (api.Object, error) {
	rv := obj.GetObjectMeta().ResourceVersion
	setAllButStatus(obj, old)
	obj.GetObjectMeta().ResourceVersion = rv
	return obj, nil
}

// keepServerMeta copies the server-owned metadata from old to meta.
func keepServerMeta(meta, old *api.ObjectMeta) {
	meta.UID = old.UID
	meta.CreationTimestamp = old.CreationTimestamp
	meta.DeletionTimestamp = old.DeletionTimestamp
	meta.DeletionGracePeriodSeconds = old.DeletionGracePeriodSeconds
	meta.Generation = old.Generation
	meta.GenerateName = old.GenerateName
}

// mergeStringData folds a Secret's write-only stringData into data.
func mergeStringData(s *api.Secret) {
	if len(s.StringData) == 0 {
		s.StringData = nil
		return
	}
	if s.Data == nil {
		s.Data = map[string][]byte{}
	}
	for k, v := range s.StringData {
		s.Data[k] = []byte(v)
	}
	s.StringData = nil
}
