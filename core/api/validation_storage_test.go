package api

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func validLocalVolume() *PersistentVolume {
	return &PersistentVolume{ObjectMeta: ObjectMeta{Name: "pv-1"}, Spec: PersistentVolumeSpec{
		Capacity:               ResourceList{ResourceStorage: MustParseQuantity("1Gi")},
		AccessModes:            []string{ReadWriteOnce},
		PersistentVolumeSource: PersistentVolumeSource{Local: &LocalVolumeSource{Path: "/var/lib/tk/pv-1"}},
		NodeAffinity: &VolumeNodeAffinity{Required: &NodeSelector{NodeSelectorTerms: []NodeSelectorTerm{{
			MatchExpressions: []NodeSelectorRequirement{{Key: "kubernetes.io/hostname", Operator: "In", Values: []string{"n1"}}}}}}},
	}}
}

func TestValidatePersistentVolume(t *testing.T) {
	checkCases(t, validLocalVolume, cases[*PersistentVolume]{
		{"valid", func(pv *PersistentVolume) {}, nil},
		{"valid after Default", func(pv *PersistentVolume) { Default(pv) }, nil},
		{"hostPath", func(pv *PersistentVolume) {
			pv.Spec.Local, pv.Spec.NodeAffinity = nil, nil
			pv.Spec.HostPath = &HostPathVolumeSource{Path: "/data"}
		}, nil},
		{"no access modes", func(pv *PersistentVolume) { pv.Spec.AccessModes = nil },
			[]string{"spec.accessModes: Required value: must specify at least 1 access mode"}},
		{"bad access mode", func(pv *PersistentVolume) { pv.Spec.AccessModes = []string{"Sometimes"} },
			[]string{`spec.accessModes: Unsupported value: "Sometimes": supported values: "ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"`}},
		{"no capacity", func(pv *PersistentVolume) { pv.Spec.Capacity = nil },
			[]string{"spec.capacity: Required value: must specify a storage capacity"}},
		{"no source", func(pv *PersistentVolume) { pv.Spec.Local = nil },
			[]string{"spec: Required value: must specify a volume type (hostPath or local)"}},
		{"two sources", func(pv *PersistentVolume) { pv.Spec.HostPath = &HostPathVolumeSource{Path: "/x"} },
			[]string{"spec.local: Forbidden: may not specify more than 1 volume type"}},
		{"relative path", func(pv *PersistentVolume) { pv.Spec.Local.Path = "data/../x" },
			[]string{`spec.local.path: Invalid value: "data/../x": must be an absolute path`}},
		{"dotdot", func(pv *PersistentVolume) { pv.Spec.Local.Path = "/data/../etc" },
			[]string{`spec.local.path: Invalid value: "/data/../etc": must not contain '..'`}},
		{"local without affinity", func(pv *PersistentVolume) { pv.Spec.NodeAffinity = nil },
			[]string{"spec.nodeAffinity: Required value: Local volume requires node affinity"}},
		{"reclaim", func(pv *PersistentVolume) { pv.Spec.PersistentVolumeReclaimPolicy = "Recycle" },
			[]string{`spec.persistentVolumeReclaimPolicy: Unsupported value: "Recycle": supported values: "Retain", "Delete"`}},
		{"claimRef without namespace", func(pv *PersistentVolume) { pv.Spec.ClaimRef = &ObjectReference{Name: "data"} },
			[]string{"spec.claimRef.namespace: Required value"}},
		{"namespaced", func(pv *PersistentVolume) { pv.Namespace = "default" },
			[]string{"metadata.namespace: Forbidden: not allowed on this type"}},
	})
}

func TestValidateStorageClass(t *testing.T) {
	valid := func() *StorageClass {
		return &StorageClass{ObjectMeta: ObjectMeta{Name: "standard"}, Provisioner: "tinykube.io/local-path"}
	}
	checkCases(t, valid, cases[*StorageClass]{
		{"valid", func(sc *StorageClass) {}, nil},
		{"valid after Default", func(sc *StorageClass) { Default(sc) }, nil},
		{"no provisioner", func(sc *StorageClass) { sc.Provisioner = "" }, []string{"provisioner: Required value"}},
		{"binding mode", func(sc *StorageClass) { sc.VolumeBindingMode = ptrTo("Later") },
			[]string{`volumeBindingMode: Unsupported value: "Later": supported values: "Immediate", "WaitForFirstConsumer"`}},
		{"reclaim", func(sc *StorageClass) { sc.ReclaimPolicy = ptrTo("Recycle") },
			[]string{`reclaimPolicy: Unsupported value: "Recycle": supported values: "Retain", "Delete"`}},
	})
}

func TestClaimVolumeNameSetOnce(t *testing.T) {
	old := &PersistentVolumeClaim{ObjectMeta: ObjectMeta{Name: "data", Namespace: "default"}, Spec: validClaimSpec()}
	Default(old)
	bind := DeepCopy(old)
	bind.Spec.VolumeName = "pv-1"
	if errs := ValidateUpdate(bind, old); errs != nil {
		t.Errorf("setting volumeName on an unbound claim: %v, want no error", errs)
	}
	rebind := DeepCopy(bind)
	rebind.Spec.VolumeName = "pv-2"
	if diff := cmp.Diff([]string{"spec: Forbidden: spec is immutable after creation except resources.requests"}, errStrings(ValidateUpdate(rebind, bind))); diff != "" {
		t.Errorf("changing volumeName (-want +got):\n%s", diff)
	}
}
