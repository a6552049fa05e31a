package kubelet

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/client/clienttest"
)

// newClaimWorld is a kubelet with its own claim resolver (no Claims in its
// Config) and, when bound, claim "data" bound to a hostPath volume.
func newClaimWorld(t *testing.T, bound bool) *configWorld {
	t.Helper()
	e := clienttest.New(t, 1, 1)
	ctx := context.Background()
	if bound {
		pv := &api.PersistentVolume{ObjectMeta: api.ObjectMeta{Name: "pv-1"}, Spec: api.PersistentVolumeSpec{
			Capacity: api.ResourceList{api.ResourceStorage: api.MustParseQuantity("1Gi")}, AccessModes: []string{api.ReadWriteOnce},
			PersistentVolumeSource: api.PersistentVolumeSource{HostPath: &api.HostPathVolumeSource{Path: "/srv/pv-1"}},
			ClaimRef:               &api.ObjectReference{Kind: "PersistentVolumeClaim", Namespace: "default", Name: "data"}}}
		if _, err := client.For[*api.PersistentVolume](e.Client).Create(ctx, pv, client.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		empty := ""
		pvc := &api.PersistentVolumeClaim{ObjectMeta: api.ObjectMeta{Name: "data", Namespace: "default"}, Spec: api.PersistentVolumeClaimSpec{
			AccessModes: []string{api.ReadWriteOnce}, VolumeName: "pv-1", StorageClassName: &empty,
			Resources: api.VolumeResourceRequirements{Requests: api.ResourceList{api.ResourceStorage: api.MustParseQuantity("1Gi")}}}}
		out, err := client.For[*api.PersistentVolumeClaim](e.Client).Create(ctx, pvc, client.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		out.Status.Phase = api.ClaimBound
		if _, err := client.For[*api.PersistentVolumeClaim](e.Client).UpdateStatus(ctx, out, client.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	rt := &volRuntime{fakeRuntime: fakeRuntime{now: e.Loop.Now}, configs: map[string]ContainerConfig{}, volumes: map[string][]PodVolume{}}
	k := New(Config{Loop: e.Loop, Client: e.Client, Recorder: client.NewRecorder(e.Loop, e.Client, "kubelet", "n1"),
		Runtime: rt, Prober: alwaysOK{}, NodeName: "n1", Address: "192.168.0.7",
		Capacity: api.ResourceList{api.ResourceCPU: api.MustParseQuantity("4"), api.ResourceMemory: api.MustParseQuantity("8Gi"), api.ResourcePods: api.MustParseQuantity("10")}})
	k.Start()
	return &configWorld{t: t, v: e.Loop, c: e.Client, rt: rt}
}

// The kubelet's own resolver starts its informers when a pod first names a
// claim. That moment is not the pod's fault: the pod waits for the first
// list without a FailedMount event and starts as soon as its claim is
// found. A claim that does not exist still gets its event.
func TestClaimResolverWaitsQuietlyForItsFirstList(t *testing.T) {
	for _, tc := range []struct {
		name    string
		bound   bool
		running bool
		event   string // the FailedMount message wanted, "" for none
	}{
		{name: "bound claim", bound: true, running: true},
		{name: "missing claim", bound: false, event: `MountVolume.SetUp failed for volume "data" : persistentvolumeclaim "data" not found`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newClaimWorld(t, tc.bound)
			w.create(webPod(func(p *api.Pod) {
				p.Spec.Volumes = []api.Volume{{Name: "data", VolumeSource: api.VolumeSource{PersistentVolumeClaim: &api.PersistentVolumeClaimVolumeSource{ClaimName: "data"}}}}
			}))
			w.v.RunFor(3 * time.Second)
			var mounts []string
			for _, ev := range w.events() {
				if strings.Contains(ev, "FailedMount") {
					mounts = append(mounts, ev)
				}
			}
			for _, ev := range mounts {
				if strings.Contains(ev, errClaimsLoading.Error()) {
					t.Errorf("event %q: the resolver's own start is not the pod's problem", ev)
				}
			}
			if tc.event != "" && !slices.Contains(mounts, "Warning FailedMount: "+tc.event) {
				t.Errorf("FailedMount events = %q, want %q", mounts, tc.event)
			}
			if tc.event == "" && len(mounts) != 0 {
				t.Errorf("FailedMount events = %q, want none", mounts)
			}
			p := w.pod()
			if running := p.Status.ContainerStatuses[0].State.Running != nil; running != tc.running {
				t.Errorf("container state = %+v, want running %v", p.Status.ContainerStatuses[0].State, tc.running)
			}
			if tc.running {
				if got := w.rt.volumes[p.UID]; len(got) != 1 || got[0].Local == nil || got[0].Local.Path != "/srv/pv-1" {
					t.Errorf("volumes = %+v, want data at /srv/pv-1", got)
				}
			}
		})
	}
}
