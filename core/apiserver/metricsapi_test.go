package apiserver

import (
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/auth"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/rest"
)

// fakeMetrics is a MetricsSource with fixed answers.
type fakeMetrics struct {
	nodes []api.NodeMetrics
	pods  []api.PodMetrics
}

func (m fakeMetrics) NodeMetrics() []api.NodeMetrics { return m.nodes }

func (m fakeMetrics) PodMetrics(ns string) []api.PodMetrics {
	var out []api.PodMetrics
	for _, p := range m.pods {
		if ns == "" || p.Namespace == ns {
			out = append(out, p)
		}
	}
	return out
}

func usage(cpu, mem string) api.ResourceList {
	return api.ResourceList{api.ResourceCPU: api.MustParseQuantity(cpu), api.ResourceMemory: api.MustParseQuantity(mem)}
}

// newMetricsFixture is a server with a MetricsSource measuring nodes n1
// and gone (no such Node), pods default/web (labelled app=web),
// default/db (app=db), kube-system/dns, and default/deleted (no such
// Pod).
func newMetricsFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t)
	src := fakeMetrics{
		nodes: []api.NodeMetrics{
			{ObjectMeta: api.ObjectMeta{Name: "gone"}, Timestamp: api.Time{Time: t0}, Window: "15s", Usage: usage("1", "1Gi")},
			{ObjectMeta: api.ObjectMeta{Name: "n1"}, Timestamp: api.Time{Time: t0}, Window: "15s", Usage: usage("250m", "512Mi")},
		},
		pods: []api.PodMetrics{
			{ObjectMeta: api.ObjectMeta{Namespace: "default", Name: "db"}, Window: "15s", Containers: []api.ContainerMetrics{{Name: "c", Usage: usage("5m", "10Mi")}}},
			{ObjectMeta: api.ObjectMeta{Namespace: "default", Name: "deleted"}, Window: "15s", Containers: []api.ContainerMetrics{{Name: "c", Usage: usage("5m", "10Mi")}}},
			{ObjectMeta: api.ObjectMeta{Namespace: "default", Name: "web"}, Window: "15s", Containers: []api.ContainerMetrics{{Name: "c", Usage: usage("100m", "20Mi")}}},
			{ObjectMeta: api.ObjectMeta{Namespace: "kube-system", Name: "dns"}, Window: "15s", Containers: []api.ContainerMetrics{{Name: "c", Usage: usage("1m", "30Mi")}}},
		},
	}
	f.server = New(Config{Store: f.store, Clock: f.clock, Rand: rand.New(rand.NewPCG(1, 2)), Metrics: src})
	f.client = client.New(client.Local(f.server.Handle))
	for _, p := range []*api.Pod{newPod("web", map[string]string{"app": "web"}), newPod("db", map[string]string{"app": "db"}),
		{ObjectMeta: api.ObjectMeta{Name: "dns", Namespace: "kube-system"}, Spec: api.PodSpec{Containers: []api.Container{{Name: "c", Image: "i"}}}}} {
		if _, err := pods(f).Create(f.ctx, p, client.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := client.For[*api.Node](f.client).Create(f.ctx, &api.Node{ObjectMeta: api.ObjectMeta{Name: "n1", Labels: map[string]string{"zone": "a"}}}, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	return f
}

// names returns "ns/name" (or "name") of each item of a metrics list.
func names(t *testing.T, resp *rest.Response) []string {
	t.Helper()
	var l struct {
		Kind  string `json:"kind"`
		Items []api.PodMetrics
	}
	if err := json.Unmarshal(resp.Body, &l); err != nil {
		t.Fatalf("list does not decode: %v: %s", err, resp.Body)
	}
	out := []string{}
	for _, it := range l.Items {
		out = append(out, strings.TrimPrefix(it.Namespace+"/"+it.Name, "/"))
	}
	return out
}

func TestMetricsAPIPaths(t *testing.T) {
	f := newMetricsFixture(t)
	const p = "/apis/metrics.k8s.io/v1beta1"
	for _, tc := range []struct {
		path  string
		query []string
		want  []string
	}{
		{p + "/nodes", nil, []string{"n1"}},
		{p + "/nodes", []string{"labelSelector", "zone=a"}, []string{"n1"}},
		{p + "/nodes", []string{"labelSelector", "zone=b"}, []string{}},
		{p + "/pods", nil, []string{"default/db", "default/web", "kube-system/dns"}},
		{p + "/namespaces/default/pods", nil, []string{"default/db", "default/web"}},
		{p + "/namespaces/default/pods", []string{"labelSelector", "app=web"}, []string{"default/web"}},
		{p + "/namespaces/default/pods", []string{"fieldSelector", "metadata.name=db"}, []string{"default/db"}},
		{p + "/namespaces/other/pods", nil, []string{}},
	} {
		resp := f.do(http.MethodGet, tc.path, "", "", tc.query...)
		if resp.Code != http.StatusOK {
			t.Errorf("GET %s %v = %d %s, want 200", tc.path, tc.query, resp.Code, resp.Body)
			continue
		}
		if diff := cmp.Diff(tc.want, names(t, resp)); diff != "" {
			t.Errorf("GET %s %v items (-want +got):\n%s", tc.path, tc.query, diff)
		}
	}

	resp := f.do(http.MethodGet, p+"/namespaces/default/pods/web", "", "")
	var pm api.PodMetrics
	if err := json.Unmarshal(resp.Body, &pm); err != nil || resp.Code != http.StatusOK {
		t.Fatalf("GET pods/web = %d %s", resp.Code, resp.Body)
	}
	if pm.Kind != "PodMetrics" || pm.APIVersion != "metrics.k8s.io/v1beta1" || pm.Labels["app"] != "web" || pm.CreationTimestamp == nil {
		t.Errorf("GET pods/web = %s, want a PodMetrics with the pod's labels and a creationTimestamp", resp.Body)
	}
	if got := pm.Containers[0].Usage.Cpu().String(); got != "100m" {
		t.Errorf("pods/web cpu = %q, want 100m", got)
	}
	resp = f.do(http.MethodGet, p+"/nodes/n1", "", "")
	var nm api.NodeMetrics
	if err := json.Unmarshal(resp.Body, &nm); err != nil || nm.Kind != "NodeMetrics" || nm.Labels["zone"] != "a" || nm.Window != "15s" {
		t.Errorf("GET nodes/n1 = %d %s, want n1's NodeMetrics with its labels", resp.Code, resp.Body)
	}
	resp = f.do(http.MethodGet, p+"/pods", "", "")
	var list struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
	}
	json.Unmarshal(resp.Body, &list)
	if list.Kind != "PodMetricsList" || list.APIVersion != "metrics.k8s.io/v1beta1" {
		t.Errorf("GET pods kind = %s %s, want metrics.k8s.io/v1beta1 PodMetricsList", list.APIVersion, list.Kind)
	}
}

func TestMetricsAPIErrors(t *testing.T) {
	f := newMetricsFixture(t)
	const p = "/apis/metrics.k8s.io/v1beta1"
	for _, tc := range []struct {
		method, path string
		query        []string
		code         int
		message      string
	}{
		{"GET", p + "/namespaces/default/pods/deleted", nil, 404, `podmetrics.metrics.k8s.io "default/deleted" not found`},
		{"GET", p + "/namespaces/default/pods/nosuch", nil, 404, `podmetrics.metrics.k8s.io "default/nosuch" not found`},
		{"GET", p + "/nodes/gone", nil, 404, `nodemetrics.metrics.k8s.io "gone" not found`},
		{"GET", p + "/nodes/n2", nil, 404, `nodemetrics.metrics.k8s.io "n2" not found`},
		{"GET", p + "/deployments", nil, 404, "the server could not find the requested resource"},
		{"GET", p + "/namespaces/default/nodes", nil, 404, "the server could not find the requested resource"},
		{"GET", p + "/pods/web", nil, 404, "the server could not find the requested resource"},
		{"POST", p + "/namespaces/default/pods", nil, 405, "the server does not allow this method"},
		{"DELETE", p + "/nodes/n1", nil, 405, "the server does not allow this method"},
		{"PUT", p + "/nodes/n1", nil, 405, "the server does not allow this method"},
		{"GET", p + "/pods", []string{"watch", "true"}, 405, "the server does not allow this method"},
		{"GET", p + "/pods", []string{"fieldSelector", "spec.nodeName=n1"}, 400, "field label not supported: spec.nodeName"},
		{"GET", p + "/pods", []string{"labelSelector", "a in (("}, 400, "invalid labelSelector"},
	} {
		resp := f.do(tc.method, tc.path, "", "", tc.query...)
		if resp.Code != tc.code {
			t.Errorf("%s %s %v = %d %s, want %d", tc.method, tc.path, tc.query, resp.Code, resp.Body, tc.code)
			continue
		}
		if st := status(t, resp); !strings.Contains(st.Message, tc.message) {
			t.Errorf("%s %s %v message = %q, want it to contain %q", tc.method, tc.path, tc.query, st.Message, tc.message)
		}
	}
	st := status(t, f.do("GET", p+"/namespaces/default/pods/nosuch", "", ""))
	if diff := cmp.Diff(&api.StatusDetails{Name: "default/nosuch", Group: "metrics.k8s.io", Kind: "podmetrics"}, st.Details); diff != "" {
		t.Errorf("NotFound details (-want +got):\n%s", diff)
	}
}

// TestMetricsDiscovery: the group is discovered, legacy and aggregated,
// only when the server has a MetricsSource.
func TestMetricsDiscovery(t *testing.T) {
	aggregated := "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"
	for _, tc := range []struct {
		name string
		f    *fixture
		want bool
	}{{"with metrics", newMetricsFixture(t), true}, {"without", newFixture(t), false}} {
		resp := tc.f.do("GET", "/apis", "", "")
		if got := strings.Contains(string(resp.Body), `"name":"metrics.k8s.io"`); got != tc.want {
			t.Errorf("%s: /apis lists metrics.k8s.io = %v, want %v", tc.name, got, tc.want)
		}
		resp = tc.f.server.Handle(tc.f.ctx, &rest.Request{Method: "GET", Path: "/apis", Accept: aggregated})
		if got := strings.Contains(string(resp.Body), `"name":"metrics.k8s.io"`); got != tc.want {
			t.Errorf("%s: aggregated /apis lists metrics.k8s.io = %v, want %v", tc.name, got, tc.want)
		}
		code := tc.f.do("GET", "/apis/metrics.k8s.io/v1beta1", "", "").Code
		if want := map[bool]int{true: 200, false: 404}[tc.want]; code != want {
			t.Errorf("%s: GET /apis/metrics.k8s.io/v1beta1 = %d, want %d", tc.name, code, want)
		}
		code = tc.f.do("GET", "/apis/metrics.k8s.io/v1beta1/pods", "", "").Code
		if want := map[bool]int{true: 200, false: 404}[tc.want]; code != want {
			t.Errorf("%s: GET /apis/metrics.k8s.io/v1beta1/pods = %d, want %d", tc.name, code, want)
		}
	}
	f := newMetricsFixture(t)
	var rl apiResourceList
	json.Unmarshal(f.do("GET", "/apis/metrics.k8s.io/v1beta1", "", "").Body, &rl)
	want := apiResourceList{TypeMeta: api.TypeMeta{APIVersion: "v1", Kind: "APIResourceList"}, GroupVersion: "metrics.k8s.io/v1beta1",
		Resources: []apiResource{{Name: "nodes", Kind: "NodeMetrics", Verbs: []string{"get", "list"}},
			{Name: "pods", Namespaced: true, Kind: "PodMetrics", Verbs: []string{"get", "list"}}}}
	if diff := cmp.Diff(want, rl); diff != "" {
		t.Errorf("/apis/metrics.k8s.io/v1beta1 (-want +got):\n%s", diff)
	}
}

// TestMetricsAuthorized: the metrics API is authorized as resources
// pods and nodes of group metrics.k8s.io; view's holders read it.
func TestMetricsAuthorized(t *testing.T) {
	f := newFixture(t)
	f.server = New(Config{Store: f.store, Clock: f.clock, Rand: rand.New(rand.NewPCG(1, 2)), Metrics: fakeMetrics{},
		Authorization: &Authorization{}})
	if err := f.server.Bootstrap(f.ctx); err != nil {
		t.Fatal(err)
	}
	jane := &rest.UserInfo{Name: "jane", Groups: []string{auth.AllAuthenticated}}
	get := func(path string) int {
		return f.server.Handle(f.ctx, &rest.Request{Method: "GET", Path: path, User: jane}).Code
	}
	const p = "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods"
	if code := get(p); code != http.StatusForbidden {
		t.Errorf("jane GET %s = %d, want 403 before any binding", p, code)
	}
	rb := &api.RoleBinding{ObjectMeta: api.ObjectMeta{Name: "jane-view", Namespace: "default"},
		RoleRef:  api.RoleRef{APIGroup: api.RBACGroup, Kind: "ClusterRole", Name: "view"},
		Subjects: []api.Subject{{Kind: api.SubjectUser, APIGroup: api.RBACGroup, Name: "jane"}}}
	if _, err := client.For[*api.RoleBinding](client.New(client.Local(f.server.Handle))).Create(f.ctx, rb, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if code := get(p); code != http.StatusOK {
		t.Errorf("jane (view in default) GET %s = %d, want 200", p, code)
	}
	if code := get("/apis/metrics.k8s.io/v1beta1/nodes"); code != http.StatusForbidden {
		t.Errorf("jane (view in default) GET nodes metrics = %d, want 403 (cluster scope)", code)
	}
	cr, err := client.For[*api.ClusterRole](client.New(client.Local(f.server.Handle))).Get(f.ctx, "", "system:aggregated-metrics-reader")
	if err != nil {
		t.Fatal(err)
	}
	if cr.Labels["rbac.authorization.k8s.io/aggregate-to-view"] != "true" || len(cr.Rules) != 1 || cr.Rules[0].APIGroups[0] != "metrics.k8s.io" {
		t.Errorf("system:aggregated-metrics-reader = %+v, want metrics-server's role", cr)
	}
}
