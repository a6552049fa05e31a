package controller_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/client/clienttest"
	"github.com/tinykube/tinykube/core/controller"
)

// TestClaim runs Claimer.Claim for a ReplicaSet "web" (selector app=web)
// on one candidate pod per case and checks what it keeps, what it wrote
// and what it reports.
func TestClaim(t *testing.T) {
	yes := true
	other := api.OwnerReference{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "elsewhere", UID: "other-uid", Controller: &yes}
	extra := api.OwnerReference{APIVersion: "v1", Kind: "ConfigMap", Name: "cm", UID: "cm-uid"} // an owner, not a controller
	for _, tt := range []struct {
		name string
		// The owner: not created in the API (gone), or being deleted.
		ownerGone, ownerDeleting bool
		selector                 string
		// The candidate: its labels, and who controls it ("web", "other",
		// "" for nobody), plus any other owner references.
		labels     map[string]string
		controller string
		refs       []api.OwnerReference
		// How the candidate relates to the API: not there, changed since
		// the cache saw it, or being deleted (in the cache's copy only).
		notInAPI, stale, deleting bool

		wantOwned  bool
		wantRefs   []string // owner names on the pod in the API afterwards
		wantErr    string
		notTouched bool // the API's copy must be unchanged
	}{
		{name: "ours and matching: kept", controller: "web", labels: map[string]string{"app": "web"},
			wantOwned: true, wantRefs: []string{"web"}, notTouched: true},
		{name: "ours, no longer matching: released", controller: "web", labels: map[string]string{"app": "debug"},
			wantRefs: nil},
		{name: "release keeps other owners", controller: "web", refs: []api.OwnerReference{extra}, labels: map[string]string{"app": "debug"},
			wantRefs: []string{"cm"}},
		{name: "released pod already gone: no error", controller: "web", labels: map[string]string{"app": "debug"}, notInAPI: true},
		{name: "release of a stale pod: Conflict", controller: "web", labels: map[string]string{"app": "debug"}, stale: true,
			wantRefs: []string{"web"}, wantErr: "replicaset default/web: releasing pod p: "},
		{name: "another controller's: left alone", controller: "other", labels: map[string]string{"app": "web"},
			wantRefs: []string{"elsewhere"}, notTouched: true},
		{name: "orphan, matching: adopted", labels: map[string]string{"app": "web"},
			wantOwned: true, wantRefs: []string{"web"}},
		{name: "adoption keeps other owners", refs: []api.OwnerReference{extra}, labels: map[string]string{"app": "web"},
			wantOwned: true, wantRefs: []string{"cm", "web"}},
		{name: "orphan, not matching: left alone", labels: map[string]string{"app": "db"},
			notTouched: true},
		{name: "orphan being deleted: left alone", labels: map[string]string{"app": "web"}, deleting: true,
			notTouched: true},
		{name: "empty selector adopts nothing", selector: "-", labels: map[string]string{"app": "web"},
			notTouched: true},
		{name: "owner gone: adopts nothing", ownerGone: true, labels: map[string]string{"app": "web"},
			notTouched: true},
		{name: "owner being deleted: adopts nothing", ownerDeleting: true, labels: map[string]string{"app": "web"},
			notTouched: true},
		{name: "orphan gone before adoption: skipped", labels: map[string]string{"app": "web"}, notInAPI: true},
		{name: "adoption of a stale pod: Conflict", labels: map[string]string{"app": "web"}, stale: true,
			wantErr: "replicaset default/web: adopting pod p: "},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := clienttest.New(t, 1, 2)
			ctx := context.Background()
			rs := &api.ReplicaSet{
				ObjectMeta: api.ObjectMeta{Namespace: "default", Name: "web", UID: "web-uid"},
				Spec: api.ReplicaSetSpec{
					Selector: &api.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
					Template: api.PodTemplateSpec{
						ObjectMeta: api.ObjectMeta{Labels: map[string]string{"app": "web"}},
						Spec:       api.PodSpec{Containers: []api.Container{{Name: "c", Image: "nginx:1"}}},
					},
				},
			}
			if !tt.ownerGone {
				if tt.ownerDeleting {
					rs.Finalizers = []string{"example.com/hold"}
				}
				out, err := client.For[*api.ReplicaSet](e.Client).Create(ctx, rs, client.WriteOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if tt.ownerDeleting {
					if _, err := client.For[*api.ReplicaSet](e.Client).Delete(ctx, "default", "web", client.DeleteOptions{}); err != nil {
						t.Fatal(err)
					}
				}
				rs = out
			}
			ours := api.OwnerReference{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "web", UID: rs.UID, Controller: &yes, BlockOwnerDeletion: &yes}

			pod := &api.Pod{
				ObjectMeta: api.ObjectMeta{Namespace: "default", Name: "p", Labels: tt.labels, OwnerReferences: append([]api.OwnerReference{}, tt.refs...)},
				Spec:       api.PodSpec{Containers: []api.Container{{Name: "c", Image: "nginx:1"}}},
			}
			switch tt.controller {
			case "web":
				pod.OwnerReferences = append(pod.OwnerReferences, ours)
			case "other":
				pod.OwnerReferences = append(pod.OwnerReferences, other)
			}
			pods := client.For[*api.Pod](e.Client)
			cached := pod
			if !tt.notInAPI {
				var err error
				if cached, err = pods.Create(ctx, pod, client.WriteOptions{}); err != nil {
					t.Fatal(err)
				}
			}
			before := cached
			if tt.stale {
				// Someone writes the pod after the cache saw it.
				p := api.DeepCopy(cached)
				p.Annotations = map[string]string{"touched": "yes"}
				var err error
				if before, err = pods.Update(ctx, p, client.WriteOptions{}); err != nil {
					t.Fatal(err)
				}
			}
			if tt.deleting {
				cached = api.DeepCopy(cached)
				cached.DeletionTimestamp = api.NewTime(clienttest.Start)
			}

			sel := api.SelectorFromSet(map[string]string{"app": "web"})
			if tt.selector == "-" {
				sel = api.Everything()
			}
			owned, err := controller.Claimer[*api.ReplicaSet, *api.Pod]{
				Client: e.Client, Owner: rs, Ref: ours, Selector: sel, Noun: "pod",
			}.Claim([]*api.Pod{cached})

			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Claim = %v, want no error", err)
			case tt.wantErr != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) || !api.IsConflict(err)):
				t.Fatalf("Claim = %v, want a Conflict starting %q", err, tt.wantErr)
			}
			if got := len(owned) == 1; got != tt.wantOwned {
				t.Errorf("Claim kept %d pods, want kept = %v", len(owned), tt.wantOwned)
			}
			if tt.wantOwned && len(owned) == 1 && !owned[0].IsControlledBy(rs.UID) {
				t.Errorf("kept pod's controller is %+v, want %s", owned[0].ControllerRef(), rs.UID)
			}
			if tt.notInAPI {
				return
			}
			after, err := pods.Get(ctx, "default", "p")
			if err != nil {
				t.Fatal(err)
			}
			if tt.notTouched && after.ResourceVersion != before.ResourceVersion {
				t.Errorf("pod written (resourceVersion %s -> %s), want it left alone", before.ResourceVersion, after.ResourceVersion)
			}
			if !tt.notTouched {
				var names []string
				for _, r := range after.OwnerReferences {
					names = append(names, r.Name)
				}
				if diff := cmp.Diff(tt.wantRefs, names); diff != "" {
					t.Errorf("owner references afterwards (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestResolveControllerRef(t *testing.T) {
	e := clienttest.New(t, 1, 2)
	rs, err := client.For[*api.ReplicaSet](e.Client).Create(context.Background(), &api.ReplicaSet{
		ObjectMeta: api.ObjectMeta{Namespace: "default", Name: "web"},
		Spec: api.ReplicaSetSpec{
			Selector: &api.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
			Template: api.PodTemplateSpec{
				ObjectMeta: api.ObjectMeta{Labels: map[string]string{"app": "web"}},
				Spec:       api.PodSpec{Containers: []api.Container{{Name: "c", Image: "nginx:1"}}},
			},
		},
	}, client.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cache := client.NewInformer[*api.ReplicaSet](e.Loop, e.Client, "", client.ListOptions{})
	cache.Start()
	e.Settle()
	yes := true
	ref := func(apiVersion, kind, name, uid string) *api.OwnerReference {
		return &api.OwnerReference{APIVersion: apiVersion, Kind: kind, Name: name, UID: uid, Controller: &yes}
	}
	for _, tt := range []struct {
		why  string
		ns   string
		ref  *api.OwnerReference
		want bool
	}{
		{"the owner", "default", ref("apps/v1", "ReplicaSet", "web", rs.UID), true},
		{"no controller", "default", nil, false},
		{"another kind", "default", ref("apps/v1", "Deployment", "web", rs.UID), false},
		{"another group", "default", ref("extensions/v1beta1", "ReplicaSet", "web", rs.UID), false},
		{"a group that only starts alike", "default", ref("apps.example.com/v1", "ReplicaSet", "web", rs.UID), false},
		{"another uid: re-created under the same name", "default", ref("apps/v1", "ReplicaSet", "web", "old-uid"), false},
		{"a name not in the cache", "default", ref("apps/v1", "ReplicaSet", "db", rs.UID), false},
		{"another namespace", "other", ref("apps/v1", "ReplicaSet", "web", rs.UID), false},
	} {
		got := controller.ResolveControllerRef(cache, tt.ns, tt.ref, "apps", "ReplicaSet")
		if (got != nil) != tt.want || got != nil && got.UID != rs.UID {
			t.Errorf("ResolveControllerRef(%s) = %v, want found = %v", tt.why, got, tt.want)
		}
	}
}
