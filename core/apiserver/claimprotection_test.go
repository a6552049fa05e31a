package apiserver

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// TestClaimProtectionAtCreate: every new claim carries the pvc-protection
// finalizer from its first write (once, whatever the request had), so a
// claim deleted before any controller has seen it is only marked for
// deletion; other kinds get no finalizer.
func TestClaimProtectionAtCreate(t *testing.T) {
	f := newFixture(t)
	claims := client.For[*api.PersistentVolumeClaim](f.client)
	claim := func(name string, finalizers ...string) *api.PersistentVolumeClaim {
		return &api.PersistentVolumeClaim{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default", Finalizers: finalizers},
			Spec: api.PersistentVolumeClaimSpec{AccessModes: []string{api.ReadWriteOnce},
				Resources: api.VolumeResourceRequirements{Requests: api.ResourceList{api.ResourceStorage: api.MustParseQuantity("1Gi")}}}}
	}
	for i, tc := range []struct {
		name   string
		in     []string
		dryRun bool
		want   []string
	}{
		{"plain", nil, false, []string{api.ClaimProtectionFinalizer}},
		{"already protected", []string{api.ClaimProtectionFinalizer}, false, []string{api.ClaimProtectionFinalizer}},
		{"other finalizer kept", []string{"example.com/backup"}, false, []string{"example.com/backup", api.ClaimProtectionFinalizer}},
		{"dry run", nil, true, []string{api.ClaimProtectionFinalizer}},
	} {
		name := fmt.Sprintf("claim-%d", i)
		out, err := claims.Create(f.ctx, claim(name, tc.in...), client.WriteOptions{DryRun: tc.dryRun})
		if err != nil {
			t.Fatalf("%s: create claim: %v", tc.name, err)
		}
		if diff := cmp.Diff(tc.want, out.Finalizers); diff != "" {
			t.Errorf("%s: finalizers (-want +got):\n%s", tc.name, diff)
		}
		if !tc.dryRun {
			if _, err := claims.Delete(f.ctx, "default", name, client.DeleteOptions{}); err != nil {
				t.Fatalf("%s: delete: %v", tc.name, err)
			}
			left, err := claims.Get(f.ctx, "default", name)
			if err != nil {
				t.Fatalf("%s: a protected claim went at once on delete: %v", tc.name, err)
			}
			if left.DeletionTimestamp == nil {
				t.Errorf("%s: deleted claim has no deletionTimestamp", tc.name)
			}
		}
	}
	cm, err := client.For[*api.ConfigMap](f.client).Create(f.ctx, &api.ConfigMap{ObjectMeta: api.ObjectMeta{Name: "cm", Namespace: "default"}}, client.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cm.Finalizers) != 0 {
		t.Errorf("ConfigMap finalizers = %v, want none", cm.Finalizers)
	}
}
