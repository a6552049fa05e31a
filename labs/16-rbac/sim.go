package rbaclab

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing/fstest"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/auth/authorizer"
	"github.com/tinykube/tinykube/core/auth/rbac"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/rest"
	"github.com/tinykube/tinykube/labs/lab"
	"github.com/tinykube/tinykube/sim/cluster"
)

// ErrNotWired is AuthorizesInACluster's verdict when the simulated API
// servers never ask the plugged-in Decide anything: this tinykube's
// simulator does not yet run its API servers with authorization on, so
// the test cannot judge Decide there. The checker's own test skips the
// test when it sees this.
var ErrNotWired = errors.New("the API servers of the simulated cluster never called Decide: cluster.Plugins.AuthorizationDecide has no effect in this tinykube (its API servers do not authorize yet), so this test cannot judge your Decide inside a cluster")

// simShape is the policy a simulated cluster gets.
var simShape = shape{namespaces: true, subjects: true, wildcards: true, names: true, urls: true}

// probe is a request the starter is asked before any cluster runs: the
// API servers may well never ask it anything.
var probe = authorizer.Attributes{User: users[0], ResourceRequest: true, Verb: "get", Resource: "pods", Namespace: "a", Name: "web"}

// sim runs Decide inside the API servers of a cluster drawn from the
// seed: a Deployment must become available, and requests sent as test
// users must be answered 403 exactly when the RBAC objects in the store
// call for it.
func (c checker) sim(env *lab.Env) error {
	if _, err := c.call(&Policy{}, probe); err != nil {
		return err
	}
	p := genPolicy(env.Rand, simShape)
	var reqs []*rest.Request
	for len(reqs) < 40 {
		if req := httpRequest(genRequest(env.Rand, p, simShape)); req != nil {
			reqs = append(reqs, req)
		}
	}
	text, err := scenario(p)
	if err != nil {
		return err
	}
	calls := 0
	var missing error
	decide := func(src rbac.Source, a authorizer.Attributes) (bool, string) {
		calls++
		allowed, reason := c.decide(src, a)
		if reason == NotImplemented && missing == nil {
			missing = errNotWritten
		}
		return allowed, reason
	}
	return lab.Simulate(env, lab.Sim{
		Scenarios: fstest.MapFS{"scenarios/rbac.yaml": {Data: text}},
		File:      "rbac.yaml",
		Plugins:   cluster.Plugins{AuthorizationDecide: decide},
		Missing:   &missing,
		After:     func(cl *cluster.Cluster) error { return asTestUsers(cl, p, reqs, &calls) },
		Keep:      func(line string) bool { return strings.Contains(line, "forbidden") },
	})
}

// scenario is p and a small workload as a scenario file (JSON, which the
// YAML reader takes).
func scenario(p *Policy) ([]byte, error) {
	objects := []any{}
	for _, ns := range namespaces {
		objects = append(objects, map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": ns}})
	}
	for _, o := range p.objects() {
		objects = append(objects, o)
	}
	objects = append(objects, map[string]any{
		"apiVersion": "apps/v1", "kind": "Deployment", "metadata": map[string]any{"name": "web", "namespace": "a"},
		"spec": map[string]any{
			"replicas": 3,
			"selector": map[string]any{"matchLabels": map[string]any{"app": "web"}},
			"template": map[string]any{
				"metadata": map[string]any{"labels": map[string]any{"app": "web"}, "annotations": map[string]any{"sim.tinykube.io/behavior": "start=200ms,ready=500ms"}},
				"spec": map[string]any{"containers": []any{map[string]any{"name": "httpd", "image": "busybox",
					"resources": map[string]any{"requests": map[string]any{"cpu": "250m", "memory": "128Mi"}}}}},
			},
		},
	})
	return json.MarshalIndent(map[string]any{
		"name":        "lab16-rbac",
		"description": "Roles, ClusterRoles and their bindings drawn from the seed, and a Deployment in namespace a; the API servers decide with your Decide, and test users ask for things after the run.",
		"duration":    "20s",
		"cluster":     map[string]any{"nodes": 2},
		"network":     map[string]any{"latency": "5ms", "jitter": "10ms"},
		"objects":     objects,
		"faults":      []any{map[string]any{"at": "5s", "action": "restart-controller-manager"}},
		"liveness":    map[string]any{"within": "10s"},
		"invariants":  []string{"node-capacity"},
	}, "", " ")
}

// httpRequest is the request that asks what a asks, or nil when a is a
// write on a resource (the test users only read, so that what they do
// cannot change the workload or the policy).
func httpRequest(a authorizer.Attributes) *rest.Request {
	if !a.ResourceRequest {
		// A POST to a path changes nothing: no path takes one.
		return &rest.Request{Method: strings.ToUpper(a.Verb), Path: a.Path, User: a.User}
	}
	if a.Verb != "get" && a.Verb != "list" {
		return nil
	}
	path := "/api/v1"
	if a.APIGroup != "" {
		path = "/apis/" + a.APIGroup + "/v1"
	}
	if a.Namespace != "" {
		path += "/namespaces/" + a.Namespace
	}
	path += "/" + a.Resource
	if a.Verb == "get" {
		if a.Name == "" {
			return nil
		}
		path += "/" + a.Name
		if a.Subresource != "" {
			path += "/" + a.Subresource
		}
	}
	return &rest.Request{Method: http.MethodGet, Path: path, Query: url.Values{}, User: a.User}
}

// asTestUsers sends reqs to the admin's API server, which decides with
// the plugged-in Decide, and holds each answer to rbac.Decide's over the
// RBAC objects in the store.
func asTestUsers(cl *cluster.Cluster, p *Policy, reqs []*rest.Request, calls *int) error {
	ctx := context.Background()
	stored, err := storedPolicy(ctx, cl.Admin)
	if err != nil {
		return err
	}
	*calls = 0
	type outcome struct {
		req  *rest.Request
		a    authorizer.Attributes
		code int
		body string
	}
	var wrong []outcome
	for _, req := range reqs {
		resp := cl.API.Handle(ctx, req)
		a := authorizer.AttributesFor(req)
		want, _ := rbac.Decide(stored, a)
		if (resp.Code != http.StatusForbidden) != want {
			wrong = append(wrong, outcome{req, a, resp.Code, string(resp.Body)})
		}
	}
	if *calls == 0 {
		return ErrNotWired
	}
	if len(wrong) == 0 {
		return nil
	}
	o := wrong[0]
	got := fmt.Sprintf("answered %d, allowed", o.code)
	if o.code == http.StatusForbidden {
		got = "refused it (403)"
	}
	allowed, _ := rbac.Decide(stored, o.a)
	want := "refused (403)"
	if allowed {
		want = "allowed"
	}
	return fmt.Errorf("the API server %s: %s %s as %s (%s); want %s: %s\n%s\n    (besides these, the cluster's own default roles and bindings)",
		got, o.req.Method, o.req.Path, describeUser(o.a.User), describeRequest(o.a), want, explain(stored, o.a, allowed), p)
}

// storedPolicy reads the RBAC objects in the store through the admin's
// client.
func storedPolicy(ctx context.Context, c *client.Client) (*Policy, error) {
	p := &Policy{}
	roles, err := client.For[*api.Role](c).List(ctx, "", client.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("listing roles: %v", err)
	}
	clusterRoles, err := client.For[*api.ClusterRole](c).List(ctx, "", client.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("listing clusterroles: %v", err)
	}
	roleBindings, err := client.For[*api.RoleBinding](c).List(ctx, "", client.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("listing rolebindings: %v", err)
	}
	clusterRoleBindings, err := client.For[*api.ClusterRoleBinding](c).List(ctx, "", client.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("listing clusterrolebindings: %v", err)
	}
	p.roles, p.clusterRoles, p.roleBindings, p.clusterRoleBindings = roles.Items, clusterRoles.Items, roleBindings.Items, clusterRoleBindings.Items
	return p, nil
}
