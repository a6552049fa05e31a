package node

import (
	"context"
	"testing"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/auth"
	"github.com/tinykube/tinykube/core/auth/authorizer"
	"github.com/tinykube/tinykube/core/rest"
)

// fakeSource holds pods and volumes in memory.
type fakeSource struct {
	pods    []*api.Pod
	volumes map[string]*api.PersistentVolume
}

func (f fakeSource) PodsOnNode(_ context.Context, namespace, node string) ([]PodRefs, error) {
	var out []PodRefs
	for _, p := range f.pods {
		if p.Namespace == namespace && p.Spec.NodeName == node {
			out = append(out, PodRefs{Pod: p.Name, Refs: References(p)})
		}
	}
	return out, nil
}

func (f fakeSource) PodsOnNodeNow(ctx context.Context, namespace, node string) ([]PodRefs, error) {
	return f.PodsOnNode(ctx, namespace, node)
}

func (f fakeSource) Volume(_ context.Context, name string) (*api.PersistentVolume, error) {
	return f.volumes[name], nil
}

// podOn is a pod of namespace "dev" on node that names a Secret, a
// ConfigMap and a claim in every way a pod can.
func podOn(name, node string) *api.Pod {
	return &api.Pod{
		ObjectMeta: api.ObjectMeta{Name: name, Namespace: "dev"},
		Spec: api.PodSpec{
			NodeName:           node,
			ServiceAccountName: name + "-sa",
			InitContainers: []api.Container{{Name: "init", EnvFrom: []api.EnvFromSource{
				{SecretRef: &api.LocalRef{Name: name + "-envfrom-secret"}},
				{ConfigMapRef: &api.LocalRef{Name: name + "-envfrom-cm"}}}}},
			Containers: []api.Container{{Name: "c", Env: []api.EnvVar{
				{Name: "A", ValueFrom: &api.EnvVarSource{SecretKeyRef: &api.KeySelector{Name: name + "-env-secret", Key: "k"}}},
				{Name: "B", ValueFrom: &api.EnvVarSource{ConfigMapKeyRef: &api.KeySelector{Name: name + "-env-cm", Key: "k"}}}}}},
			Volumes: []api.Volume{
				{Name: "s", VolumeSource: api.VolumeSource{Secret: &api.SecretVolumeSource{SecretName: name + "-vol-secret"}}},
				{Name: "m", VolumeSource: api.VolumeSource{ConfigMap: &api.ConfigMapVolumeSource{Name: name + "-vol-cm"}}},
				{Name: "p", VolumeSource: api.VolumeSource{Projected: &api.ProjectedVolumeSource{Sources: []api.VolumeProjection{
					{Secret: &api.SecretProjection{Name: name + "-proj-secret"}},
					{ConfigMap: &api.ConfigMapProjection{Name: name + "-proj-cm"}}}}}},
				{Name: "d", VolumeSource: api.VolumeSource{PersistentVolumeClaim: &api.PersistentVolumeClaimVolumeSource{ClaimName: name + "-claim"}}},
			},
		},
	}
}

func boundVolume(name, ns, claim string) *api.PersistentVolume {
	return &api.PersistentVolume{ObjectMeta: api.ObjectMeta{Name: name},
		Spec: api.PersistentVolumeSpec{ClaimRef: &api.ObjectReference{Namespace: ns, Name: claim}}}
}

func TestAuthorize(t *testing.T) {
	src := fakeSource{
		pods: []*api.Pod{podOn("mine", "a"), podOn("theirs", "b"), {ObjectMeta: api.ObjectMeta{Name: "plain", Namespace: "dev"}, Spec: api.PodSpec{NodeName: "a"}}},
		volumes: map[string]*api.PersistentVolume{
			"pv-mine":   boundVolume("pv-mine", "dev", "mine-claim"),
			"pv-theirs": boundVolume("pv-theirs", "dev", "theirs-claim"),
			"pv-free":   {ObjectMeta: api.ObjectMeta{Name: "pv-free"}},
		},
	}
	z := New(src)
	nodeA := auth.NodeUser("a")
	res := func(verb, group, resource, sub, ns, name string) authorizer.Attributes {
		return authorizer.Attributes{User: nodeA, Verb: verb, ResourceRequest: true, APIGroup: group, APIVersion: "v1",
			Resource: resource, Subresource: sub, Namespace: ns, Name: name}
	}
	allow, none := authorizer.Allow, authorizer.NoOpinion
	tests := []struct {
		name string
		a    authorizer.Attributes
		want authorizer.Decision
	}{
		// Graph: Secrets and ConfigMaps named by a pod on the node.
		{"get own pod's volume secret", res("get", "", "secrets", "", "dev", "mine-vol-secret"), allow},
		{"get own pod's env secret", res("get", "", "secrets", "", "dev", "mine-env-secret"), allow},
		{"get own init container's envFrom secret", res("get", "", "secrets", "", "dev", "mine-envfrom-secret"), allow},
		{"get own pod's projected secret", res("get", "", "secrets", "", "dev", "mine-proj-secret"), allow},
		{"watch own pod's secret by name", res("watch", "", "secrets", "", "dev", "mine-vol-secret"), allow},
		{"list own pod's secret by name", res("list", "", "secrets", "", "dev", "mine-vol-secret"), allow},
		{"get another node's pod's secret", res("get", "", "secrets", "", "dev", "theirs-vol-secret"), none},
		{"get own pod's secret in another namespace", res("get", "", "secrets", "", "prod", "mine-vol-secret"), none},
		{"get a configmap named as a secret", res("get", "", "secrets", "", "dev", "mine-vol-cm"), none},
		{"list all secrets", res("list", "", "secrets", "", "", ""), none},
		{"list secrets of a namespace", res("list", "", "secrets", "", "dev", ""), none},
		{"update own pod's secret", res("update", "", "secrets", "", "dev", "mine-vol-secret"), none},
		{"get own pod's configmaps", res("get", "", "configmaps", "", "dev", "mine-env-cm"), allow},
		{"get own pod's projected configmap", res("get", "", "configmaps", "", "dev", "mine-proj-cm"), allow},
		{"get another node's configmap", res("get", "", "configmaps", "", "dev", "theirs-env-cm"), none},
		{"delete own pod's configmap", res("delete", "", "configmaps", "", "dev", "mine-env-cm"), none},
		// Graph: claims and the volumes bound to them.
		{"get own pod's claim", res("get", "", "persistentvolumeclaims", "", "dev", "mine-claim"), allow},
		{"get another node's claim", res("get", "", "persistentvolumeclaims", "", "dev", "theirs-claim"), none},
		{"get own claim's volume", res("get", "", "persistentvolumes", "", "", "pv-mine"), allow},
		{"get another node's volume", res("get", "", "persistentvolumes", "", "", "pv-theirs"), none},
		{"get an unbound volume", res("get", "", "persistentvolumes", "", "", "pv-free"), none},
		{"get a missing volume", res("get", "", "persistentvolumes", "", "", "pv-none"), none},
		// Graph: tokens for the service accounts of its pods.
		{"token for own pod's account", res("create", "", "serviceaccounts", "token", "dev", "mine-sa"), allow},
		{"token for the default account of own plain pod", res("create", "", "serviceaccounts", "token", "dev", "default"), allow},
		{"token for another node's pod's account", res("create", "", "serviceaccounts", "token", "dev", "theirs-sa"), none},
		{"get a service account", res("get", "", "serviceaccounts", "", "dev", "mine-sa"), none},
		// Leases: its own in kube-node-lease.
		{"renew own lease", res("update", "coordination.k8s.io", "leases", "", LeaseNamespace, "a"), allow},
		{"create a lease (name checked in admission)", res("create", "coordination.k8s.io", "leases", "", LeaseNamespace, ""), allow},
		{"renew another node's lease", res("update", "coordination.k8s.io", "leases", "", LeaseNamespace, "b"), none},
		{"a lease elsewhere", res("update", "coordination.k8s.io", "leases", "", "kube-system", "a"), none},
		{"list leases", res("list", "coordination.k8s.io", "leases", "", LeaseNamespace, ""), none},
		// Static rules.
		{"register", res("create", "", "nodes", "", "", ""), allow},
		{"post node status", res("update", "", "nodes", "status", "", "a"), allow},
		{"watch own pods", res("watch", "", "pods", "", "", ""), allow},
		{"post pod status", res("update", "", "pods", "status", "dev", "mine"), allow},
		{"delete a pod", res("delete", "", "pods", "", "dev", "mine"), allow},
		{"create a pod", res("create", "", "pods", "", "dev", ""), none},
		{"update a pod's spec", res("update", "", "pods", "", "dev", "mine"), none},
		{"exec into a pod", res("create", "", "pods", "exec", "dev", "mine"), none},
		{"write an event", res("create", "", "events", "", "dev", ""), allow},
		{"watch services", res("watch", "", "services", "", "", ""), allow},
		{"watch endpoints", res("watch", "", "endpoints", "", "", ""), allow},
		{"update endpoints", res("update", "", "endpoints", "", "dev", "web"), none},
		{"watch storage classes", res("watch", "storage.k8s.io", "storageclasses", "", "", ""), allow},
		{"watch claims (provisioner)", res("watch", "", "persistentvolumeclaims", "", "", ""), allow},
		{"create a volume (provisioner)", res("create", "", "persistentvolumes", "", "", ""), allow},
		{"update a claim", res("update", "", "persistentvolumeclaims", "", "dev", "mine-claim"), none},
		{"delete a node", res("delete", "", "nodes", "", "", "a"), none},
		{"create a namespace", res("create", "", "namespaces", "", "", ""), none},
		{"read a role", res("get", "rbac.authorization.k8s.io", "roles", "", "dev", "r"), none},
		{"a non-resource path", authorizer.Attributes{User: nodeA, Verb: "get", Path: "/healthz"}, none},
	}
	for _, tt := range tests {
		got, reason, err := z.Authorize(context.Background(), tt.a)
		if err != nil || got != tt.want {
			t.Errorf("%s: Authorize(%s %s %s/%s) = %v (%q, %v), want %v", tt.name, tt.a.Verb, tt.a.ResourceString(), tt.a.Namespace, tt.a.Name, got, reason, err, tt.want)
		}
	}
}

func TestAuthorizeOthersNoOpinion(t *testing.T) {
	z := New(fakeSource{pods: []*api.Pod{podOn("mine", "a")}})
	// A user named like a node but not in system:nodes, and other users,
	// get no opinion even for what node "a" may do.
	for _, u := range []*rest.UserInfo{
		{Name: "system:node:a"},
		auth.ComponentUser(auth.KubeScheduler),
		auth.AnonymousUser(),
		nil,
	} {
		a := authorizer.Attributes{User: u, Verb: "get", ResourceRequest: true, APIVersion: "v1", Resource: "secrets", Namespace: "dev", Name: "mine-vol-secret"}
		if got, _, _ := z.Authorize(context.Background(), a); got != authorizer.NoOpinion {
			t.Errorf("Authorize(%v get secret) = %v, want NoOpinion", u, got)
		}
	}
}

// laggingSource is an index that has not yet seen any pod, over current
// reads that have.
type laggingSource struct{ fakeSource }

func (laggingSource) PodsOnNode(context.Context, string, string) ([]PodRefs, error) { return nil, nil }

// TestRefusalIsConfirmedByCurrentReads: an index behind the store (a pod
// bound a moment ago) does not refuse on its own; the current reads find
// the pod, for each graph rule.
func TestRefusalIsConfirmedByCurrentReads(t *testing.T) {
	z := New(laggingSource{fakeSource{pods: []*api.Pod{podOn("p", "n1")}}})
	for _, a := range []authorizer.Attributes{
		{Verb: "get", Resource: "secrets", Name: "p-vol-secret"},
		{Verb: "get", Resource: "configmaps", Name: "p-env-cm"},
		{Verb: "get", Resource: "persistentvolumeclaims", Name: "p-claim"},
		{Verb: "create", Resource: "serviceaccounts", Subresource: "token", Name: "p-sa"},
	} {
		a.User, a.ResourceRequest, a.APIVersion, a.Namespace = auth.NodeUser("n1"), true, "v1", "dev"
		if d, reason, err := z.Authorize(context.Background(), a); d != authorizer.Allow || err != nil {
			t.Errorf("%s %s %q: %v (%q, %v), want Allow", a.Verb, a.Resource, a.Name, d, reason, err)
		}
	}
}
