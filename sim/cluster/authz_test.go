package cluster

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/auth"
	"github.com/tinykube/tinykube/core/auth/authorizer"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/rest"
	"github.com/tinykube/tinykube/sim/scenario"
)

func smallCluster(t *testing.T, yaml string) *Cluster {
	t.Helper()
	s, err := scenario.Parse([]byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(s, 1)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Every kind of process is the user the identity table says.
func TestIdentities(t *testing.T) {
	c := smallCluster(t, "name: x\nduration: 1s\ncluster: {nodes: 2, controlPlaneReplicas: 2}\n")
	tests := []struct {
		process string
		want    *rest.UserInfo
	}{
		{"scheduler-1", auth.ComponentUser(auth.KubeScheduler)},
		{"scheduler-2", auth.ComponentUser(auth.KubeScheduler)},
		{"controller-manager-2", auth.ComponentUser(auth.KubeControllerManager)},
		{"kubelet/node-1", auth.NodeUser("node-1")},
		{"proxy/node-2", auth.NodeUser("node-2")},
		{"admin", auth.AdminUser()},
		{"kubelet/node-9", auth.AnonymousUser()}, // no such node
		{"scheduler", auth.AnonymousUser()},      // the replicas are numbered here
		{"somebody", auth.AnonymousUser()},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, c.userOf(tt.process)); diff != "" {
			t.Errorf("userOf(%q) (-want +got):\n%s", tt.process, diff)
		}
	}
}

func resourceAttrs(u *rest.UserInfo, verb, group, resource, ns, name string) authorizer.Attributes {
	return authorizer.Attributes{User: u, Verb: verb, ResourceRequest: true, APIGroup: group, APIVersion: "v1", Resource: resource, Namespace: ns, Name: name}
}

// The authorization invariants judge decisions as the servers report
// them: a component refused anything is a violation that names it, the
// request and what is missing; a decision the model disagrees with is one
// too; a kubelet's node-authorizer decisions are left to the node
// authorizer's tests.
func TestAuthzChecks(t *testing.T) {
	c := smallCluster(t, "name: x\nduration: 1s\ncluster: {nodes: 1}\n")
	ctx := context.Background()
	role := &api.Role{ObjectMeta: api.ObjectMeta{Namespace: "default", Name: "pod-reader"},
		Rules: []api.PolicyRule{{Verbs: []string{"get", "list"}, APIGroups: []string{""}, Resources: []string{"pods"}}}}
	if _, err := client.For[*api.Role](c.Admin).Create(ctx, role, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	binding := &api.RoleBinding{ObjectMeta: api.ObjectMeta{Namespace: "default", Name: "alice-reads"},
		Subjects: []api.Subject{{Kind: api.SubjectUser, APIGroup: api.RBACGroup, Name: "alice"}},
		RoleRef:  api.RoleRef{APIGroup: api.RBACGroup, Kind: "Role", Name: "pod-reader"}}
	if _, err := client.For[*api.RoleBinding](c.Admin).Create(ctx, binding, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	// A pod bound to node-1 that names the ConfigMap "cfg".
	pod := &api.Pod{ObjectMeta: api.ObjectMeta{Namespace: "default", Name: "uses-cfg"}, Spec: api.PodSpec{NodeName: "node-1",
		Containers: []api.Container{{Name: "c", Image: "busybox"}},
		Volumes:    []api.Volume{{Name: "v", VolumeSource: api.VolumeSource{ConfigMap: &api.ConfigMapVolumeSource{Name: "cfg"}}}}}}
	if _, err := client.For[*api.Pod](c.Admin).Create(ctx, pod, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	alice := &rest.UserInfo{Name: "alice", Groups: []string{auth.AllAuthenticated}}
	cm := auth.ComponentUser(auth.KubeControllerManager)
	tests := []struct {
		name   string
		server string
		a      authorizer.Attributes
		d      authorizer.Decision
		reason string
		want   string // the violation, "" for none
	}{
		{"granted and allowed", "apiserver", resourceAttrs(alice, "list", "", "pods", "default", ""), authorizer.Allow, "RBAC: allowed", ""},
		{"not granted and refused", "apiserver", resourceAttrs(alice, "delete", "", "pods", "default", "web"), authorizer.NoOpinion, "", ""},
		{"allowed against the model", "apiserver", resourceAttrs(alice, "delete", "", "pods", "default", "web"), authorizer.Allow, "RBAC: allowed by X",
			`authz-agrees-with-model: apiserver answered Allow: RBAC: allowed by X to alice (groups [system:authenticated]), who asked "delete pods" on "web" in namespace "default", but the RBAC objects in the store allow it not: no binding grants it to the user or its groups`},
		{"refused against the model", adminServer, resourceAttrs(alice, "get", "", "pods", "default", "web"), authorizer.Deny, "",
			`authz-agrees-with-model: the admin's API server answered Deny to alice (groups [system:authenticated]), who asked "get pods" on "web" in namespace "default", but the RBAC objects in the store allow it (RoleBinding "alice-reads" in namespace "default")`},
		{"masters refused", "apiserver", resourceAttrs(auth.AdminUser(), "delete", "", "nodes", "", "node-1"), authorizer.NoOpinion, "",
			`authz-agrees-with-model: apiserver answered NoOpinion to kubernetes-admin (groups [system:masters system:authenticated]), who asked "delete nodes" on "node-1" at the cluster scope, but the RBAC objects in the store allow it (system:masters may do anything)`},
		{"the node authorizer's decision", "apiserver", resourceAttrs(auth.NodeUser("node-1"), "get", "", "secrets", "default", "s"), authorizer.Allow, "node authorizer: a pod of node-1 uses it", ""},
		{"a component refused", "apiserver", resourceAttrs(cm, "create", "", "serviceaccounts", "team-a", ""), authorizer.NoOpinion, "",
			`components-authorized: system:kube-controller-manager was denied "create serviceaccounts" in namespace "team-a": its role is missing that permission (the controller manager, apiserver answered NoOpinion)`},
		{"a node refused", "apiserver", resourceAttrs(auth.NodeUser("node-1"), "update", "coordination.k8s.io", "leases", "kube-node-lease", "node-2"), authorizer.Deny, "node-1 may not update the lease of node-2",
			`components-authorized: system:node:node-1 was denied "update leases.coordination.k8s.io" on "node-2" in namespace "kube-node-lease": neither the node authorizer nor its roles allow it (node-1's kubelet or proxy, apiserver answered Deny: node-1 may not update the lease of node-2)`},
		// A kubelet behind the control plane asks for a deleted pod's
		// objects: refusing it is the graph's point, not a missing role.
		{"a node rightly refused an object no pod of it names", "apiserver", resourceAttrs(auth.NodeUser("node-1"), "watch", "", "configmaps", "default", "other"), authorizer.NoOpinion, "no relationship found", ""},
		{"a node refused an object its pod names", "apiserver", resourceAttrs(auth.NodeUser("node-1"), "watch", "", "configmaps", "default", "cfg"), authorizer.NoOpinion, "no relationship found",
			`components-authorized: system:node:node-1 was denied "watch configmaps" on "cfg" in namespace "default": neither the node authorizer nor its roles allow it (node-1's kubelet or proxy, apiserver answered NoOpinion: no relationship found)`},
		{"another node's pod does not count", "apiserver", resourceAttrs(auth.NodeUser("node-2"), "get", "", "configmaps", "default", "cfg"), authorizer.NoOpinion, "", ""},
	}
	for _, tt := range tests {
		err := c.authz.observe(tt.server, tt.a, tt.d, tt.reason)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("%s: observe = %q,\nwant %q", tt.name, got, tt.want)
		}
	}
}

// A server whose watch cache has not reached the last RBAC change decides
// on the objects it has: its decisions are not compared until it catches
// up, while the admin's server (straight on the store) is.
func TestAuthzSkipsAServerBehindTheLastRBACChange(t *testing.T) {
	c := smallCluster(t, "name: x\nduration: 1s\ncluster: {nodes: 1}\n")
	c.Servers[0].FreezeCache(true)
	crb := &api.ClusterRoleBinding{ObjectMeta: api.ObjectMeta{Name: "bob-admin"},
		Subjects: []api.Subject{{Kind: api.SubjectUser, APIGroup: api.RBACGroup, Name: "bob"}},
		RoleRef:  api.RoleRef{APIGroup: api.RBACGroup, Kind: "ClusterRole", Name: "bobs"}}
	cr := &api.ClusterRole{ObjectMeta: api.ObjectMeta{Name: "bobs"}, Rules: []api.PolicyRule{{Verbs: []string{"*"}, APIGroups: []string{"*"}, Resources: []string{"*"}}}}
	ctx := context.Background()
	if _, err := client.For[*api.ClusterRole](c.Admin).Create(ctx, cr, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.For[*api.ClusterRoleBinding](c.Admin).Create(ctx, crb, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	bob := &rest.UserInfo{Name: "bob"}
	a := resourceAttrs(bob, "list", "", "secrets", "", "")
	if err := c.authz.observe("apiserver", a, authorizer.NoOpinion, ""); err != nil {
		t.Errorf("a server behind the change refused what it grants: observe = %v, want no violation (not compared)", err)
	}
	if err := c.authz.observe(adminServer, a, authorizer.NoOpinion, ""); err == nil || !strings.HasPrefix(err.Error(), "authz-agrees-with-model: the admin's API server answered NoOpinion to bob") {
		t.Errorf("the admin's server refused what the binding grants: observe = %v, want an authz-agrees-with-model violation", err)
	}
}

// The keys and the CA are drawn from the seed: the same seed gives the
// same, another seed others.
func TestKeysComeFromTheSeed(t *testing.T) {
	mk := func(seed uint64) *Cluster {
		s, err := scenario.Parse([]byte("name: x\nduration: 1s\ncluster: {nodes: 1}\n"))
		if err != nil {
			t.Fatal(err)
		}
		c, err := New(s, seed)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	a, b, other := mk(7), mk(7), mk(8)
	if string(a.CAPEM) != string(b.CAPEM) {
		t.Errorf("seed 7 gave two CAs:\n%s\n%s", a.CAPEM, b.CAPEM)
	}
	if string(a.CAPEM) == string(other.CAPEM) {
		t.Errorf("seeds 7 and 8 gave the same CA:\n%s", a.CAPEM)
	}
	if !strings.HasPrefix(string(a.CAPEM), "-----BEGIN CERTIFICATE-----") {
		t.Errorf("CAPEM = %q, want a PEM CERTIFICATE block", a.CAPEM)
	}
	ka := serviceAccountKeys(a.W.Rand("serviceaccount-keys"))
	kb := serviceAccountKeys(b.W.Rand("serviceaccount-keys"))
	if !ka.Signing.Equal(kb.Signing) {
		t.Errorf("seed 7 gave two signing keys")
	}
}
