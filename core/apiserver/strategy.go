package apiserver

import (
	"maps"
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
	case *api.Job:
		if o.Spec.ManualSelector == nil || !*o.Spec.ManualSelector {
			generateJobSelector(o)
		}
	case *api.Namespace:
		prepareNamespaceForCreate(o)
	}
	return obj, nil
}

// generateJobSelector does what Kubernetes' Job strategy does for a Job
// that does not ask for a manual selector: it labels the pod template with
// the Job's name and uid (both the batch.kubernetes.io/ names and the
// legacy unprefixed ones) and selects by the uid, so that no two Jobs ever
// select each other's pods. A label or selector entry the client set is
// left alone; if it conflicts, validation rejects the Job.
func generateJobSelector(j *api.Job) {
	t := &j.Spec.Template
	if t.Labels == nil {
		t.Labels = map[string]string{}
	}
	for k, v := range map[string]string{
		api.LegacyJobNameLabel: j.Name, api.JobNameLabel: j.Name,
		api.LegacyControllerUIDLabel: j.UID, api.ControllerUIDLabel: j.UID,
	} {
		if _, ok := t.Labels[k]; !ok {
			t.Labels[k] = v
		}
	}
	if j.Spec.Selector == nil {
		j.Spec.Selector = &api.LabelSelector{}
	}
	if j.Spec.Selector.MatchLabels == nil {
		j.Spec.Selector.MatchLabels = map[string]string{}
	}
	if _, ok := j.Spec.Selector.MatchLabels[api.ControllerUIDLabel]; !ok {
		j.Spec.Selector.MatchLabels[api.ControllerUIDLabel] = j.UID
	}
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
		prepareServiceUpdate(&o.Spec, &old.(*api.Service).Spec)
	case *api.Namespace:
		// Only the finalize subresource changes spec.finalizers.
		o.Spec.Finalizers = old.(*api.Namespace).Spec.Finalizers
	case *api.CertificateSigningRequest:
		// A request's spec is what was asked and who asked: fixed at
		// create (see csr.go).
		o.Spec = old.(*api.CertificateSigningRequest).Spec
	case *api.HorizontalPodAutoscalerV1:
		// The rest of the status rides in annotations: kept too.
		setAnnotations(&o.ObjectMeta, old.GetObjectMeta(), hpaV1StatusAnnotations)
	}
	return obj, nil
}

// hpaV1StatusAnnotations are the annotations in which autoscaling/v1
// carries the stored autoscaler's status beyond its own fields.
var hpaV1StatusAnnotations = []string{api.HPACurrentMetricsAnnotation, api.HPAConditionsAnnotation}

// setAnnotations makes meta's annotations of these keys from's: set as
// from has them, absent where from has none.
func setAnnotations(meta, from *api.ObjectMeta, keys []string) {
	for _, k := range keys {
		v, ok := from.Annotations[k]
		switch {
		case ok && meta.Annotations == nil:
			meta.Annotations = map[string]string{k: v}
		case ok:
			meta.Annotations[k] = v
		default:
			delete(meta.Annotations, k)
		}
	}
}

// prepareForStatusUpdate keeps everything of old except its status, which
// comes from obj: a status writer can change nothing else.
func prepareForStatusUpdate(obj, old api.Object) (api.Object, error) {
	rv := obj.GetObjectMeta().ResourceVersion
	written := api.ObjectMeta{Annotations: obj.GetObjectMeta().Annotations}
	setAllButStatus(obj, old)
	obj.GetObjectMeta().ResourceVersion = rv
	if h, ok := obj.(*api.HorizontalPodAutoscalerV1); ok {
		// The annotations carrying status are the status writer's; the
		// metadata is shared with old from here on, so copy it first.
		h.Annotations = maps.Clone(h.Annotations)
		setAnnotations(&h.ObjectMeta, &written, hpaV1StatusAnnotations)
	}
	if csr, ok := obj.(*api.CertificateSigningRequest); ok {
		prepareCSRForStatusUpdate(csr, old.(*api.CertificateSigningRequest))
	}
	if p, ok := obj.(*api.Pod); ok && p.Status.QOSClass == "" {
		// The class is fixed at creation; a status write that leaves it
		// out (most do) keeps it rather than trying to clear it, which
		// validation would refuse.
		p.Status.QOSClass = old.(*api.Pod).Status.QOSClass
	}
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

// prepareServiceUpdate carries over the allocated values an update leaves
// out, and drops those the new type has no use for.
func prepareServiceUpdate(spec, prev *api.ServiceSpec) {
	typ := spec.Type
	if typ == "" {
		typ = api.ServiceClusterIP // not defaulted yet
	}
	if spec.ClusterIP == "" && len(spec.ClusterIPs) > 0 {
		spec.ClusterIP = spec.ClusterIPs[0]
	}
	switch {
	case typ != api.ServiceExternalName && spec.ClusterIP == "":
		// A manifest rarely names the cluster IP the server allocated:
		// leaving it out keeps it, rather than asking to change it.
		spec.ClusterIP, spec.ClusterIPs = prev.ClusterIP, prev.ClusterIPs
	case typ == api.ServiceExternalName && prev.Type != api.ServiceExternalName && spec.ClusterIP == prev.ClusterIP:
		// Becoming ExternalName gives the cluster IP up, as in
		// Kubernetes, without the client having to clear it.
		spec.ClusterIP, spec.ClusterIPs = "", nil
	}
	if !needsNodePorts(typ) && needsNodePorts(prev.Type) {
		// Likewise node ports when the new type has none, unless the
		// client set ones the service did not have (validation refuses
		// those).
		held := map[string]bool{}
		for _, p := range prev.Ports {
			held[nodePortKey(p.NodePort, p.Protocol)] = true
		}
		carried := true
		for _, p := range spec.Ports {
			proto := p.Protocol
			if proto == "" {
				proto = api.ProtocolTCP
			}
			if p.NodePort != 0 && !held[nodePortKey(p.NodePort, proto)] {
				carried = false
			}
		}
		if carried {
			for i := range spec.Ports {
				spec.Ports[i].NodePort = 0
			}
		}
	}
}
