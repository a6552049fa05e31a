package printers

import (
	"testing"

	"github.com/tinykube/tinykube/core/api"
)

func TestName(t *testing.T) {
	for _, tc := range []struct {
		obj  api.Object
		want string
	}{
		{&api.Pod{ObjectMeta: api.ObjectMeta{Name: "web-1"}}, "pod/web-1"},
		{&api.Deployment{ObjectMeta: api.ObjectMeta{Name: "web"}}, "deployment.apps/web"},
		{&api.Lease{ObjectMeta: api.ObjectMeta{Name: "kube-scheduler"}}, "lease.coordination.k8s.io/kube-scheduler"},
		{&api.Endpoints{ObjectMeta: api.ObjectMeta{Name: "web"}}, "endpoints/web"},
		{statefulSets()[0], "statefulset.apps/db"},
		{replicationControllers()[0], "replicationcontroller/db"},
		{&api.Job{ObjectMeta: api.ObjectMeta{Name: "pi"}}, "job.batch/pi"},
		{&replicationController{TypeMeta: api.TypeMeta{APIVersion: "v1", Kind: "PersistentVolume"}, ObjectMeta: api.ObjectMeta{Name: "pv-1"}}, "persistentvolume/pv-1"},
	} {
		if got := Name(tc.obj); got != tc.want {
			t.Errorf("Name(%T %s) = %q, want %q", tc.obj, tc.obj.GetObjectMeta().Name, got, tc.want)
		}
	}
}
