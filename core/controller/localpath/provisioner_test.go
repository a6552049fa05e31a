package localpath_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/client/clienttest"
	"github.com/tinykube/tinykube/core/controller/localpath"
	"github.com/tinykube/tinykube/core/controller/volumebinder"
)

// disk is a Storage in memory: the set of directories.
type disk map[string]bool

func (d disk) Create(name string) (string, error) {
	d["/disk/"+name] = true
	return "/disk/" + name, nil
}
func (d disk) Delete(path string) error { delete(d, path); return nil }

// TestProvisionOnSelectedNode: a claim of the bootstrap class waits for a
// node; once selected, only that node's provisioner makes its volume, the
// binder binds it, and deleting the claim (reclaim Delete) removes the
// directory and the volume.
func TestProvisionOnSelectedNode(t *testing.T) {
	e := clienttest.New(t, 1, 2)
	ctx := context.Background()
	disks := map[string]disk{"n1": {}, "n2": {}}
	for _, n := range []string{"n1", "n2"} {
		localpath.Start(localpath.Config{Loop: e.Loop, Client: client.New(e.Transport), NodeName: n, Storage: disks[n]})
	}
	c := client.New(e.Transport)
	volumebinder.New(volumebinder.Config{Loop: e.Loop, Client: c, Recorder: client.NewRecorder(e.Loop, c, "pv-controller", "")}).Start()
	claims := client.For[*api.PersistentVolumeClaim](e.Client)
	pvc, err := claims.Create(ctx, &api.PersistentVolumeClaim{ObjectMeta: api.ObjectMeta{Name: "data", Namespace: "default"}, Spec: api.PersistentVolumeClaimSpec{
		AccessModes: []string{api.ReadWriteOnce},
		Resources:   api.VolumeResourceRequirements{Requests: api.ResourceList{api.ResourceStorage: api.MustParseQuantity("1Gi")}}}}, client.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	e.RunFor(10 * time.Second)
	if got := clienttest.List[*api.PersistentVolume](t, e.Client, ""); len(got) != 0 {
		t.Fatalf("volumes before a node was selected: %d, want 0", len(got))
	}
	pvc, _ = claims.Get(ctx, "default", "data")
	pvc.Annotations = map[string]string{api.AnnSelectedNode: "n2"}
	if _, err := claims.Update(ctx, pvc, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.RunFor(10 * time.Second)
	pvc, _ = claims.Get(ctx, "default", "data")
	name := localpath.VolumeName(pvc.UID)
	if pvc.Status.Phase != api.ClaimBound || pvc.Spec.VolumeName != name {
		t.Fatalf("claim = %s bound to %q, want Bound to %q", pvc.Status.Phase, pvc.Spec.VolumeName, name)
	}
	if diff := cmp.Diff(map[string]disk{"n1": {}, "n2": {"/disk/" + name: true}}, disks); diff != "" {
		t.Errorf("disks (-want +got):\n%s", diff)
	}
	pv, err := client.For[*api.PersistentVolume](e.Client).Get(ctx, "", name)
	if err != nil || pv.Spec.Local == nil || pv.Spec.Local.Path != "/disk/"+name || pv.Spec.PersistentVolumeReclaimPolicy != api.ReclaimDelete {
		t.Fatalf("volume %s = %+v, %v; want a local Delete volume at /disk/%s", name, pv, err, name)
	}
	if !api.VolumeUsableFrom(pv, &api.Node{ObjectMeta: api.ObjectMeta{Name: "n2"}}) || api.VolumeUsableFrom(pv, &api.Node{ObjectMeta: api.ObjectMeta{Name: "n1"}}) {
		t.Errorf("volume node affinity %+v, want n2 only", pv.Spec.NodeAffinity)
	}
	if _, err := claims.Delete(ctx, "default", "data", client.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.RunFor(10 * time.Second)
	if got := clienttest.List[*api.PersistentVolume](t, e.Client, ""); len(got) != 0 {
		t.Errorf("volumes after the claim went: %d, want 0", len(got))
	}
	if diff := cmp.Diff(map[string]disk{"n1": {}, "n2": {}}, disks); diff != "" {
		t.Errorf("disks after delete (-want +got):\n%s", diff)
	}
}
