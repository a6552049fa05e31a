package volumebinder

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/client/clienttest"
)

func volume(name, size, class string, modes ...string) *api.PersistentVolume {
	return &api.PersistentVolume{ObjectMeta: api.ObjectMeta{Name: name}, Spec: api.PersistentVolumeSpec{
		Capacity:               api.ResourceList{api.ResourceStorage: api.MustParseQuantity(size)},
		AccessModes:            modes,
		StorageClassName:       class,
		PersistentVolumeSource: api.PersistentVolumeSource{HostPath: &api.HostPathVolumeSource{Path: "/data/" + name}},
	}}
}

func claim(name, size, class string, modes ...string) *api.PersistentVolumeClaim {
	return &api.PersistentVolumeClaim{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default"}, Spec: api.PersistentVolumeClaimSpec{
		AccessModes: modes, StorageClassName: &class,
		Resources: api.VolumeResourceRequirements{Requests: api.ResourceList{api.ResourceStorage: api.MustParseQuantity(size)}}}}
}

func TestMatch(t *testing.T) {
	labeled := volume("labeled", "1Gi", "", api.ReadWriteOnce)
	labeled.Labels = map[string]string{"tier": "fast"}
	local := volume("local", "1Gi", "", api.ReadWriteOnce)
	local.Spec.NodeAffinity = &api.VolumeNodeAffinity{Required: &api.NodeSelector{NodeSelectorTerms: []api.NodeSelectorTerm{{
		MatchExpressions: []api.NodeSelectorRequirement{{Key: api.LabelHostname, Operator: "In", Values: []string{"n1"}}}}}}}
	taken := volume("taken", "1Gi", "", api.ReadWriteOnce)
	taken.Spec.ClaimRef = &api.ObjectReference{Namespace: "default", Name: "other", UID: "u-other"}
	reserved := volume("reserved", "5Gi", "", api.ReadWriteOnce)
	reserved.Spec.ClaimRef = &api.ObjectReference{Namespace: "default", Name: "data"}
	n1, n2 := &api.Node{ObjectMeta: api.ObjectMeta{Name: "n1"}}, &api.Node{ObjectMeta: api.ObjectMeta{Name: "n2"}}
	withSelector := claim("data", "1Gi", "", api.ReadWriteOnce)
	withSelector.Spec.Selector = &api.LabelSelector{MatchLabels: map[string]string{"tier": "fast"}}
	tests := []struct {
		name    string
		claim   *api.PersistentVolumeClaim
		volumes []*api.PersistentVolume
		node    *api.Node
		want    string
	}{
		{"smallest that fits", claim("data", "1Gi", "", api.ReadWriteOnce),
			[]*api.PersistentVolume{volume("big", "10Gi", "", api.ReadWriteOnce), volume("small", "2Gi", "", api.ReadWriteOnce), volume("tiny", "500Mi", "", api.ReadWriteOnce)}, nil, "small"},
		{"ties by name", claim("data", "1Gi", "", api.ReadWriteOnce),
			[]*api.PersistentVolume{volume("b", "1Gi", "", api.ReadWriteOnce), volume("a", "1Gi", "", api.ReadWriteOnce)}, nil, "a"},
		{"class must match", claim("data", "1Gi", "fast", api.ReadWriteOnce),
			[]*api.PersistentVolume{volume("slow", "1Gi", "slow", api.ReadWriteOnce), volume("none", "1Gi", "", api.ReadWriteOnce)}, nil, ""},
		{"every access mode", claim("data", "1Gi", "", api.ReadWriteOnce, api.ReadOnlyMany),
			[]*api.PersistentVolume{volume("rwo", "1Gi", "", api.ReadWriteOnce), volume("both", "9Gi", "", api.ReadOnlyMany, api.ReadWriteOnce)}, nil, "both"},
		{"held by another claim", claim("data", "1Gi", "", api.ReadWriteOnce), []*api.PersistentVolume{taken}, nil, ""},
		{"reserved for the claim wins", claim("data", "1Gi", "", api.ReadWriteOnce),
			[]*api.PersistentVolume{volume("a", "1Gi", "", api.ReadWriteOnce), reserved}, nil, "reserved"},
		{"selector", withSelector, []*api.PersistentVolume{volume("plain", "1Gi", "", api.ReadWriteOnce), labeled}, nil, "labeled"},
		{"node affinity admits", claim("data", "1Gi", "", api.ReadWriteOnce), []*api.PersistentVolume{local}, n1, "local"},
		{"node affinity refuses", claim("data", "1Gi", "", api.ReadWriteOnce), []*api.PersistentVolume{local}, n2, ""},
	}
	for _, tt := range tests {
		got := ""
		if pv := Match(tt.claim, tt.volumes, tt.node); pv != nil {
			got = pv.Name
		}
		if got != tt.want {
			t.Errorf("%s: Match = %q, want %q", tt.name, got, tt.want)
		}
	}
}

type env struct {
	*clienttest.Env
	t   *testing.T
	ctx context.Context
}

func newEnv(t *testing.T) *env {
	e := &env{Env: clienttest.New(t, 1, 2), t: t, ctx: context.Background()}
	c := client.New(e.Transport)
	ctrl := New(Config{Loop: e.Loop, Client: c, Recorder: client.NewRecorder(e.Loop, c, "persistentvolume-controller", "")})
	ctrl.Start()
	e.Settle()
	return e
}

func (e *env) create(obj api.Object) {
	e.t.Helper()
	var err error
	switch o := obj.(type) {
	case *api.PersistentVolume:
		_, err = client.For[*api.PersistentVolume](e.Client).Create(e.ctx, o, client.WriteOptions{})
	case *api.PersistentVolumeClaim:
		_, err = client.For[*api.PersistentVolumeClaim](e.Client).Create(e.ctx, o, client.WriteOptions{})
	case *api.Pod:
		_, err = client.For[*api.Pod](e.Client).Create(e.ctx, o, client.WriteOptions{})
	}
	if err != nil {
		e.t.Fatalf("create %s: %v", obj.GetObjectMeta().Name, err)
	}
}

// state is what a test checks: "claim phase volume" and "volume phase
// claim" lines.
func (e *env) state() []string {
	var out []string
	for _, c := range clienttest.List[*api.PersistentVolumeClaim](e.t, e.Client, "default") {
		out = append(out, "pvc/"+c.Name+" "+c.Status.Phase+" "+c.Spec.VolumeName)
	}
	for _, v := range clienttest.List[*api.PersistentVolume](e.t, e.Client, "") {
		ref := ""
		if v.Spec.ClaimRef != nil {
			ref = v.Spec.ClaimRef.Name
		}
		out = append(out, "pv/"+v.Name+" "+v.Status.Phase+" "+ref)
	}
	return out
}

func TestBinderLifecycle(t *testing.T) {
	e := newEnv(t)
	retain := volume("keep", "1Gi", "", api.ReadWriteOnce)
	del := volume("gone", "2Gi", "", api.ReadWriteOnce)
	del.Spec.PersistentVolumeReclaimPolicy = api.ReclaimDelete
	e.create(retain)
	e.create(del)
	e.create(claim("a", "1Gi", "", api.ReadWriteOnce))
	e.create(claim("b", "1Gi", "", api.ReadWriteOnce))
	e.create(claim("c", "1Gi", "", api.ReadWriteOnce))
	e.RunFor(10 * time.Second)
	want := []string{"pvc/a Bound keep", "pvc/b Bound gone", "pvc/c Pending ", "pv/gone Bound b", "pv/keep Bound a"}
	if diff := cmp.Diff(want, e.state()); diff != "" {
		t.Fatalf("after binding (-want +got):\n%s", diff)
	}
	// A pod uses a; deleting a waits for the pod.
	e.create(&api.Pod{ObjectMeta: api.ObjectMeta{Name: "user", Namespace: "default"}, Spec: api.PodSpec{
		Containers: []api.Container{{Name: "c", Image: "busybox"}},
		Volumes:    []api.Volume{{Name: "d", VolumeSource: api.VolumeSource{PersistentVolumeClaim: &api.PersistentVolumeClaimVolumeSource{ClaimName: "a"}}}}}})
	claims := client.For[*api.PersistentVolumeClaim](e.Client)
	for _, n := range []string{"a", "b"} {
		if _, err := claims.Delete(e.ctx, "default", n, client.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	e.RunFor(10 * time.Second)
	want = []string{"pvc/a Bound keep", "pvc/c Pending ", "pv/gone Failed b", "pv/keep Bound a"}
	if diff := cmp.Diff(want, e.state()); diff != "" {
		t.Errorf("with a in use (-want +got):\n%s", diff)
	}
	if _, err := client.For[*api.Pod](e.Client).Delete(e.ctx, "default", "user", client.DeleteOptions{GracePeriodSeconds: new(int64)}); err != nil {
		t.Fatal(err)
	}
	e.RunFor(10 * time.Second)
	want = []string{"pvc/c Pending ", "pv/gone Failed b", "pv/keep Released a"}
	if diff := cmp.Diff(want, e.state()); diff != "" {
		t.Errorf("after the pod went (-want +got):\n%s", diff)
	}
}

// TestHalfBindingRepaired: a crash between the two writes leaves a volume
// naming a claim that names nothing; the binder finishes the binding.
func TestHalfBindingRepaired(t *testing.T) {
	e := newEnv(t)
	c := claim("a", "1Gi", "", api.ReadWriteOnce)
	out, err := client.For[*api.PersistentVolumeClaim](e.Client).Create(e.ctx, c, client.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pv := volume("half", "5Gi", "", api.ReadWriteOnce)
	pv.Spec.ClaimRef = &api.ObjectReference{Namespace: "default", Name: "a", UID: out.UID}
	e.create(volume("better", "1Gi", "", api.ReadWriteOnce))
	e.create(pv)
	e.RunFor(10 * time.Second)
	want := []string{"pvc/a Bound half", "pv/better Available ", "pv/half Bound a"}
	if diff := cmp.Diff(want, e.state()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
