package apiserver

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/auth"
	"github.com/tinykube/tinykube/core/auth/authorizer"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/rest"
	"pgregory.net/rapid"
)

// nodeFixture is a server whose only authorizer is the node authorizer,
// with in-process (unauthorized) setup and one client per node.
type nodeFixture struct {
	*fixture
	a, b *client.Client
}

func newNodeFixture(t *testing.T) *nodeFixture {
	f := newFixture(t)
	f.server.authorizer = authorizer.Union{f.server.nodeAuthorizer()}
	as := func(node string) *client.Client {
		return client.New(client.Local(func(ctx context.Context, req *rest.Request) *rest.Response {
			r := *req
			r.User = auth.NodeUser(node)
			return f.server.Handle(ctx, &r)
		}))
	}
	return &nodeFixture{fixture: f, a: as("a"), b: as("b")}
}

// must fails the test on err.
func (f *nodeFixture) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

// wantForbidden checks that err is a 403 whose message has want.
func wantForbidden(t *testing.T, what string, err error, want string) {
	t.Helper()
	if api.ReasonOf(err) != api.ReasonForbidden || !strings.Contains(err.Error(), want) {
		t.Errorf("%s: err = %v, want Forbidden with %q", what, err, want)
	}
}

func podsOf(c *client.Client) client.Resource[*api.Pod] { return client.For[*api.Pod](c) }

func secretPod(name, node, secret string) *api.Pod {
	p := newPod(name, nil)
	p.Spec.NodeName = node
	p.Spec.Volumes = []api.Volume{{Name: "s", VolumeSource: api.VolumeSource{Secret: &api.SecretVolumeSource{SecretName: secret}}}}
	return p
}

func TestNodeAuthorizerThroughServer(t *testing.T) {
	f := newNodeFixture(t)
	secrets := func(c *client.Client) client.Resource[*api.Secret] { return client.For[*api.Secret](c) }
	for _, s := range []string{"a-secret", "b-secret"} {
		_, err := secrets(f.client).Create(f.ctx, &api.Secret{ObjectMeta: api.ObjectMeta{Name: s, Namespace: "default"}}, client.WriteOptions{})
		f.must(err)
	}
	_, err := podsOf(f.client).Create(f.ctx, secretPod("on-b", "b", "b-secret"), client.WriteOptions{})
	f.must(err)

	// Before a pod on a names the secret, a may not read it.
	_, err = secrets(f.a).Get(f.ctx, "default", "a-secret")
	wantForbidden(t, "get a-secret before the pod", err, `secrets "a-secret" is forbidden: User "system:node:a" cannot get resource "secrets" in API group "" in the namespace "default": no relationship found between node "a" and this object`)

	// Bind a pod naming it to a: a reads it at once, by get and by a
	// watch of that one name.
	_, err = podsOf(f.client).Create(f.ctx, secretPod("on-a", "", "a-secret"), client.WriteOptions{})
	f.must(err)
	resp := f.do("POST", "/api/v1/namespaces/default/pods/on-a/binding", rest.ContentJSON,
		`{"apiVersion":"v1","kind":"Binding","metadata":{"name":"on-a"},"target":{"kind":"Node","name":"a"}}`)
	if resp.Code != 201 {
		t.Fatalf("binding: %d %s", resp.Code, resp.Body)
	}
	if _, err := secrets(f.a).Get(f.ctx, "default", "a-secret"); err != nil {
		t.Errorf("node a get a-secret after binding: %v", err)
	}
	if _, err := secrets(f.a).List(f.ctx, "default", client.ListOptions{FieldSelector: "metadata.name=a-secret"}); err != nil {
		t.Errorf("node a list a-secret by name: %v", err)
	}
	_, err = secrets(f.a).Get(f.ctx, "default", "b-secret")
	wantForbidden(t, "node a get b-secret", err, "no relationship found")
	_, err = secrets(f.a).List(f.ctx, "default", client.ListOptions{})
	wantForbidden(t, "node a list secrets", err, "can only read individual secrets")
	if _, err := secrets(f.b).Get(f.ctx, "default", "b-secret"); err != nil {
		t.Errorf("node b get b-secret: %v", err)
	}

	// Pod status: own pods only.
	p, err := podsOf(f.client).Get(f.ctx, "default", "on-a")
	f.must(err)
	p.Status.Phase = api.PodRunning
	if _, err := podsOf(f.a).UpdateStatus(f.ctx, p, client.WriteOptions{}); err != nil {
		t.Errorf("node a update status of its pod: %v", err)
	}
	q, err := podsOf(f.client).Get(f.ctx, "default", "on-b")
	f.must(err)
	q.Status.Phase = api.PodFailed
	_, err = podsOf(f.a).UpdateStatus(f.ctx, q, client.WriteOptions{})
	wantForbidden(t, "node a update status of b's pod", err, `pods "on-b" is forbidden: node "a" can only update pod status for pods with spec.nodeName set to itself`)
	// A status update carries no labels: refused or ignored, they stay.
	q.Labels = map[string]string{"app": "stolen"}
	_, _ = podsOf(f.b).UpdateStatus(f.ctx, q, client.WriteOptions{})
	if got, err := podsOf(f.client).Get(f.ctx, "default", "on-b"); err != nil || got.Labels["app"] == "stolen" {
		t.Errorf("node b relabelled its pod through status: labels %v, err %v", got.Labels, err)
	}

	// Pods: no creation, deletion of own only.
	// Creating a pod: the authorizer refuses it, and so would
	// NodeRestriction if RBAC granted it.
	_, err = podsOf(f.a).Create(f.ctx, secretPod("sneaky", "a", "b-secret"), client.WriteOptions{})
	wantForbidden(t, "node a create a pod", err, `User "system:node:a" cannot create resource "pods"`)
	err = f.server.admit(f.ctx, &admissionRequest{op: opCreate, res: api.ResourceByPlural("", "pods"), user: auth.NodeUser("a"),
		obj: secretPod("sneaky", "a", "b-secret")})
	wantForbidden(t, "NodeRestriction on node a creating a pod", err, `pods "sneaky" is forbidden: pod does not have "kubernetes.io/config.mirror" annotation, node "a" can only create mirror pods`)
	// Labels through status, were the status update to carry them.
	stored, err := podsOf(f.client).Get(f.ctx, "default", "on-b")
	f.must(err)
	relabelled := api.DeepCopy(stored)
	relabelled.Labels = map[string]string{"app": "stolen"}
	err = f.server.admit(f.ctx, &admissionRequest{op: opUpdate, res: api.ResourceByPlural("", "pods"), subresource: "status",
		user: auth.NodeUser("b"), old: stored, obj: relabelled})
	wantForbidden(t, "NodeRestriction on node b relabelling its pod through status", err, `node "b" cannot update labels through pod status`)
	_, err = podsOf(f.a).Delete(f.ctx, "default", "on-b", client.DeleteOptions{})
	wantForbidden(t, "node a delete b's pod", err, `pods "on-b" is forbidden: node "a" can only delete pods with spec.nodeName set to itself`)
	if _, err := podsOf(f.a).Delete(f.ctx, "default", "on-a", client.DeleteOptions{}); err != nil {
		t.Errorf("node a delete its pod: %v", err)
	}
}

func TestNodeRestrictionNodes(t *testing.T) {
	f := newNodeFixture(t)
	nodes := func(c *client.Client) client.Resource[*api.Node] { return client.For[*api.Node](c) }
	register := func(c *client.Client, name string, labels map[string]string) (*api.Node, error) {
		return nodes(c).Create(f.ctx, &api.Node{ObjectMeta: api.ObjectMeta{Name: name, Labels: labels}}, client.WriteOptions{})
	}
	_, err := register(f.a, "b", nil)
	wantForbidden(t, "node a register b", err, `nodes "b" is forbidden: node "a" is not allowed to modify node "b"`)
	_, err = register(f.a, "a", map[string]string{api.LabelHostname: "b"})
	wantForbidden(t, "node a register as hostname b", err, `node "a" is not allowed to set the following labels: kubernetes.io/hostname`)
	_, err = register(f.a, "a", map[string]string{"node-restriction.kubernetes.io/pci": "yes"})
	wantForbidden(t, "node a register with a restricted label", err, "node-restriction.kubernetes.io/pci")
	a, err := register(f.a, "a", map[string]string{api.LabelHostname: "a", "topology.kubernetes.io/zone": "z1", "disk": "ssd"})
	f.must(err)
	b, err := register(f.b, "b", map[string]string{api.LabelHostname: "b"})
	f.must(err)

	// Another node's status, spec or labels: refused.
	b.Status.Phase = "Running"
	_, err = nodes(f.a).UpdateStatus(f.ctx, b, client.WriteOptions{})
	wantForbidden(t, "node a update b's status", err, `node "a" is not allowed to modify node "b"`)
	// Relabelling itself into b's workloads (b's local volumes ask for
	// kubernetes.io/hostname In [b]): refused.
	steal := api.DeepCopy(a)
	steal.Labels[api.LabelHostname] = "b"
	_, err = nodes(f.a).Update(f.ctx, steal, client.WriteOptions{})
	wantForbidden(t, "node a relabel as b", err, `node "a" is not allowed to modify labels: kubernetes.io/hostname`)
	restricted := api.DeepCopy(a)
	restricted.Labels["node-restriction.kubernetes.io/tier"] = "secure"
	_, err = nodes(f.a).Update(f.ctx, restricted, client.WriteOptions{})
	wantForbidden(t, "node a add a restricted label", err, "node-restriction.kubernetes.io/tier")
	role := api.DeepCopy(a)
	role.Labels["node-role.kubernetes.io/control-plane"] = ""
	_, err = nodes(f.a).Update(f.ctx, role, client.WriteOptions{})
	wantForbidden(t, "node a add a kubernetes.io label not the kubelet's", err, "node-role.kubernetes.io/control-plane")
	untaint := api.DeepCopy(a)
	untaint.Spec.Taints = []api.Taint{{Key: "x", Effect: api.TaintNoSchedule}}
	_, err = nodes(f.a).Update(f.ctx, untaint, client.WriteOptions{})
	wantForbidden(t, "node a taint itself", err, `node "a" is not allowed to modify taints`)
	provider := api.DeepCopy(a)
	provider.Spec.ProviderID = "aws://elsewhere"
	_, err = nodes(f.a).Update(f.ctx, provider, client.WriteOptions{})
	wantForbidden(t, "node a change its providerID", err, "spec.providerID")

	// Its own labels the kubelet owns, and free ones: allowed.
	ok := api.DeepCopy(a)
	ok.Labels["topology.kubernetes.io/zone"] = "z2"
	ok.Labels["disk"] = "hdd"
	if _, err := nodes(f.a).Update(f.ctx, ok, client.WriteOptions{}); err != nil {
		t.Errorf("node a update its own allowed labels: %v", err)
	}
	a.Status.Phase = "Running"
	a.ResourceVersion = ""
	if _, err := nodes(f.a).UpdateStatus(f.ctx, a, client.WriteOptions{}); err != nil {
		t.Errorf("node a update its own status: %v", err)
	}
}

func TestNodeRestrictionLeasesAndVolumes(t *testing.T) {
	f := newNodeFixture(t)
	leases := func(c *client.Client) client.Resource[*api.Lease] { return client.For[*api.Lease](c) }
	lease := func(name string) *api.Lease {
		return &api.Lease{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "kube-node-lease"}}
	}
	_, err := leases(f.a).Create(f.ctx, lease("b"), client.WriteOptions{})
	wantForbidden(t, "node a create b's lease", err, "can only access node lease with the same name as the requesting node")
	mine, err := leases(f.a).Create(f.ctx, lease("a"), client.WriteOptions{})
	f.must(err)
	if _, err := leases(f.a).Update(f.ctx, mine, client.WriteOptions{}); err != nil {
		t.Errorf("node a renew its lease: %v", err)
	}
	theirs, err := leases(f.b).Create(f.ctx, lease("b"), client.WriteOptions{})
	f.must(err)
	_, err = leases(f.a).Update(f.ctx, theirs, client.WriteOptions{})
	wantForbidden(t, "node a renew b's lease", err, "can only access node lease with the same name as the requesting node")

	pvs := func(c *client.Client) client.Resource[*api.PersistentVolume] {
		return client.For[*api.PersistentVolume](c)
	}
	pv := func(name, node string) *api.PersistentVolume {
		return &api.PersistentVolume{ObjectMeta: api.ObjectMeta{Name: name}, Spec: api.PersistentVolumeSpec{
			Capacity:               api.ResourceList{api.ResourceStorage: api.MustParseQuantity("1Gi")},
			AccessModes:            []string{"ReadWriteOnce"},
			PersistentVolumeSource: api.PersistentVolumeSource{Local: &api.LocalVolumeSource{Path: "/data/" + name}},
			NodeAffinity: &api.VolumeNodeAffinity{Required: &api.NodeSelector{NodeSelectorTerms: []api.NodeSelectorTerm{{
				MatchExpressions: []api.NodeSelectorRequirement{{Key: api.LabelHostname, Operator: "In", Values: []string{node}}}}}}},
		}}
	}
	_, err = pvs(f.a).Create(f.ctx, pv("pv-b", "b"), client.WriteOptions{})
	wantForbidden(t, "node a create a volume of b", err, `node "a" can only create persistentvolumes whose node affinity requires kubernetes.io/hostname In [a]`)
	if _, err := pvs(f.a).Create(f.ctx, pv("pv-a", "a"), client.WriteOptions{}); err != nil {
		t.Errorf("node a create its volume: %v", err)
	}
	_, err = pvs(f.b).Create(f.ctx, pv("pv-b", "b"), client.WriteOptions{})
	f.must(err)
	_, err = pvs(f.a).Delete(f.ctx, "", "pv-b", client.DeleteOptions{})
	wantForbidden(t, "node a delete b's volume", err, `node "a" can only delete persistentvolumes`)
	if _, err := pvs(f.a).Delete(f.ctx, "", "pv-a", client.DeleteOptions{}); err != nil {
		t.Errorf("node a delete its volume: %v", err)
	}
}

func TestNodeRestrictionTokens(t *testing.T) {
	f := newNodeFixture(t)
	onA, err := podsOf(f.client).Create(f.ctx, secretPod("on-a", "a", "s"), client.WriteOptions{})
	f.must(err)
	onB, err := podsOf(f.client).Create(f.ctx, secretPod("on-b", "b", "s"), client.WriteOptions{})
	f.must(err)
	res := api.ResourceByPlural("", "serviceaccounts")
	ref := func(p *api.Pod) *api.BoundObjectReference {
		return &api.BoundObjectReference{Kind: "Pod", APIVersion: "v1", Name: p.Name, UID: p.UID}
	}
	tests := []struct {
		name string
		ref  *api.BoundObjectReference
		want string // "" for admitted
	}{
		{"bound to its pod", ref(onA), ""},
		{"not bound", nil, "node requested token not bound to a pod"},
		{"bound to a secret", &api.BoundObjectReference{Kind: "Secret", APIVersion: "v1", Name: "s", UID: "u"}, "node requested token not bound to a pod"},
		{"without a uid", &api.BoundObjectReference{Kind: "Pod", APIVersion: "v1", Name: "on-a"}, "node requested token with a pod binding without a uid"},
		{"an old uid", &api.BoundObjectReference{Kind: "Pod", APIVersion: "v1", Name: "on-a", UID: "old"}, "does not match the UID in record"},
		{"bound to another node's pod", ref(onB), "node requested token bound to a pod scheduled on a different node"},
	}
	for _, tt := range tests {
		tr := &api.TokenRequest{Spec: api.TokenRequestSpec{BoundObjectRef: tt.ref}}
		r := &admissionRequest{op: opCreate, res: res, subresource: "token", namespace: "default", name: "default",
			user: auth.NodeUser("a"), obj: tr}
		err := f.server.admit(f.ctx, r)
		if tt.want == "" {
			if err != nil {
				t.Errorf("%s: admit = %v, want admitted", tt.name, err)
			}
			continue
		}
		wantForbidden(t, tt.name, err, `serviceaccounts "default" is forbidden: `)
		wantForbidden(t, tt.name, err, tt.want)
	}
}

// TestPodGraphFollowsTheStore: after any sequence of pod creates (bound
// or not, in two namespaces), bindings, deletions and recreations under
// the same name, the node authorizer's index answers every node and
// namespace exactly as a read of the store does.
func TestPodGraphFollowsTheStore(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		f := newFixture(t)
		g := nodeGraph{f.server}
		nodes, namespaces := []string{"a", "b", "c"}, []string{"default", "dev"}
		_, err := client.For[*api.Namespace](f.client).Create(f.ctx, &api.Namespace{ObjectMeta: api.ObjectMeta{Name: "dev"}}, client.WriteOptions{})
		if err != nil {
			rt.Fatal(err)
		}
		pods := podsOf(f.client)
		for i, n := 0, rapid.IntRange(1, 25).Draw(rt, "steps"); i < n; i++ {
			name := rapid.SampledFrom([]string{"p1", "p2", "p3", "p4"}).Draw(rt, "pod")
			ns := rapid.SampledFrom(namespaces).Draw(rt, "namespace")
			switch rapid.IntRange(0, 2).Draw(rt, "op") {
			case 0: // create, bound to a node or not, naming a secret
				node := rapid.SampledFrom(append([]string{""}, nodes...)).Draw(rt, "node")
				p := secretPod(name, node, rapid.SampledFrom([]string{"s1", "s2"}).Draw(rt, "secret"))
				p.Namespace = ns
				pods.Create(f.ctx, p, client.WriteOptions{}) // may already exist
			case 1: // bind, which fails for a bound pod
				node := rapid.SampledFrom(nodes).Draw(rt, "node")
				f.do("POST", "/api/v1/namespaces/"+ns+"/pods/"+name+"/binding", rest.ContentJSON,
					`{"apiVersion":"v1","kind":"Binding","metadata":{"name":"`+name+`"},"target":{"kind":"Node","name":"`+node+`"}}`)
			case 2:
				zero := int64(0)
				pods.Delete(f.ctx, ns, name, client.DeleteOptions{GracePeriodSeconds: &zero})
			}
			for _, node := range nodes {
				for _, ns := range namespaces {
					got, err1 := g.PodsOnNode(f.ctx, ns, node)
					want, err2 := g.PodsOnNodeNow(f.ctx, ns, node)
					if err1 != nil || err2 != nil {
						rt.Fatalf("node %s, namespace %s: %v, %v", node, ns, err1, err2)
					}
					if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
						rt.Fatalf("step %d: node %s, namespace %s: the index differs from the store (-store +index):\n%s", i, node, ns, diff)
					}
				}
			}
		}
	})
}
