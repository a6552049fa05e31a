package statefulset

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/client/clienttest"
)

func policy(whenDeleted, whenScaled string) func(*api.StatefulSet) {
	return func(s *api.StatefulSet) {
		s.Spec.PodManagementPolicy = api.ParallelPodManagement
		s.Spec.PersistentVolumeClaimRetentionPolicy = &api.StatefulSetPersistentVolumeClaimRetentionPolicy{WhenDeleted: whenDeleted, WhenScaled: whenScaled}
	}
}

// owners describes every claim's owners: "data-web-0:StatefulSet/web" or
// "data-web-2:Pod/web-2"; a reference whose uid is not the live object's
// is marked "(stale)".
func (e *env) owners() []string {
	e.t.Helper()
	uids := map[string]string{}
	for _, p := range clienttest.List[*api.Pod](e.t, e.api, "default") {
		uids["Pod/"+p.Name] = p.UID
	}
	for _, s := range clienttest.List[*api.StatefulSet](e.t, e.api, "default") {
		uids["StatefulSet/"+s.Name] = s.UID
	}
	var out []string
	for _, c := range clienttest.List[*api.PersistentVolumeClaim](e.t, e.api, "default") {
		s := c.Name + ":"
		for k, r := range c.OwnerReferences {
			if k > 0 {
				s += ","
			}
			s += r.Kind + "/" + r.Name
			if uids[r.Kind+"/"+r.Name] != r.UID {
				s += "(stale)"
			}
			if r.Controller == nil || !*r.Controller || r.BlockOwnerDeletion == nil || !*r.BlockOwnerDeletion {
				s += "(not controller)"
			}
		}
		out = append(out, s)
	}
	return out
}

// Each combination of the policy puts the owners of Kubernetes' table on
// the claims of live and of condemned ordinals; the condemned pod's
// reference is in place before the pod is deleted.
func TestRetentionPolicyOwners(t *testing.T) {
	for _, tc := range []struct {
		whenDeleted, whenScaled string
		created, scaled         []string
	}{
		{api.RetainClaimRetention, api.RetainClaimRetention,
			[]string{"data-web-0:", "data-web-1:", "data-web-2:"},
			[]string{"data-web-0:", "data-web-1:", "data-web-2:"}},
		{api.DeleteClaimRetention, api.RetainClaimRetention,
			[]string{"data-web-0:StatefulSet/web", "data-web-1:StatefulSet/web", "data-web-2:StatefulSet/web"},
			[]string{"data-web-0:StatefulSet/web", "data-web-1:StatefulSet/web", "data-web-2:StatefulSet/web"}},
		{api.RetainClaimRetention, api.DeleteClaimRetention,
			[]string{"data-web-0:", "data-web-1:", "data-web-2:"},
			[]string{"data-web-0:", "data-web-1:Pod/web-1", "data-web-2:Pod/web-2"}},
		{api.DeleteClaimRetention, api.DeleteClaimRetention,
			[]string{"data-web-0:StatefulSet/web", "data-web-1:StatefulSet/web", "data-web-2:StatefulSet/web"},
			[]string{"data-web-0:StatefulSet/web", "data-web-1:Pod/web-1", "data-web-2:Pod/web-2"}},
	} {
		t.Run(tc.whenDeleted+"/"+tc.whenScaled, func(t *testing.T) {
			e := newEnv(t)
			e.createSet("web", 3, policy(tc.whenDeleted, tc.whenScaled))
			if diff := cmp.Diff(tc.created, e.owners()); diff != "" {
				t.Errorf("created: claim owners (-want +got):\n%s", diff)
			}
			e.update("web", func(s *api.StatefulSet) { s.Spec.Replicas = ptr[int32](1) })
			wantState(t, e, "scaled to 1", "web-0", "web-1~", "web-2~")
			if diff := cmp.Diff(tc.scaled, e.owners()); diff != "" {
				t.Errorf("scaled to 1: claim owners (-want +got):\n%s", diff)
			}
		})
	}
}

// The policy can change on a running set: the claims follow it.
func TestRetentionPolicyChangeUpdatesClaims(t *testing.T) {
	e := newEnv(t)
	e.createSet("web", 2, policy(api.RetainClaimRetention, api.RetainClaimRetention))
	e.update("web", func(s *api.StatefulSet) {
		s.Spec.PersistentVolumeClaimRetentionPolicy.WhenDeleted = api.DeleteClaimRetention
	})
	if diff := cmp.Diff([]string{"data-web-0:StatefulSet/web", "data-web-1:StatefulSet/web"}, e.owners()); diff != "" {
		t.Errorf("whenDeleted set to Delete: claim owners (-want +got):\n%s", diff)
	}
	e.update("web", func(s *api.StatefulSet) {
		s.Spec.PersistentVolumeClaimRetentionPolicy.WhenDeleted = api.RetainClaimRetention
	})
	if diff := cmp.Diff([]string{"data-web-0:", "data-web-1:"}, e.owners()); diff != "" {
		t.Errorf("back to Retain: claim owners (-want +got):\n%s", diff)
	}
}

// Under whenScaled=Delete a claim that still names an earlier pod of its
// ordinal is about to be deleted by the garbage collector: the ordinal
// waits for it to go and then starts on a new claim.
func TestStaleClaimHoldsItsOrdinal(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tr := true
	old := &api.PersistentVolumeClaim{
		ObjectMeta: api.ObjectMeta{Name: "data-web-1", Namespace: "default",
			OwnerReferences: []api.OwnerReference{{APIVersion: "v1", Kind: "Pod", Name: "web-1", UID: "gone", Controller: &tr, BlockOwnerDeletion: &tr}}},
		Spec: api.PersistentVolumeClaimSpec{AccessModes: []string{api.ReadWriteOnce},
			Resources: api.VolumeResourceRequirements{Requests: api.ResourceList{"storage": api.MustParseQuantity("1Gi")}}},
	}
	if _, err := client.For[*api.PersistentVolumeClaim](e.api).Create(ctx, old, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.createSet("web", 2, policy(api.RetainClaimRetention, api.DeleteClaimRetention))
	e.runFor(5e9)
	wantState(t, e, "claim data-web-1 names a gone pod", "web-0")
	if diff := cmp.Diff([]string{"data-web-0:", "data-web-1:Pod/web-1(stale)"}, e.owners()); diff != "" {
		t.Errorf("stale claim: claim owners (-want +got):\n%s", diff)
	}
	// The test plays the garbage collector.
	zero := int64(0)
	if _, err := client.For[*api.PersistentVolumeClaim](e.api).Delete(ctx, "default", "data-web-1", client.DeleteOptions{GracePeriodSeconds: &zero}); err != nil {
		t.Fatal(err)
	}
	gone(t, e, "data-web-1")
	e.runFor(2e9)
	wantState(t, e, "stale claim gone", "web-0", "web-1")
	if diff := cmp.Diff([]string{"data-web-0:", "data-web-1:"}, e.owners()); diff != "" {
		t.Errorf("after the stale claim went: claim owners (-want +got):\n%s", diff)
	}
}

// gone removes the claim's finalizers (there is no binder here) so that a
// deleted claim goes.
func gone(t *testing.T, e *env, name string) {
	t.Helper()
	c, err := client.For[*api.PersistentVolumeClaim](e.api).Get(context.Background(), "default", name)
	if api.IsNotFound(err) {
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	c.Finalizers = nil
	if _, err := client.For[*api.PersistentVolumeClaim](e.api).Update(context.Background(), c, client.WriteOptions{}); err != nil && !api.IsNotFound(err) {
		t.Fatal(err)
	}
	e.Settle()
}

// wantOwners on its own: references to other objects are kept, another
// controller turns the policy off for that claim, a stale reference
// leaves the claim as it is.
func TestWantOwners(t *testing.T) {
	tr := true
	set := &api.StatefulSet{ObjectMeta: api.ObjectMeta{Name: "web", UID: "set-uid"}, Spec: api.StatefulSetSpec{Replicas: ptr[int32](1),
		PersistentVolumeClaimRetentionPolicy: &api.StatefulSetPersistentVolumeClaimRetentionPolicy{WhenDeleted: api.DeleteClaimRetention, WhenScaled: api.DeleteClaimRetention}}}
	setRef := controllerRef("apps/v1", "StatefulSet", "web", "set-uid")
	other := api.OwnerReference{APIVersion: "v1", Kind: "ConfigMap", Name: "x", UID: "x-uid"}
	otherCtl := api.OwnerReference{APIVersion: "example.com/v1", Kind: "Backup", Name: "b", UID: "b-uid", Controller: &tr}
	for _, tc := range []struct {
		name    string
		ordinal int
		podUID  string
		have    []api.OwnerReference
		want    []api.OwnerReference
	}{
		{"live ordinal", 0, "p0", nil, []api.OwnerReference{setRef}},
		{"condemned ordinal", 1, "p1", []api.OwnerReference{setRef}, []api.OwnerReference{controllerRef("v1", "Pod", "web-1", "p1")}},
		{"other owner kept", 0, "p0", []api.OwnerReference{other}, []api.OwnerReference{other, setRef}},
		{"other controller wins", 0, "p0", []api.OwnerReference{setRef, otherCtl}, []api.OwnerReference{otherCtl}},
		{"stale set reference", 0, "p0", []api.OwnerReference{controllerRef("apps/v1", "StatefulSet", "web", "old")},
			[]api.OwnerReference{controllerRef("apps/v1", "StatefulSet", "web", "old")}},
		{"non-controller reference repaired", 0, "p0", []api.OwnerReference{{APIVersion: "apps/v1", Kind: "StatefulSet", Name: "web", UID: "set-uid"}},
			[]api.OwnerReference{setRef}},
	} {
		claim := &api.PersistentVolumeClaim{ObjectMeta: api.ObjectMeta{Name: fmt.Sprintf("data-web-%d", tc.ordinal), OwnerReferences: tc.have}}
		if diff := cmp.Diff(tc.want, wantOwners(claim, set, tc.ordinal, tc.podUID)); diff != "" {
			t.Errorf("%s: wantOwners (-want +got):\n%s", tc.name, diff)
		}
	}
}
