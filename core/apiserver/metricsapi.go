package apiserver

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/rest"
	"github.com/tinykube/tinykube/core/store"
)

// The resource metrics API, metrics.k8s.io/v1beta1, served from
// Config.Metrics (the metrics pipeline's memory) when it is set:
//
//	/apis/metrics.k8s.io/v1beta1/nodes[/NAME]
//	/apis/metrics.k8s.io/v1beta1/pods
//	/apis/metrics.k8s.io/v1beta1/namespaces/NS/pods[/NAME]
//
// In Kubernetes metrics-server serves it behind the aggregation layer;
// here the API server answers it itself, read-only (get and list; other
// verbs 405), authorized as any resource of the group (resources "nodes"
// and "pods"). The node and pod objects in the store lend each answer its
// labels — so labelSelector works as with metrics-server, which looks
// them up the same way — and decide what exists: a measured pod that was
// since deleted is not listed.

const metricsVersion = "v1beta1"

// metricsResources are the group's two resources as discovery states
// them: the kinds they answer with, read-only verbs, no singular (as
// metrics-server registers them).
var metricsResources = []struct {
	plural, kind string
	namespaced   bool
}{
	{"nodes", "NodeMetrics", false},
	{"pods", "PodMetrics", true},
}

// metricsPrefix is the group version's path.
const metricsPrefix = "/apis/" + api.MetricsGroup + "/" + metricsVersion

// isMetricsPath reports whether path is in the metrics group.
func isMetricsPath(path string) bool {
	p := strings.TrimSuffix(path, "/")
	return p == "/apis/"+api.MetricsGroup || strings.HasPrefix(p+"/", "/apis/"+api.MetricsGroup+"/")
}

// handleMetrics answers a request on the metrics group, discovery
// included. Called only with a MetricsSource.
func (s *Server) handleMetrics(ctx context.Context, req *rest.Request) *rest.Response {
	path := strings.TrimSuffix(req.Path, "/")
	if req.Method != http.MethodGet {
		return errorResponse(errMethodNotAllowed(req.Method, req.Path))
	}
	switch path {
	case "/apis/" + api.MetricsGroup:
		return jsonResponse(metricsGroup())
	case metricsPrefix:
		return jsonResponse(metricsResourceList())
	}
	tail, ok := strings.CutPrefix(path, metricsPrefix+"/")
	if !ok {
		return errorResponse(errNotFoundPath(req.Path))
	}
	parts := strings.Split(tail, "/")
	namespace := ""
	if parts[0] == "namespaces" && len(parts) >= 3 {
		namespace, parts = parts[1], parts[2:]
	}
	if len(parts) > 2 || (namespace != "" && parts[0] != "pods") {
		return errorResponse(errNotFoundPath(req.Path))
	}
	name := ""
	if len(parts) == 2 {
		name = parts[1]
	}
	if isWatch(req) {
		return errorResponse(errMethodNotAllowed("WATCH", req.Path))
	}
	var out response
	switch {
	case parts[0] == "nodes":
		out = s.nodeMetrics(ctx, name, req)
	case parts[0] == "pods" && (namespace != "" || name == ""):
		out = s.podMetrics(ctx, namespace, name, req)
	default:
		return errorResponse(errNotFoundPath(req.Path))
	}
	return respond(out)
}

// metricsFilter reads the selectors of a metrics list: labels of the
// node or pod, and metadata.name or metadata.namespace in the field
// selector, as metrics-server takes them.
func metricsFilter(res *api.Resource, req *rest.Request) (filter, error) {
	f := filter{res: res}
	var err error
	if f.labels, err = api.ParseSelector(req.Query.Get("labelSelector")); err != nil {
		return f, errBadRequest("invalid labelSelector: %v", err)
	}
	if f.fields, err = api.ParseFieldSelector(req.Query.Get("fieldSelector")); err != nil {
		return f, errBadRequest("invalid fieldSelector: %v", err)
	}
	for _, field := range f.fields.Fields() {
		if field != "metadata.name" && field != "metadata.namespace" {
			return f, errBadRequest("field label not supported: %s: the metrics API selects by metadata.name and metadata.namespace only", field)
		}
	}
	return f, nil
}

// objects lists the stored objects of res in namespace ("" every) that f
// selects, by namespace/name ("name" for a cluster-scoped kind), or the one
// called name when it is set. Entries are shared: read them only.
func (s *Server) objects(ctx context.Context, res *api.Resource, namespace, name string, f filter) (map[string]api.Object, error) {
	var kvs []store.KeyValue
	if name != "" {
		kv, err := s.store.Get(ctx, key(res, namespace, name))
		if errors.Is(err, store.ErrNotFound) {
			return map[string]api.Object{}, nil
		}
		if err != nil {
			return nil, storeError(err)
		}
		kvs = []store.KeyValue{kv}
	} else {
		r, err := s.store.List(ctx, prefix(res, namespace), store.ListOptions{})
		if err != nil {
			return nil, storeError(err)
		}
		kvs = r.KVs
	}
	out := map[string]api.Object{}
	for _, kv := range kvs {
		e, err := s.decoded.entry(res, kv)
		if err != nil {
			return nil, errInternal(err)
		}
		if !f.matchesEntry(e) {
			continue
		}
		m := e.obj.GetObjectMeta()
		out[m.Namespace+"/"+m.Name] = e.obj
	}
	return out, nil
}

// nodeMetrics answers the nodes of the metrics API: one NodeMetrics
// (name set) or a NodeMetricsList.
func (s *Server) nodeMetrics(ctx context.Context, name string, req *rest.Request) response {
	res := api.ResourceByPlural("", "nodes")
	f, err := metricsFilter(res, req)
	if err != nil {
		return fail(err)
	}
	nodes, err := s.objects(ctx, res, "", name, f)
	if err != nil {
		return fail(err)
	}
	now := api.NewTime(s.clock.Now())
	items := []api.NodeMetrics{}
	for _, m := range s.metrics.NodeMetrics() {
		n, ok := nodes["/"+m.Name]
		if !ok {
			continue
		}
		m.TypeMeta = api.TypeMeta{APIVersion: api.MetricsGroup + "/" + metricsVersion, Kind: "NodeMetrics"}
		m.Labels, m.CreationTimestamp = n.GetObjectMeta().Labels, now
		items = append(items, m)
	}
	if name != "" {
		if len(items) == 0 {
			return fail(errMetricsNotFound("nodemetrics", name))
		}
		return encodeMetrics(items[0])
	}
	return encodeMetrics(metricsList[api.NodeMetrics]{
		TypeMeta: api.TypeMeta{APIVersion: api.MetricsGroup + "/" + metricsVersion, Kind: "NodeMetricsList"}, Items: items})
}

// podMetrics answers the pods of the metrics API, of one namespace or
// all: one PodMetrics (name set) or a PodMetricsList.
func (s *Server) podMetrics(ctx context.Context, namespace, name string, req *rest.Request) response {
	res := api.ResourceByPlural("", "pods")
	f, err := metricsFilter(res, req)
	if err != nil {
		return fail(err)
	}
	pods, err := s.objects(ctx, res, namespace, name, f)
	if err != nil {
		return fail(err)
	}
	now := api.NewTime(s.clock.Now())
	items := []api.PodMetrics{}
	for _, m := range s.metrics.PodMetrics(namespace) {
		p, ok := pods[m.Namespace+"/"+m.Name]
		if !ok {
			continue
		}
		m.TypeMeta = api.TypeMeta{APIVersion: api.MetricsGroup + "/" + metricsVersion, Kind: "PodMetrics"}
		m.Labels, m.CreationTimestamp = p.GetObjectMeta().Labels, now
		items = append(items, m)
	}
	if name != "" {
		if len(items) == 0 {
			return fail(errMetricsNotFound("podmetrics", namespace+"/"+name))
		}
		return encodeMetrics(items[0])
	}
	return encodeMetrics(metricsList[api.PodMetrics]{
		TypeMeta: api.TypeMeta{APIVersion: api.MetricsGroup + "/" + metricsVersion, Kind: "PodMetricsList"}, Items: items})
}

// metricsList is a NodeMetricsList or PodMetricsList.
type metricsList[T any] struct {
	api.TypeMeta `json:",inline"`
	Metadata     api.ListMeta `json:"metadata"`
	Items        []T          `json:"items"`
}

func encodeMetrics(v any) response {
	b, err := json.Marshal(v)
	if err != nil {
		return fail(errInternal(err))
	}
	return ok(http.StatusOK, b, nil)
}

// errMetricsNotFound words a missing node's or pod's metrics as
// metrics-server does: podmetrics.metrics.k8s.io "default/web" not found
// (the pod's namespace and name together), nodemetrics.metrics.k8s.io
// "n1" not found. Either the object does not exist or it has not been
// measured twice yet.
func errMetricsNotFound(resource, name string) error {
	return api.NewStatusError(http.StatusNotFound, api.ReasonNotFound,
		&api.StatusDetails{Name: name, Group: api.MetricsGroup, Kind: resource},
		"%s.%s %q not found", resource, api.MetricsGroup, name)
}

// metricsGroup is the group in the legacy discovery documents.
func metricsGroup() apiGroup {
	gv := groupVersion{GroupVersion: api.MetricsGroup + "/" + metricsVersion, Version: metricsVersion}
	return apiGroup{TypeMeta: api.TypeMeta{APIVersion: "v1", Kind: "APIGroup"}, Name: api.MetricsGroup, Versions: []groupVersion{gv}, PreferredVersion: gv}
}

// metricsResourceList is the group version's legacy discovery document.
func metricsResourceList() apiResourceList {
	out := apiResourceList{TypeMeta: api.TypeMeta{APIVersion: "v1", Kind: "APIResourceList"}, GroupVersion: api.MetricsGroup + "/" + metricsVersion}
	for _, r := range metricsResources {
		out.Resources = append(out.Resources, apiResource{Name: r.plural, Namespaced: r.namespaced, Kind: r.kind, Verbs: []string{"get", "list"}})
	}
	return out
}

// metricsGroupDiscovery is the group in the aggregated discovery document.
func metricsGroupDiscovery() apiGroupDiscovery {
	vd := apiVersionDiscovery{Version: metricsVersion, Freshness: "Current"}
	for _, r := range metricsResources {
		scope := "Cluster"
		if r.namespaced {
			scope = "Namespaced"
		}
		vd.Resources = append(vd.Resources, apiResourceDiscovery{Resource: r.plural, Scope: scope, Verbs: []string{"get", "list"},
			ResponseKind: &groupVersionKind{Group: api.MetricsGroup, Version: metricsVersion, Kind: r.kind}})
	}
	return apiGroupDiscovery{Metadata: api.ObjectMeta{Name: api.MetricsGroup}, Versions: []apiVersionDiscovery{vd}}
}
