package apiserver

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
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/clock"
	"github.com/tinykube/tinykube/core/rest"
	"github.com/tinykube/tinykube/core/store"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// fixture is an API server over a memory store, with a client calling it
// in-process.
type fixture struct {
	t      *testing.T
	store  *store.Memory
	clock  *clock.Fixed
	server *Server
	client *client.Client
	ctx    context.Context
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, store: store.NewMemory(), clock: &clock.Fixed{T: t0}, ctx: context.Background()}
	f.server = New(Config{Store: f.store, Clock: f.clock, Rand: rand.New(rand.NewPCG(1, 2)), Version: "test"})
	if err := f.server.Bootstrap(f.ctx); err != nil {
		t.Fatalf("Bootstrap: %v", err)
	}
	f.client = client.New(client.Local(f.server.Handle))
	return f
}

// do sends a raw request and returns the response.
func (f *fixture) do(method, path, contentType string, body string, query ...string) *rest.Response {
	f.t.Helper()
	q := url.Values{}
	for i := 0; i+1 < len(query); i += 2 {
		q.Set(query[i], query[i+1])
	}
	return f.server.Handle(f.ctx, &rest.Request{Method: method, Path: path, Query: q, ContentType: contentType, Body: []byte(body)})
}

// status decodes a Status from a response.
func status(t *testing.T, resp *rest.Response) api.Status {
	t.Helper()
	var st api.Status
	if err := json.Unmarshal(resp.Body, &st); err != nil || st.Kind != "Status" {
		t.Fatalf("response %d is not a Status: %s", resp.Code, resp.Body)
	}
	return st
}

func pods(f *fixture) client.Resource[*api.Pod] { return client.For[*api.Pod](f.client) }
func deploys(f *fixture) client.Resource[*api.Deployment] {
	return client.For[*api.Deployment](f.client)
}
func configMaps(f *fixture) client.Resource[*api.ConfigMap] {
	return client.For[*api.ConfigMap](f.client)
}

func newPod(name string, labels map[string]string) *api.Pod {
	return &api.Pod{
		ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default", Labels: labels},
		Spec:       api.PodSpec{Containers: []api.Container{{Name: "c", Image: "busybox"}}},
	}
}

func newDeployment(name string, replicas int32) *api.Deployment {
	labels := map[string]string{"app": name}
	return &api.Deployment{
		ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default"},
		Spec: api.DeploymentSpec{
			Replicas: &replicas,
			Selector: &api.LabelSelector{MatchLabels: labels},
			Template: api.PodTemplateSpec{
				ObjectMeta: api.ObjectMeta{Labels: labels},
				Spec:       api.PodSpec{Containers: []api.Container{{Name: "web", Image: "busybox"}}},
			},
		},
	}
}

func TestBootstrapCreatesSystemNamespacesOnce(t *testing.T) {
	f := newFixture(t)
	if err := f.server.Bootstrap(f.ctx); err != nil {
		t.Fatalf("second Bootstrap: %v", err)
	}
	l, err := client.For[*api.Namespace](f.client).List(f.ctx, "", client.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, ns := range l.Items {
		names = append(names, ns.Name)
		if ns.Status.Phase != api.NamespaceActive {
			t.Errorf("namespace %s phase = %q, want Active", ns.Name, ns.Status.Phase)
		}
	}
	if diff := cmp.Diff([]string{"default", "kube-node-lease", "kube-public", "kube-system"}, names); diff != "" {
		t.Errorf("namespaces (-want +got):\n%s", diff)
	}
}

func TestCreateStampsServerFields(t *testing.T) {
	f := newFixture(t)
	in := newDeployment("web", 3)
	in.UID = "forged"
	in.Generation = 7
	in.Status.Replicas = 99
	got, err := deploys(f).Create(f.ctx, in, client.WriteOptions{})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if got.UID == "" || got.UID == "forged" {
		t.Errorf("uid = %q, want a fresh server-made uid", got.UID)
	}
	if got.Generation != 1 {
		t.Errorf("generation = %d, want 1", got.Generation)
	}
	if got.ResourceVersion == "" {
		t.Errorf("resourceVersion is empty")
	}
	if got.CreationTimestamp == nil || !got.CreationTimestamp.Equal(t0) {
		t.Errorf("creationTimestamp = %v, want %v (the injected clock)", got.CreationTimestamp, t0)
	}
	if got.Status.Replicas != 0 {
		t.Errorf("status.replicas = %d, want 0: status is not the client's to set", got.Status.Replicas)
	}
	if got.APIVersion != "apps/v1" || got.Kind != "Deployment" {
		t.Errorf("apiVersion/kind = %s/%s, want apps/v1/Deployment", got.APIVersion, got.Kind)
	}
	again, err := deploys(f).Get(f.ctx, "default", "web")
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if diff := cmp.Diff(got, again); diff != "" {
		t.Errorf("Get differs from Create's answer (-create +get):\n%s", diff)
	}
}

func TestCreateErrors(t *testing.T) {
	f := newFixture(t)
	if _, err := pods(f).Create(f.ctx, newPod("a", nil), client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		path, body string
		code       int
		reason     api.StatusReason
		msg        string
	}{
		{"duplicate", "/api/v1/namespaces/default/pods", `{"metadata":{"name":"a"},"spec":{"containers":[{"name":"c","image":"i"}]}}`,
			409, api.ReasonAlreadyExists, `pods "a" already exists`},
		{"missing namespace", "/api/v1/namespaces/nope/pods", `{"metadata":{"name":"b"},"spec":{"containers":[{"name":"c","image":"i"}]}}`,
			404, api.ReasonNotFound, `namespaces "nope" not found`},
		{"invalid name", "/api/v1/namespaces/default/pods", `{"metadata":{"name":"Bad_Name"},"spec":{"containers":[{"name":"c","image":"i"}]}}`,
			422, api.ReasonInvalid, "metadata.name"},
		{"wrong kind", "/api/v1/namespaces/default/pods", `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"c"}}`,
			400, api.ReasonBadRequest, "do not match"},
		{"namespace mismatch", "/api/v1/namespaces/default/pods", `{"metadata":{"name":"d","namespace":"kube-system"},"spec":{"containers":[{"name":"c","image":"i"}]}}`,
			400, api.ReasonBadRequest, "does not match the namespace"},
		{"not json", "/api/v1/namespaces/default/pods", `{"metadata":`, 400, api.ReasonBadRequest, "not a valid Pod"},
		{"type error names field", "/api/v1/namespaces/default/pods", `{"metadata":{"name":"e"},"spec":{"containers":"x"}}`,
			400, api.ReasonBadRequest, "spec.containers"},
		{"unknown resource", "/api/v1/namespaces/default/widgets", `{}`, 404, api.ReasonNotFound, "could not find"},
		{"resourceVersion on create", "/api/v1/namespaces/default/pods", `{"metadata":{"name":"f","resourceVersion":"5"},"spec":{"containers":[{"name":"c","image":"i"}]}}`,
			400, api.ReasonBadRequest, "resourceVersion"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := f.store.Revision(f.ctx)
			resp := f.do(http.MethodPost, tt.path, rest.ContentJSON, tt.body)
			st := status(t, resp)
			if resp.Code != tt.code || st.Reason != tt.reason || !strings.Contains(st.Message, tt.msg) {
				t.Errorf("POST %s = %d %s %q, want %d %s containing %q", tt.path, resp.Code, st.Reason, st.Message, tt.code, tt.reason, tt.msg)
			}
			if after, _ := f.store.Revision(f.ctx); after != before {
				t.Errorf("a refused create wrote to the store (revision %d -> %d)", before, after)
			}
		})
	}
}

func TestBodyTooLarge(t *testing.T) {
	f := newFixture(t)
	big := `{"metadata":{"name":"big"},"data":{"k":"` + strings.Repeat("x", rest.MaxBodyBytes) + `"}}`
	resp := f.do(http.MethodPost, "/api/v1/namespaces/default/configmaps", rest.ContentJSON, big)
	if st := status(t, resp); resp.Code != 413 || st.Reason != api.ReasonRequestEntityTooLarge {
		t.Errorf("oversized POST = %d %s, want 413 RequestEntityTooLarge", resp.Code, st.Reason)
	}
}

func TestPodLogAndExecNeedANode(t *testing.T) {
	f := newFixture(t)
	// Only the HTTP front reaches nodes; in process the answer says so.
	for _, sub := range []string{"log", "exec"} {
		resp := f.do(http.MethodGet, "/api/v1/namespaces/default/pods/web/"+sub, "", "")
		if st := status(t, resp); resp.Code != 503 || !strings.Contains(st.Message, "reaches no nodes") {
			t.Errorf("GET pods/web/%s in process = %d %q, want 503 saying no node is reachable", sub, resp.Code, st.Message)
		}
	}
	resp := f.do(http.MethodGet, "/api/v1/namespaces/default/configmaps/c/log", "", "")
	if resp.Code != 404 {
		t.Errorf("GET configmaps/c/log = %d, want 404: only pods have logs", resp.Code)
	}
}

func TestGenerateName(t *testing.T) {
	f := newFixture(t)
	seen := map[string]bool{}
	for i := 0; i < 20; i++ {
		p := newPod("", nil)
		p.GenerateName = "web-"
		got, err := pods(f).Create(f.ctx, p, client.WriteOptions{})
		if err != nil {
			t.Fatalf("Create #%d: %v", i, err)
		}
		if !strings.HasPrefix(got.Name, "web-") || len(got.Name) != len("web-")+5 || seen[got.Name] {
			t.Errorf("generated name %q: want web- plus 5 fresh characters", got.Name)
		}
		seen[got.Name] = true
	}
}

func TestUpdateConflictAndGeneration(t *testing.T) {
	f := newFixture(t)
	d, err := deploys(f).Create(f.ctx, newDeployment("web", 1), client.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	stale := api.DeepCopy(d)

	// A label change is not a spec change: generation stays.
	d.Labels = map[string]string{"tier": "front"}
	d, err = deploys(f).Update(f.ctx, d, client.WriteOptions{})
	if err != nil {
		t.Fatalf("Update labels: %v", err)
	}
	if d.Generation != 1 {
		t.Errorf("after a label change generation = %d, want 1", d.Generation)
	}
	// A spec change bumps it.
	three := int32(3)
	d.Spec.Replicas = &three
	d, err = deploys(f).Update(f.ctx, d, client.WriteOptions{})
	if err != nil {
		t.Fatalf("Update replicas: %v", err)
	}
	if d.Generation != 2 {
		t.Errorf("after a spec change generation = %d, want 2", d.Generation)
	}
	// The stale copy conflicts.
	_, err = deploys(f).Update(f.ctx, stale, client.WriteOptions{})
	if !api.IsConflict(err) {
		t.Fatalf("Update with a stale resourceVersion: err = %v, want Conflict", err)
	}
	if se := err.(*api.StatusError); se.Status.Code != 409 {
		t.Errorf("conflict code = %d, want 409", se.Status.Code)
	}
	// Without a resourceVersion an update is unconditional.
	stale.ResourceVersion = ""
	stale.Labels = map[string]string{"x": "y"}
	if _, err := deploys(f).Update(f.ctx, stale, client.WriteOptions{}); err != nil {
		t.Errorf("unconditional Update: %v", err)
	}
	// An update that changes nothing does not write.
	cur, _ := deploys(f).Get(f.ctx, "default", "web")
	same, err := deploys(f).Update(f.ctx, cur, client.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if same.ResourceVersion != cur.ResourceVersion {
		t.Errorf("no-op update moved resourceVersion %s -> %s", cur.ResourceVersion, same.ResourceVersion)
	}
}

func TestStatusSubresource(t *testing.T) {
	f := newFixture(t)
	d, err := deploys(f).Create(f.ctx, newDeployment("web", 2), client.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// A status write changes status only, even if it carries a spec edit.
	w := api.DeepCopy(d)
	w.Status.Replicas = 2
	five := int32(5)
	w.Spec.Replicas = &five
	got, err := deploys(f).UpdateStatus(f.ctx, w, client.WriteOptions{})
	if err != nil {
		t.Fatalf("UpdateStatus: %v", err)
	}
	if got.Status.Replicas != 2 || *got.Spec.Replicas != 2 || got.Generation != 1 {
		t.Errorf("after UpdateStatus: status.replicas=%d spec.replicas=%d generation=%d, want 2, 2, 1",
			got.Status.Replicas, *got.Spec.Replicas, got.Generation)
	}
	// A main update leaves status alone.
	u := api.DeepCopy(got)
	u.Status.Replicas = 0
	u.Spec.Replicas = &five
	got, err = deploys(f).Update(f.ctx, u, client.WriteOptions{})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if got.Status.Replicas != 2 || *got.Spec.Replicas != 5 {
		t.Errorf("after Update: status.replicas=%d spec.replicas=%d, want 2, 5", got.Status.Replicas, *got.Spec.Replicas)
	}
}

func TestPatch(t *testing.T) {
	f := newFixture(t)
	cm := &api.ConfigMap{ObjectMeta: api.ObjectMeta{Name: "cfg", Namespace: "default"}, Data: map[string]string{"a": "1", "b": "2"}}
	if _, err := configMaps(f).Create(f.ctx, cm, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	got, err := configMaps(f).Patch(f.ctx, "default", "cfg", rest.ContentMergePatch, []byte(`{"data":{"a":null,"c":"3"}}`), "", client.WriteOptions{})
	if err != nil {
		t.Fatalf("merge patch: %v", err)
	}
	if diff := cmp.Diff(map[string]string{"b": "2", "c": "3"}, got.Data); diff != "" {
		t.Errorf("after merge patch (-want +got):\n%s", diff)
	}
	got, err = configMaps(f).Patch(f.ctx, "default", "cfg", rest.ContentJSONPatch,
		[]byte(`[{"op":"test","path":"/data/b","value":"2"},{"op":"replace","path":"/data/b","value":"20"},{"op":"add","path":"/metadata/labels","value":{"x":"y"}},{"op":"move","from":"/data/c","path":"/data/d"}]`), "", client.WriteOptions{})
	if err != nil {
		t.Fatalf("json patch: %v", err)
	}
	if diff := cmp.Diff(map[string]string{"b": "20", "d": "3"}, got.Data); diff != "" || got.Labels["x"] != "y" {
		t.Errorf("after json patch: data (-want +got):\n%s labels=%v", diff, got.Labels)
	}
	// A failing test op fails the whole patch and writes nothing.
	_, err = configMaps(f).Patch(f.ctx, "default", "cfg", rest.ContentJSONPatch,
		[]byte(`[{"op":"replace","path":"/data/b","value":"x"},{"op":"test","path":"/data/b","value":"nope"}]`), "", client.WriteOptions{})
	if !api.IsInvalid(err) {
		t.Errorf("failing JSON patch: err = %v, want Invalid", err)
	}
	// A resourceVersion in a patch is a precondition.
	_, err = configMaps(f).Patch(f.ctx, "default", "cfg", rest.ContentMergePatch, []byte(`{"metadata":{"resourceVersion":"1"},"data":{"z":"1"}}`), "", client.WriteOptions{})
	if !api.IsConflict(err) {
		t.Errorf("patch with a stale resourceVersion: err = %v, want Conflict", err)
	}
	after, _ := configMaps(f).Get(f.ctx, "default", "cfg")
	if after.ResourceVersion != got.ResourceVersion {
		t.Errorf("a refused patch wrote (resourceVersion %s -> %s)", got.ResourceVersion, after.ResourceVersion)
	}
	resp := f.do(http.MethodPatch, "/api/v1/namespaces/default/configmaps/cfg", "application/x-unknown-patch+json", `{}`)
	if resp.Code != 415 || !strings.Contains(string(resp.Body), "application/x-unknown-patch+json") {
		t.Errorf("unknown patch type = %d %s, want 415 naming the type", resp.Code, resp.Body)
	}
}

func TestDeleteWithFinalizers(t *testing.T) {
	f := newFixture(t)
	cm := &api.ConfigMap{ObjectMeta: api.ObjectMeta{Name: "cfg", Namespace: "default", Finalizers: []string{"example.com/hold"}}}
	if _, err := configMaps(f).Create(f.ctx, cm, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Minute)
	marked, err := configMaps(f).Delete(f.ctx, "default", "cfg", client.DeleteOptions{})
	if err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if marked.DeletionTimestamp == nil || !marked.DeletionTimestamp.Equal(t0.Add(time.Minute)) {
		t.Fatalf("deletionTimestamp = %v, want %v", marked.DeletionTimestamp, t0.Add(time.Minute))
	}
	// New finalizers cannot be added while deleting.
	add := api.DeepCopy(marked)
	add.Finalizers = append(add.Finalizers, "example.com/another")
	if _, err := configMaps(f).Update(f.ctx, add, client.WriteOptions{}); !api.IsInvalid(err) {
		t.Errorf("adding a finalizer during deletion: err = %v, want Invalid", err)
	}
	// Removing the last finalizer deletes the object.
	marked.Finalizers = nil
	if _, err := configMaps(f).Update(f.ctx, marked, client.WriteOptions{}); err != nil {
		t.Fatalf("removing the finalizer: %v", err)
	}
	if _, err := configMaps(f).Get(f.ctx, "default", "cfg"); !api.IsNotFound(err) {
		t.Errorf("after the last finalizer went: Get err = %v, want NotFound", err)
	}
}

func TestGracefulPodDelete(t *testing.T) {
	f := newFixture(t)
	p := newPod("web", nil)
	p.Spec.NodeName = "n1"
	if _, err := pods(f).Create(f.ctx, p, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	got, err := pods(f).Delete(f.ctx, "default", "web", client.DeleteOptions{})
	if err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if got.DeletionGracePeriodSeconds == nil || *got.DeletionGracePeriodSeconds != 30 {
		t.Fatalf("deletionGracePeriodSeconds = %v, want 30 (the default)", got.DeletionGracePeriodSeconds)
	}
	if !got.DeletionTimestamp.Equal(t0.Add(30 * time.Second)) {
		t.Errorf("deletionTimestamp = %v, want now + 30s", got.DeletionTimestamp)
	}
	// The kubelet confirms with grace 0 once its containers are gone.
	zero := int64(0)
	if _, err := pods(f).Delete(f.ctx, "default", "web", client.DeleteOptions{GracePeriodSeconds: &zero}); err != nil {
		t.Fatalf("Delete with grace 0: %v", err)
	}
	if _, err := pods(f).Get(f.ctx, "default", "web"); !api.IsNotFound(err) {
		t.Errorf("after grace 0: Get err = %v, want NotFound", err)
	}
	// An unscheduled pod goes at once.
	if _, err := pods(f).Create(f.ctx, newPod("pending", nil), client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := pods(f).Delete(f.ctx, "default", "pending", client.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := pods(f).Get(f.ctx, "default", "pending"); !api.IsNotFound(err) {
		t.Errorf("unscheduled pod after delete: Get err = %v, want NotFound", err)
	}
}

func TestDeletePreconditionsAndNamespaces(t *testing.T) {
	f := newFixture(t)
	if _, err := pods(f).Create(f.ctx, newPod("a", nil), client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := pods(f).Delete(f.ctx, "default", "a", client.DeleteOptions{UID: "not-it"}); !api.IsConflict(err) {
		t.Errorf("delete with a wrong uid precondition: err = %v, want Conflict", err)
	}
	nsr := client.For[*api.Namespace](f.client)
	if _, err := nsr.Delete(f.ctx, "", "default", client.DeleteOptions{}); api.ReasonOf(err) != api.ReasonForbidden {
		t.Errorf("deleting namespace default: err = %v, want Forbidden", err)
	}
	// Deleting a namespace with content: see namespace_lifecycle_test.go.
}

func TestListSelectorsAndPages(t *testing.T) {
	f := newFixture(t)
	for i, name := range []string{"a", "b", "c", "d", "e"} {
		app := "web"
		if i%2 == 1 {
			app = "db"
		}
		if _, err := pods(f).Create(f.ctx, newPod(name, map[string]string{"app": app}), client.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	names := func(l *api.List[*api.Pod]) []string {
		var out []string
		for _, p := range l.Items {
			out = append(out, p.Name)
		}
		return out
	}
	l, err := pods(f).List(f.ctx, "default", client.ListOptions{LabelSelector: "app=web"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a", "c", "e"}, names(l)); diff != "" {
		t.Errorf("app=web (-want +got):\n%s", diff)
	}
	l, err = pods(f).List(f.ctx, "default", client.ListOptions{FieldSelector: "metadata.name=d"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"d"}, names(l)); diff != "" {
		t.Errorf("metadata.name=d (-want +got):\n%s", diff)
	}
	// Pages are one snapshot: a pod created between pages is not seen.
	var got []string
	opts := client.ListOptions{Limit: 2}
	for page := 0; ; page++ {
		l, err := pods(f).List(f.ctx, "default", opts)
		if err != nil {
			t.Fatalf("page %d: %v", page, err)
		}
		got = append(got, names(l)...)
		if page == 0 {
			if _, err := pods(f).Create(f.ctx, newPod("b2", nil), client.WriteOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		if l.Continue == "" {
			break
		}
		opts.Continue = l.Continue
	}
	if diff := cmp.Diff([]string{"a", "b", "c", "d", "e"}, got); diff != "" {
		t.Errorf("paged list (-want +got):\n%s", diff)
	}
	resp := f.do(http.MethodGet, "/api/v1/namespaces/default/pods", "", "", "continue", "garbage")
	if resp.Code != 400 {
		t.Errorf("list with a bad continue token = %d, want 400", resp.Code)
	}
	resp = f.do(http.MethodGet, "/api/v1/namespaces/default/pods", "", "", "labelSelector", "a in (")
	if resp.Code != 400 {
		t.Errorf("list with a bad label selector = %d, want 400", resp.Code)
	}
}

func TestDiscoveryAndHealth(t *testing.T) {
	f := newFixture(t)
	for _, tt := range []struct{ path, want string }{
		{"/healthz", "ok"},
		{"/readyz", "ok"},
		{"/version", `"gitVersion":"v1.37.0+tinykube.test"`},
		{"/api", `"versions":["v1"]`},
		{"/apis", `"name":"apps"`},
		{"/api/v1", `"name":"pods"`},
		{"/apis/apps/v1", `"name":"deployments/status"`},
	} {
		resp := f.do(http.MethodGet, tt.path, "", "")
		if resp.Code != 200 || !strings.Contains(string(resp.Body), tt.want) {
			t.Errorf("GET %s = %d %s, want 200 containing %s", tt.path, resp.Code, resp.Body, tt.want)
		}
	}
	if resp := f.do(http.MethodGet, "/apis/nope/v1", "", ""); resp.Code != 404 {
		t.Errorf("GET /apis/nope/v1 = %d, want 404", resp.Code)
	}
}

func TestFieldValidation(t *testing.T) {
	// The body has an unknown field in a list item, a repeated key in a
	// map (labels) and in a list item, and a field tinykube knows but does
	// not implement (terminationMessagePath).
	body := `{"metadata":{"name":"p","labels":{"a":"1","a":"2"}},"spec":{"containers":[{"name":"c","image":"i","image":"j",` +
		`"terminationMessagePath":"/x","frobnicate":true}]}}`
	refused := []string{
		`unknown field "spec.containers[0].frobnicate"`,
		`duplicate field "metadata.labels[a]"`,
		`duplicate field "spec.containers[0].image"`,
	}
	notImpl := `field "spec.containers[0].terminationMessagePath" is accepted but not implemented by tinykube: termination messages are not collected; the container's exit code and logs are`
	for _, tt := range []struct {
		level        string // the fieldValidation query parameter
		wantCode     int
		wantMessage  string
		wantWarnings []string
	}{
		{"Strict", 400, "strict decoding error: " + strings.Join(refused, ", "), append(append([]string(nil), refused...), notImpl)},
		{"Warn", 201, "", append(append([]string(nil), refused...), notImpl)},
		{"", 201, "", append(append([]string(nil), refused...), notImpl)},
		{"Ignore", 201, "", nil},
		{"strict", 400, `fieldValidation "strict" is not one of Ignore, Warn, Strict`, nil},
	} {
		t.Run("create/"+tt.level, func(t *testing.T) {
			f := newFixture(t)
			var q []string
			if tt.level != "" {
				q = []string{"fieldValidation", tt.level}
			}
			resp := f.do(http.MethodPost, "/api/v1/namespaces/default/pods", rest.ContentJSON, body, q...)
			if resp.Code != tt.wantCode {
				t.Fatalf("create = %d %s, want %d", resp.Code, resp.Body, tt.wantCode)
			}
			if tt.wantMessage != "" {
				if st := status(t, resp); st.Message != tt.wantMessage || st.Reason != api.ReasonBadRequest {
					t.Errorf("create: %s %q, want BadRequest %q", st.Reason, st.Message, tt.wantMessage)
				}
			}
			if tt.wantCode == 400 && tt.level == "Strict" {
				if got := f.do(http.MethodGet, "/api/v1/namespaces/default/pods/p", "", ""); got.Code != 404 {
					t.Errorf("after a refused create: GET = %d, want 404 (nothing stored)", got.Code)
				}
				return
			}
			if tt.wantCode == 201 {
				if diff := cmp.Diff(tt.wantWarnings, resp.Warnings); diff != "" {
					t.Errorf("create warnings (-want +got):\n%s", diff)
				}
				// The last of repeated keys wins, as in Kubernetes.
				if got := string(f.do(http.MethodGet, "/api/v1/namespaces/default/pods/p", "", "").Body); !strings.Contains(got, `"a":"2"`) || !strings.Contains(got, `"image":"j"`) {
					t.Errorf("stored pod %s, want the last of each repeated key", got)
				}
			}
		})
	}
}

func TestFieldValidationUpdateAndPatch(t *testing.T) {
	f := newFixture(t)
	if resp := f.do(http.MethodPost, "/api/v1/namespaces/default/pods", rest.ContentJSON,
		`{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"i","terminationMessagePath":"/x"}]}}`); resp.Code != 201 {
		t.Fatalf("create = %d %s", resp.Code, resp.Body)
	}
	for _, tt := range []struct {
		name         string
		method, ct   string
		body         string
		level        string
		wantCode     int
		wantWarnings []string // for 2xx; the Status message for 400
	}{
		// A patch is warned about only for what it adds, not for the
		// server's defaults or the not-implemented fields already stored.
		{"label patch", http.MethodPatch, rest.ContentMergePatch, `{"metadata":{"labels":{"a":"b"}}}`, "Strict", 200, nil},
		{"strict patch, unknown", http.MethodPatch, rest.ContentMergePatch, `{"metadata":{"bogus":1}}`, "Strict", 400,
			[]string{`strict decoding error: unknown field "metadata.bogus"`}},
		{"strict patch, duplicate in a map", http.MethodPatch, rest.ContentMergePatch, `{"metadata":{"labels":{"x":"1","x":"2"}}}`, "Strict", 400,
			[]string{`strict decoding error: duplicate field "metadata.labels[x]"`}},
		{"warn patch, duplicate", http.MethodPatch, rest.ContentMergePatch, `{"spec":{"activeDeadlineSeconds":5,"activeDeadlineSeconds":6}}`, "Warn", 200,
			[]string{`duplicate field "spec.activeDeadlineSeconds"`}},
		{"ignore patch, unknown", http.MethodPatch, rest.ContentMergePatch, `{"spec":{"nope":1}}`, "Ignore", 200, nil},
		{"strict update, nested unknown and duplicate", http.MethodPut, rest.ContentJSON,
			`{"metadata":{"name":"p","name":"p"},"spec":{"containers":[{"name":"c","image":"i","volumeMounts":[{"name":"v","mountPath":"/v","deep":1}]}]}}`, "Strict", 400,
			[]string{`strict decoding error: unknown field "spec.containers[0].volumeMounts[0].deep", duplicate field "metadata.name"`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp := f.do(tt.method, "/api/v1/namespaces/default/pods/p", tt.ct, tt.body, "fieldValidation", tt.level)
			if resp.Code != tt.wantCode {
				t.Fatalf("%s = %d %s, want %d", tt.method, resp.Code, resp.Body, tt.wantCode)
			}
			got := resp.Warnings
			if resp.Code == 400 {
				got = []string{status(t, resp).Message}
			}
			if diff := cmp.Diff(tt.wantWarnings, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestServiceUpdateKeepsClusterIP(t *testing.T) {
	f := newFixture(t)
	svcs := client.For[*api.Service](f.client)
	in := &api.Service{ObjectMeta: api.ObjectMeta{Name: "web", Namespace: "default"},
		Spec: api.ServiceSpec{ClusterIP: "10.96.0.10", Selector: map[string]string{"app": "web"}, Ports: []api.ServicePort{{Port: 80}}}}
	if _, err := svcs.Create(f.ctx, in, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	// A manifest applied again without the cluster IP keeps it.
	in.Spec.ClusterIP = ""
	in.Spec.Ports[0].Port = 8080
	got, err := svcs.Update(f.ctx, in, client.WriteOptions{})
	if err != nil {
		t.Fatalf("Update without clusterIP: %v", err)
	}
	if got.Spec.ClusterIP != "10.96.0.10" || got.Spec.Ports[0].Port != 8080 {
		t.Errorf("after update: clusterIP=%q port=%d, want 10.96.0.10 and 8080", got.Spec.ClusterIP, got.Spec.Ports[0].Port)
	}
	// Changing it is refused.
	got.Spec.ClusterIP = "10.96.0.11"
	if _, err := svcs.Update(f.ctx, got, client.WriteOptions{}); !api.IsInvalid(err) {
		t.Errorf("changing clusterIP: err = %v, want Invalid", err)
	}
}

// Regressions found in review: each once answered wrongly.
func TestReviewRegressions(t *testing.T) {
	f := newFixture(t)
	first, err := configMaps(f).Create(f.ctx, &api.ConfigMap{ObjectMeta: api.ObjectMeta{Name: "a", Namespace: "default"}}, client.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	configMaps(f).Create(f.ctx, &api.ConfigMap{ObjectMeta: api.ObjectMeta{Name: "b", Namespace: "default"}}, client.WriteOptions{})
	rev, _ := f.store.Revision(f.ctx)
	f.store.Compact(f.ctx, rev)

	// An exact-version list of compacted history is 410, not 500.
	resp := f.do(http.MethodGet, "/api/v1/namespaces/default/configmaps", "", "", "resourceVersion", first.ResourceVersion, "resourceVersionMatch", "Exact")
	if st := status(t, resp); resp.Code != 410 || st.Reason != api.ReasonExpired {
		t.Errorf("exact list at a compacted version = %d %s, want 410 Expired", resp.Code, st.Reason)
	}
	// A merge patch that removes resourceVersion sets no precondition.
	resp = f.do(http.MethodPatch, "/api/v1/namespaces/default/configmaps/a", rest.ContentMergePatch, `{"metadata":{"resourceVersion":null},"data":{"k":"v"}}`)
	if resp.Code != 200 {
		t.Errorf("merge patch with resourceVersion null = %d %s, want 200", resp.Code, resp.Body)
	}
	// A namespaced object addressed without a namespace is a bad request
	// for every verb alike.
	for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		resp = f.do(m, "/api/v1/configmaps/a", rest.ContentJSON, `{"metadata":{"name":"a"}}`)
		if resp.Code != 400 {
			t.Errorf("%s /api/v1/configmaps/a = %d, want 400", m, resp.Code)
		}
	}
	// Invalid causes carry the message without repeating the field path.
	resp = f.do(http.MethodPost, "/api/v1/namespaces/default/configmaps", rest.ContentJSON, `{"metadata":{"name":"Bad_Name"}}`)
	st := status(t, resp)
	if st.Details == nil || len(st.Details.Causes) == 0 || st.Details.Causes[0].Field != "metadata.name" ||
		strings.HasPrefix(st.Details.Causes[0].Message, "metadata.name") {
		t.Errorf("invalid causes = %+v, want field metadata.name and a message without the path", st.Details)
	}
}

func TestNamespaceLifecycleThroughCache(t *testing.T) {
	f := newFixture(t)
	nsr := client.For[*api.Namespace](f.client)
	inNS := func(ns, name string) error {
		p := newPod(name, nil)
		p.Namespace = ns
		_, err := pods(f).Create(f.ctx, p, client.WriteOptions{})
		return err
	}
	if err := inNS("default", "warm"); err != nil { // the cache starts here
		t.Fatal(err)
	}
	if _, err := nsr.Create(f.ctx, &api.Namespace{ObjectMeta: api.ObjectMeta{Name: "team", Finalizers: []string{"example.com/hold"}}}, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := inNS("team", "a"); err != nil {
		t.Errorf("create in a new namespace: %v", err)
	}
	if _, err := pods(f).Delete(f.ctx, "team", "a", client.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	// Deleting marks it (it has a finalizer): new content is refused.
	if _, err := nsr.Delete(f.ctx, "", "team", client.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := inNS("team", "b"); api.ReasonOf(err) != api.ReasonForbidden {
		t.Errorf("create in a terminating namespace: err = %v, want Forbidden", err)
	}
	// Once gone, it is not found.
	ns, _ := nsr.Get(f.ctx, "", "team")
	ns.Finalizers = nil
	if _, err := nsr.Update(f.ctx, ns, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if resp := f.do("PUT", "/api/v1/namespaces/team/finalize", rest.ContentJSON, `{"metadata":{"name":"team"},"spec":{"finalizers":[]}}`); resp.Code != 200 {
		t.Fatalf("finalize: %d %s", resp.Code, resp.Body)
	}
	if err := inNS("team", "c"); !api.IsNotFound(err) {
		t.Errorf("create in a deleted namespace: err = %v, want NotFound", err)
	}
}

func TestBindingSetsNodeOnce(t *testing.T) {
	f := newFixture(t)
	p, err := pods(f).Create(f.ctx, newPod("web", nil), client.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Bind(f.ctx, f.client, "default", "web", p.UID, "n1"); err != nil {
		t.Fatalf("Bind: %v", err)
	}
	got, _ := pods(f).Get(f.ctx, "default", "web")
	c := got.Status.FindCondition(api.PodScheduled)
	if got.Spec.NodeName != "n1" || c == nil || c.Status != api.ConditionTrue {
		t.Errorf("after Bind: nodeName=%q PodScheduled=%+v, want n1 and True", got.Spec.NodeName, c)
	}
	if err := client.Bind(f.ctx, f.client, "default", "web", "", "n2"); !api.IsConflict(err) {
		t.Errorf("second Bind: err = %v, want Conflict", err)
	}
	if err := client.Bind(f.ctx, f.client, "default", "nope", "", "n1"); !api.IsNotFound(err) {
		t.Errorf("Bind of a missing pod: err = %v, want NotFound", err)
	}
	// Updating nodeName directly stays forbidden.
	got.Spec.NodeName = "n3"
	if _, err := pods(f).Update(f.ctx, got, client.WriteOptions{}); !api.IsInvalid(err) {
		t.Errorf("Update of nodeName: err = %v, want Invalid", err)
	}
}

func TestWithRevisionSplicesIntoMetadata(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},"data":{"metadata":{"x":"y"}}}`,
			`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"resourceVersion":"42","name":"a"},"data":{"metadata":{"x":"y"}}}`},
		{`{"kind":"X","metadata":{}}`, `{"kind":"X","metadata":{"resourceVersion":"42"}}`},
	} {
		got := withRevision([]byte(tt.in), 42)
		if string(got) != tt.want || !json.Valid(got) {
			t.Errorf("withRevision(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
	if got := withRevision([]byte(`{"kind":"X"}`), 1); got != nil {
		t.Errorf("withRevision without metadata = %s, want nil (fall back to encoding)", got)
	}
}

func newJob(name string) *api.Job {
	return &api.Job{
		ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default"},
		Spec: api.JobSpec{Template: api.PodTemplateSpec{
			ObjectMeta: api.ObjectMeta{Labels: map[string]string{"app": "pi"}},
			Spec:       api.PodSpec{RestartPolicy: api.RestartNever, Containers: []api.Container{{Name: "pi", Image: "perl"}}},
		}},
	}
}

// TestJobSelectorGenerated: as in Kubernetes, a Job without
// manualSelector gets its selector and template labels from the server,
// keyed by its uid; with manualSelector the client must give a selector.
func TestJobSelectorGenerated(t *testing.T) {
	f := newFixture(t)
	jobs := client.For[*api.Job](f.client)
	got, err := jobs.Create(f.ctx, newJob("pi"), client.WriteOptions{})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	wantLabels := map[string]string{"app": "pi",
		api.JobNameLabel: "pi", api.LegacyJobNameLabel: "pi",
		api.ControllerUIDLabel: got.UID, api.LegacyControllerUIDLabel: got.UID}
	if diff := cmp.Diff(wantLabels, got.Spec.Template.Labels); diff != "" {
		t.Errorf("template labels (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(&api.LabelSelector{MatchLabels: map[string]string{api.ControllerUIDLabel: got.UID}}, got.Spec.Selector); diff != "" {
		t.Errorf("selector (-want +got):\n%s", diff)
	}
	if got.APIVersion != "batch/v1" || *got.Spec.BackoffLimit != 6 {
		t.Errorf("stored job = %s, backoffLimit %d; want batch/v1 and defaults", got.APIVersion, *got.Spec.BackoffLimit)
	}

	// generateName: every attempt's labels follow that attempt's name and uid.
	gen := newJob("")
	gen.GenerateName = "pi-"
	g, err := jobs.Create(f.ctx, gen, client.WriteOptions{})
	if err != nil {
		t.Fatalf("Create with generateName: %v", err)
	}
	if g.Spec.Template.Labels[api.JobNameLabel] != g.Name || g.Spec.Selector.MatchLabels[api.ControllerUIDLabel] != g.UID {
		t.Errorf("generated job %s/%s has labels %v and selector %v", g.Name, g.UID, g.Spec.Template.Labels, g.Spec.Selector)
	}

	manual := newJob("manual")
	manualSel := true
	manual.Spec.ManualSelector = &manualSel
	_, err = jobs.Create(f.ctx, manual, client.WriteOptions{})
	if err == nil || !strings.Contains(err.Error(), "spec.selector: Required value") {
		t.Errorf("manual selector without selector: err %v, want spec.selector: Required value", err)
	}
	manual.Spec.Selector = &api.LabelSelector{MatchLabels: map[string]string{"app": "pi"}}
	m, err := jobs.Create(f.ctx, manual, client.WriteOptions{})
	if err != nil {
		t.Fatalf("manual selector: %v", err)
	}
	if _, ok := m.Spec.Template.Labels[api.ControllerUIDLabel]; ok {
		t.Errorf("manual selector job got generated labels: %v", m.Spec.Template.Labels)
	}

	own := newJob("own")
	own.Spec.Selector = &api.LabelSelector{MatchLabels: map[string]string{"app": "pi"}}
	if _, err := jobs.Create(f.ctx, own, client.WriteOptions{}); err == nil || !strings.Contains(err.Error(), "`selector` not auto-generated") {
		t.Errorf("own selector without manualSelector: err %v, want `selector` not auto-generated", err)
	}
}
