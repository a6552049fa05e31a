package scheduler

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// TestVolumeFilter: a pod whose claim is bound to n2's local volume goes
// to n2; a pod with an unbound Immediate claim waits with Kubernetes'
// reason; a pod with a WaitForFirstConsumer claim is placed and its claim
// told the node.
func TestVolumeFilter(t *testing.T) {
	c := newCluster(t, Config{})
	ctx := context.Background()
	for _, n := range []string{"n1", "n2", "n3"} {
		c.addNode(newNode(n, "4", "8Gi"))
	}
	str := func(s string) *string { return &s }
	claim := func(name, class, volume string) {
		pvc := &api.PersistentVolumeClaim{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default"}, Spec: api.PersistentVolumeClaimSpec{
			AccessModes: []string{api.ReadWriteOnce}, StorageClassName: str(class), VolumeName: volume,
			Resources: api.VolumeResourceRequirements{Requests: api.ResourceList{api.ResourceStorage: api.MustParseQuantity("1Gi")}}}}
		if _, err := client.For[*api.PersistentVolumeClaim](c.api).Create(ctx, pvc, client.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	pv := &api.PersistentVolume{ObjectMeta: api.ObjectMeta{Name: "local-n2"}, Spec: api.PersistentVolumeSpec{
		Capacity: api.ResourceList{api.ResourceStorage: api.MustParseQuantity("1Gi")}, AccessModes: []string{api.ReadWriteOnce},
		PersistentVolumeSource: api.PersistentVolumeSource{Local: &api.LocalVolumeSource{Path: "/d"}},
		NodeAffinity: &api.VolumeNodeAffinity{Required: &api.NodeSelector{NodeSelectorTerms: []api.NodeSelectorTerm{{
			MatchExpressions: []api.NodeSelectorRequirement{{Key: api.LabelHostname, Operator: "In", Values: []string{"n2"}}}}}}}}}
	if _, err := client.For[*api.PersistentVolume](c.api).Create(ctx, pv, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.For[*api.StorageClass](c.api).Create(ctx, &api.StorageClass{ObjectMeta: api.ObjectMeta{Name: "now"}, Provisioner: "example.com/x"}, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	claim("bound", "", "local-n2")
	claim("immediate", "now", "")
	claim("later", "standard", "")
	withClaim := func(claim string) podOpt {
		return func(p *api.Pod) {
			p.Spec.Volumes = []api.Volume{{Name: "d", VolumeSource: api.VolumeSource{PersistentVolumeClaim: &api.PersistentVolumeClaimVolumeSource{ClaimName: claim}}}}
		}
	}
	c.addPod(newPod("on-bound", withClaim("bound")))
	c.addPod(newPod("on-immediate", withClaim("immediate")))
	c.addPod(newPod("on-later", withClaim("later")))
	c.addPod(newPod("on-missing", withClaim("missing")))
	c.sched.Start()
	c.v.RunFor(10 * time.Second)
	got := c.bindings()
	if got["on-bound"] != "n2" || got["on-immediate"] != "" || got["on-later"] == "" || got["on-missing"] != "" {
		t.Fatalf("bindings = %v, want on-bound on n2, on-later somewhere, the others pending", got)
	}
	later, _ := client.For[*api.PersistentVolumeClaim](c.api).Get(ctx, "default", "later")
	if sel := later.Annotations[api.AnnSelectedNode]; sel != got["on-later"] {
		t.Errorf("claim later selected-node = %q, want %q (where its pod went)", sel, got["on-later"])
	}
	msgs := map[string]string{}
	for _, name := range []string{"on-immediate", "on-missing"} {
		if cond := c.pod(name).Status.FindCondition(api.PodScheduled); cond != nil {
			msgs[name] = cond.Message
		}
	}
	want := map[string]string{
		"on-immediate": "0/3 nodes are available: 3 pod has unbound immediate PersistentVolumeClaims.",
		"on-missing":   `0/3 nodes are available: 3 persistentvolumeclaim "missing" not found.`,
	}
	if diff := cmp.Diff(want, msgs); diff != "" {
		t.Errorf("PodScheduled messages (-want +got):\n%s", diff)
	}
}
