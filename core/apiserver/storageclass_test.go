package apiserver

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// TestDefaultStorageClass: Bootstrap makes "standard" the default; a claim
// naming no class gets the newest default class; one naming a class, or
// "", keeps it; with no default class the field stays unset.
func TestDefaultStorageClass(t *testing.T) {
	f := newFixture(t)
	classes := client.For[*api.StorageClass](f.client)
	claims := client.For[*api.PersistentVolumeClaim](f.client)
	std, err := classes.Get(f.ctx, "", DefaultStorageClassName)
	if err != nil {
		t.Fatalf("Bootstrap made no default class: %v", err)
	}
	if !api.IsDefaultClass(std) || api.BindingMode(std) != api.BindingWaitForFirstConsumer || std.Provisioner != api.LocalPathProvisioner {
		t.Errorf("bootstrap class = %+v, want a default WaitForFirstConsumer class of %s", std, api.LocalPathProvisioner)
	}
	claim := func(name string, class *string) *string {
		t.Helper()
		c := &api.PersistentVolumeClaim{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default"}, Spec: api.PersistentVolumeClaimSpec{
			AccessModes: []string{api.ReadWriteOnce}, StorageClassName: class,
			Resources: api.VolumeResourceRequirements{Requests: api.ResourceList{api.ResourceStorage: api.MustParseQuantity("1Gi")}}}}
		out, err := claims.Create(f.ctx, c, client.WriteOptions{})
		if err != nil {
			t.Fatalf("create claim %s: %v", name, err)
		}
		return out.Spec.StorageClassName
	}
	str := func(s string) *string { return &s }
	if diff := cmp.Diff(str("standard"), claim("a", nil)); diff != "" {
		t.Errorf("claim with no class (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(str(""), claim("b", str(""))); diff != "" {
		t.Errorf("claim with class \"\" (-want +got):\n%s", diff)
	}
	f.clock.T = f.clock.T.Add(time.Minute)
	if _, err := classes.Create(f.ctx, &api.StorageClass{ObjectMeta: api.ObjectMeta{Name: "fast",
		Annotations: map[string]string{api.AnnDefaultStorageClass: "true"}}, Provisioner: "example.com/fast"}, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(str("fast"), claim("c", nil)); diff != "" {
		t.Errorf("claim with two defaults (-want +got):\n%s", diff)
	}
	for _, name := range []string{"fast", "standard"} {
		if _, err := classes.Delete(f.ctx, "", name, client.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if got := claim("d", nil); got != nil {
		t.Errorf("claim with no default class got class %q, want none", *got)
	}
}
