package authzmodel

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/apiserver"
	"github.com/tinykube/tinykube/core/auth"
	"github.com/tinykube/tinykube/core/auth/authorizer"
	"github.com/tinykube/tinykube/core/auth/rbac"
	"github.com/tinykube/tinykube/core/clock"
	"github.com/tinykube/tinykube/core/rest"
	"github.com/tinykube/tinykube/core/store"
	"pgregory.net/rapid"
)

// storeSource serves rbac.Decide the RBAC objects in a store, read afresh
// on every call.
type storeSource struct{ st store.Store }

func listAll[T api.Object](st store.Store, plural string) []T {
	l, err := st.List(context.Background(), "/registry/"+plural+"/", store.ListOptions{})
	if err != nil {
		panic(err)
	}
	var out []T
	for _, kv := range l.KVs {
		o := api.ResourceByPlural(api.RBACGroup, plural).New().(T)
		if err := json.Unmarshal(kv.Value, o); err != nil {
			panic(err)
		}
		out = append(out, o)
	}
	return out
}

func (s storeSource) ClusterRoleBindings() []*api.ClusterRoleBinding {
	return listAll[*api.ClusterRoleBinding](s.st, "clusterrolebindings")
}

func (s storeSource) RoleBindings(ns string) []*api.RoleBinding {
	var out []*api.RoleBinding
	for _, b := range listAll[*api.RoleBinding](s.st, "rolebindings") {
		if b.Namespace == ns {
			out = append(out, b)
		}
	}
	return out
}

func (s storeSource) Role(ns, name string) *api.Role {
	for _, r := range listAll[*api.Role](s.st, "roles") {
		if r.Namespace == ns && r.Name == name {
			return r
		}
	}
	return nil
}

func (s storeSource) ClusterRole(name string) *api.ClusterRole {
	for _, r := range listAll[*api.ClusterRole](s.st, "clusterroles") {
		if r.Name == name {
			return r
		}
	}
	return nil
}

// decideAuthorizer is the chain the API server is meant to run, built
// here from rbac.Decide over the store: system:masters may do anything,
// RBAC decides the rest.
func decideAuthorizer(st store.Store) authorizer.Authorizer {
	return authorizer.Func(func(_ context.Context, a authorizer.Attributes) (authorizer.Decision, string, error) {
		if a.User != nil && a.User.InGroup(auth.Masters) {
			return authorizer.Allow, "", nil
		}
		if ok, reason := rbac.Decide(storeSource{st}, a); ok {
			return authorizer.Allow, reason, nil
		}
		return authorizer.NoOpinion, "", nil
	})
}

// requestFor builds the API request a's user would send.
func requestFor(a authorizer.Attributes) *rest.Request {
	req := &rest.Request{Query: url.Values{}, User: a.User}
	if !a.ResourceRequest {
		req.Method, req.Path = strings.ToUpper(a.Verb), a.Path
		return req
	}
	p := "/api/v1"
	if a.APIGroup != "" {
		p = "/apis/" + a.APIGroup + "/v1"
	}
	if a.Namespace != "" {
		p += "/namespaces/" + a.Namespace
	}
	p += "/" + a.Resource
	if a.Name != "" {
		p += "/" + a.Name
	}
	if a.Subresource != "" {
		p += "/" + a.Subresource
	}
	req.Path = p
	switch a.Verb {
	case "get", "list":
		req.Method = http.MethodGet
	case "watch":
		req.Method = http.MethodGet
		req.Query.Set("watch", "true")
	case "create":
		req.Method = http.MethodPost
	case "update":
		req.Method = http.MethodPut
	case "patch":
		req.Method, req.ContentType = http.MethodPatch, rest.ContentMergePatch
	case "delete", "deletecollection":
		req.Method = http.MethodDelete
	}
	if req.Method != http.MethodGet {
		req.Body = []byte("{}")
		if req.ContentType == "" {
			req.ContentType = rest.ContentJSON
		}
	}
	return req
}

// admitPolicy creates p's objects through srv as the admin and returns
// the policy of those the server accepted.
func admitPolicy(t *rapid.T, srv *apiserver.Server, p Policy) Policy {
	ctx := context.Background()
	admin := auth.AdminUser()
	post := func(path string, obj any) []byte {
		body, err := json.Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		resp := srv.Handle(ctx, &rest.Request{Method: http.MethodPost, Path: path, ContentType: rest.ContentJSON, Body: body, User: admin})
		if resp.Code != http.StatusCreated {
			t.Logf("POST %s = %d %s: left out of the model", path, resp.Code, resp.Body)
			return nil
		}
		return resp.Body
	}
	for _, ns := range genNamespaces {
		post("/api/v1/namespaces", &api.Namespace{TypeMeta: api.TypeMeta{APIVersion: "v1", Kind: "Namespace"}, ObjectMeta: meta("", ns)})
	}
	const base = "/apis/" + api.RBACGroup + "/v1"
	tm := func(kind string) api.TypeMeta { return api.TypeMeta{APIVersion: api.RBACGroup + "/v1", Kind: kind} }
	var got Policy
	decode := func(body []byte, into any) bool {
		if body == nil {
			return false
		}
		if err := json.Unmarshal(body, into); err != nil {
			t.Fatal(err)
		}
		return true
	}
	for _, r := range p.Roles {
		o := *r
		o.TypeMeta = tm("Role")
		var back api.Role
		if decode(post(base+"/namespaces/"+r.Namespace+"/roles", &o), &back) {
			got.Roles = append(got.Roles, &back)
		}
	}
	for _, r := range p.ClusterRoles {
		o := *r
		o.TypeMeta = tm("ClusterRole")
		var back api.ClusterRole
		if decode(post(base+"/clusterroles", &o), &back) {
			got.ClusterRoles = append(got.ClusterRoles, &back)
		}
	}
	for _, b := range p.RoleBindings {
		o := *b
		o.TypeMeta = tm("RoleBinding")
		var back api.RoleBinding
		if decode(post(base+"/namespaces/"+b.Namespace+"/rolebindings", &o), &back) {
			got.RoleBindings = append(got.RoleBindings, &back)
		}
	}
	for _, b := range p.ClusterRoleBindings {
		o := *b
		o.TypeMeta = tm("ClusterRoleBinding")
		var back api.ClusterRoleBinding
		if decode(post(base+"/clusterrolebindings", &o), &back) {
			got.ClusterRoleBindings = append(got.ClusterRoleBindings, &back)
		}
	}
	return got
}

// checkThroughServer creates a random policy through a fresh API server as
// the admin, then sends random requests as random users and requires the
// server to answer 403 exactly when the model denies.
func checkThroughServer(t *rapid.T, newServer func(store.Store) *apiserver.Server) {
	st := store.NewMemory()
	srv := newServer(st)
	m := Compile(admitPolicy(t, srv, genPolicy().Draw(t, "policy")))
	for i, n := 0, rapid.IntRange(1, 15).Draw(t, "requests"); i < n; i++ {
		a := genAttributes().Draw(t, "request")
		req := requestFor(a)
		classified := authorizer.AttributesFor(req)
		classified.APIVersion, a.APIVersion = "", ""
		if diff := cmp.Diff(a, classified); diff != "" {
			t.Fatalf("AttributesFor(%s %s) differs from the request drawn (-drawn +classified):\n%s", req.Method, req.Path, diff)
		}
		resp := srv.Handle(context.Background(), req)
		if resp.Stream != nil {
			resp.Stream.Stop()
		}
		want, why := m.Allows(a)
		if got := resp.Code != http.StatusForbidden; got != want {
			t.Fatalf("%s %s as %s (groups %v) = %d %s, want allowed=%v as the model says (%s)", req.Method, req.Path, a.User.Name, a.User.Groups, resp.Code, resp.Body, want, why)
		}
	}
}

var t0 = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

// Through the API server's authorize step, with rbac.Decide deciding over
// the objects the server stored: the requests are classified (Attributes
// For), decided and answered 403 exactly as the model says.
func TestServerWithDecideAgreesWithModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		checkThroughServer(t, func(st store.Store) *apiserver.Server {
			return apiserver.New(apiserver.Config{Store: st, Clock: &clock.Fixed{T: t0}, Rand: rand.New(rand.NewPCG(1, 2)), Authorizer: decideAuthorizer(st)})
		})
	})
}

// The same through the server's built-in Node,RBAC chain
// (Config.Authorization), where the server keeps its own cache of the
// RBAC objects.
func TestBuiltinAuthorizationAgreesWithModel(t *testing.T) {
	newServer := func(st store.Store) *apiserver.Server {
		return apiserver.New(apiserver.Config{Store: st, Clock: &clock.Fixed{T: t0}, Rand: rand.New(rand.NewPCG(1, 2)), Authorization: &apiserver.Authorization{}})
	}
	probe := newServer(store.NewMemory()).Handle(context.Background(), &rest.Request{Method: http.MethodGet, Path: "/api/v1/namespaces/ns-a/secrets", User: &rest.UserInfo{Name: "nobody"}})
	if probe.Code != http.StatusForbidden {
		t.Skipf("the API server does not build its Node,RBAC chain from Config.Authorization yet (a user with no role listed secrets: %d)", probe.Code)
	}
	rapid.Check(t, func(t *rapid.T) { checkThroughServer(t, newServer) })
}
