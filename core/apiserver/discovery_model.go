package apiserver

import (
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/rest"
)

// What discovery says about each resource, derived from the resource table
// (core/api/registry.go): both discovery documents, the legacy one per
// group version and the aggregated one, are rendered from it.

// resourceVerbs are what the API server does on every resource.
var resourceVerbs = []string{"create", "delete", "get", "list", "patch", "update", "watch"}

// subresource is one subresource of a resource as discovery shows it: its
// name, the kind it answers with, and its verbs.
type subresource struct {
	name                 string
	group, version, kind string
	verbs                []string
}

// discoveredResource is a resource with its verbs and subresources.
type discoveredResource struct {
	res          *api.Resource
	verbs        []string
	subresources []subresource
}

// podSubresources are the pods' own subresources: binding (the scheduler's
// write), eviction (a delete that respects PodDisruptionBudgets), and log
// and exec, which realnode/httpapi relays to the pod's node.
var podSubresources = []subresource{
	{name: "binding", version: "v1", kind: "Binding", verbs: []string{"create"}},
	{name: "eviction", group: "policy", version: "v1", kind: "Eviction", verbs: []string{"create"}},
	{name: "exec", version: "v1", kind: "PodExecOptions", verbs: []string{"create", "get"}},
	{name: "log", version: "v1", kind: "Pod", verbs: []string{"get"}},
}

// discovered lists the resources of one group version, ordered by plural,
// with their subresources ordered by name.
func discovered(rs *api.ResourceSet, group, version string) []discoveredResource {
	var out []discoveredResource
	for _, r := range rs.All() {
		if r.Group != group || r.Version != version {
			continue
		}
		d := discoveredResource{res: r, verbs: resourceVerbs}
		if r.Virtual {
			d.verbs = []string{"create"}
		}
		if r.Group == "" && r.Kind == "Pod" {
			d.subresources = append(d.subresources, podSubresources...)
		}
		if r.Group == "" && r.Kind == "ServiceAccount" {
			d.subresources = append(d.subresources, subresource{name: "token", group: "authentication.k8s.io", version: "v1", kind: "TokenRequest", verbs: []string{"create"}})
		}
		if r.Kind == "CertificateSigningRequest" {
			d.subresources = append(d.subresources, subresource{name: "approval", group: r.Group, version: r.Version, kind: r.Kind, verbs: []string{"get", "patch", "update"}})
		}
		if hasScale(r) {
			d.subresources = append(d.subresources, subresource{name: "scale", group: "autoscaling", version: "v1", kind: "Scale", verbs: []string{"get", "patch", "update"}})
		}
		if r.HasStatus {
			d.subresources = append(d.subresources, subresource{name: "status", group: r.Group, version: r.Version, kind: r.Kind, verbs: []string{"get", "patch", "update"}})
		}
		out = append(out, d)
	}
	return out
}

// Aggregated discovery (apidiscovery.k8s.io/v2): one document with every
// group, version and resource, which kubectl and client-go ask for first,
// on /api (the core group) and /apis (the named groups), with
//
//	Accept: application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList, …
//
// A client that does not ask gets the legacy documents.

type groupVersionKind struct {
	Group   string `json:"group"`
	Version string `json:"version"`
	Kind    string `json:"kind"`
}

type apiGroupDiscoveryList struct {
	api.TypeMeta `json:",inline"`
	Metadata     api.ListMeta        `json:"metadata"`
	Items        []apiGroupDiscovery `json:"items"`
}

type apiGroupDiscovery struct {
	Metadata api.ObjectMeta        `json:"metadata"`
	Versions []apiVersionDiscovery `json:"versions,omitempty"`
}

type apiVersionDiscovery struct {
	Version   string                 `json:"version"`
	Resources []apiResourceDiscovery `json:"resources,omitempty"`
	Freshness string                 `json:"freshness,omitempty"`
}

type apiResourceDiscovery struct {
	Resource         string                    `json:"resource"`
	ResponseKind     *groupVersionKind         `json:"responseKind,omitempty"`
	Scope            string                    `json:"scope"`
	SingularResource string                    `json:"singularResource"`
	Verbs            []string                  `json:"verbs"`
	ShortNames       []string                  `json:"shortNames,omitempty"`
	Categories       []string                  `json:"categories,omitempty"`
	Subresources     []apiSubresourceDiscovery `json:"subresources,omitempty"`
}

type apiSubresourceDiscovery struct {
	Subresource  string            `json:"subresource"`
	ResponseKind *groupVersionKind `json:"responseKind,omitempty"`
	Verbs        []string          `json:"verbs"`
}

// aggregatedVersions are the apidiscovery.k8s.io versions served; v2beta1
// has the same shape.
var aggregatedVersions = []string{"v2", "v2beta1"}

// wantsAggregated reports whether the first media range of the request's
// Accept that the server can answer asks for the aggregated document, and
// in which version.
func wantsAggregated(req *rest.Request) (string, bool) {
	for _, m := range parseAccept(req.Accept) {
		if v, ok := m.asKind("APIGroupDiscoveryList", "apidiscovery.k8s.io", aggregatedVersions...); ok {
			return v, true
		}
		if m.params["as"] == "" {
			return "", false
		}
	}
	return "", false
}

// aggregatedDiscovery answers /api (core: only the core group) or /apis
// (the named groups, ordered by name, then the resource metrics API when
// the server has a MetricsSource) as an APIGroupDiscoveryList.
func (s *Server) aggregatedDiscovery(rs *api.ResourceSet, core bool, version string) *rest.Response {
	out := apiGroupDiscoveryList{TypeMeta: api.TypeMeta{APIVersion: "apidiscovery.k8s.io/" + version, Kind: "APIGroupDiscoveryList"}, Items: []apiGroupDiscovery{}}
	if core {
		out.Items = append(out.Items, groupDiscovery(rs, "", []string{"v1"}))
	} else {
		for _, g := range rs.Groups() {
			out.Items = append(out.Items, groupDiscovery(rs, g, rs.Versions(g)))
		}
		if s.metrics != nil {
			out.Items = append(out.Items, metricsGroupDiscovery())
		}
	}
	resp := jsonResponse(out)
	resp.ContentType = "application/json;g=apidiscovery.k8s.io;v=" + version + ";as=APIGroupDiscoveryList"
	return resp
}

// groupDiscovery describes one group with its versions, the preferred
// first.
func groupDiscovery(rs *api.ResourceSet, group string, versions []string) apiGroupDiscovery {
	out := apiGroupDiscovery{Metadata: api.ObjectMeta{Name: group}}
	for _, version := range versions {
		vd := apiVersionDiscovery{Version: version, Freshness: "Current"}
		for _, d := range discovered(rs, group, version) {
			r := d.res
			scope := "Cluster"
			if r.Namespaced {
				scope = "Namespaced"
			}
			rd := apiResourceDiscovery{
				Resource: r.Plural, ResponseKind: &groupVersionKind{Group: r.Group, Version: r.Version, Kind: r.Kind},
				Scope: scope, SingularResource: r.Singular, Verbs: d.verbs, ShortNames: r.ShortNames, Categories: r.Categories(),
			}
			for _, sub := range d.subresources {
				rd.Subresources = append(rd.Subresources, apiSubresourceDiscovery{
					Subresource: sub.name, ResponseKind: &groupVersionKind{Group: sub.group, Version: sub.version, Kind: sub.kind}, Verbs: sub.verbs,
				})
			}
			vd.Resources = append(vd.Resources, rd)
		}
		out.Versions = append(out.Versions, vd)
	}
	return out
}
