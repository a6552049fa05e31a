package apiserver

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/rest"
)

// handleNonResource answers the paths that are not objects: health checks,
// the version, and discovery (which groups, versions and resources the
// server has — how kubectl and tinykube's CLI learn what exists). It
// returns nil for any other path.
func (s *Server) handleNonResource(ctx context.Context, req *rest.Request) *rest.Response {
	path := strings.TrimSuffix(req.Path, "/")
	if req.Method != http.MethodGet {
		switch path {
		case "/healthz", "/livez", "/readyz", "/version", "/api", "/apis":
			return errorResponse(errMethodNotAllowed(req.Method, req.Path))
		}
		return nil
	}
	switch path {
	case "/healthz", "/livez":
		return text(http.StatusOK, "ok")
	case "/readyz":
		if _, err := s.store.Revision(ctx); err != nil {
			return text(http.StatusServiceUnavailable, "store not ready: "+err.Error())
		}
		return text(http.StatusOK, "ok")
	case "/version":
		return jsonResponse(serverVersion(s.version))
	}
	rs := s.resources()
	switch path {
	case "/api", "/apis":
		if v, ok := wantsAggregated(req); ok {
			return s.aggregatedDiscovery(rs, path == "/api", v)
		}
		if path == "/api" {
			return jsonResponse(apiVersions{TypeMeta: api.TypeMeta{Kind: "APIVersions"}, Versions: []string{"v1"}})
		}
		groups := groupList(rs)
		if s.metrics != nil {
			// The resource metrics API, served without a store (metricsapi.go).
			groups.Groups = append(groups.Groups, metricsGroup())
		}
		return jsonResponse(groups)
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case len(parts) == 2 && parts[0] == "api":
		return resourceList(rs, "", parts[1])
	case len(parts) == 3 && parts[0] == "apis":
		return resourceList(rs, parts[1], parts[2])
	case len(parts) == 2 && parts[0] == "apis":
		for _, g := range groupList(rs).Groups {
			if g.Name == parts[1] {
				return jsonResponse(g)
			}
		}
		return errorResponse(errNotFoundPath(req.Path))
	}
	return nil
}

type apiVersions struct {
	api.TypeMeta `json:",inline"`
	Versions     []string `json:"versions"`
}

type groupVersion struct {
	GroupVersion string `json:"groupVersion"`
	Version      string `json:"version"`
}

type apiGroup struct {
	api.TypeMeta     `json:",inline"`
	Name             string         `json:"name"`
	Versions         []groupVersion `json:"versions"`
	PreferredVersion groupVersion   `json:"preferredVersion"`
}

type apiGroupList struct {
	api.TypeMeta `json:",inline"`
	Groups       []apiGroup `json:"groups"`
}

type apiResource struct {
	Name         string   `json:"name"`
	SingularName string   `json:"singularName"`
	Namespaced   bool     `json:"namespaced"`
	Group        string   `json:"group,omitempty"`
	Version      string   `json:"version,omitempty"`
	Kind         string   `json:"kind"`
	Verbs        []string `json:"verbs"`
	ShortNames   []string `json:"shortNames,omitempty"`
	Categories   []string `json:"categories,omitempty"`
}

type apiResourceList struct {
	api.TypeMeta `json:",inline"`
	GroupVersion string        `json:"groupVersion"`
	Resources    []apiResource `json:"resources"`
}

// groupList lists the named groups (the core group is served at /api),
// each with its versions, the preferred first.
func groupList(rs *api.ResourceSet) apiGroupList {
	out := apiGroupList{TypeMeta: api.TypeMeta{APIVersion: "v1", Kind: "APIGroupList"}, Groups: []apiGroup{}}
	for _, g := range rs.Groups() {
		var gvs []groupVersion
		for _, v := range rs.Versions(g) {
			gvs = append(gvs, groupVersion{GroupVersion: g + "/" + v, Version: v})
		}
		out.Groups = append(out.Groups, apiGroup{TypeMeta: api.TypeMeta{APIVersion: "v1", Kind: "APIGroup"}, Name: g, Versions: gvs, PreferredVersion: gvs[0]})
	}
	return out
}

// resourceList lists the resources of one group version with their
// subresources (see discovered), or answers 404 when the group version is
// not served.
func resourceList(rs *api.ResourceSet, group, version string) *rest.Response {
	gv := version
	if group != "" {
		gv = group + "/" + version
	}
	out := apiResourceList{TypeMeta: api.TypeMeta{APIVersion: "v1", Kind: "APIResourceList"}, GroupVersion: gv}
	for _, d := range discovered(rs, group, version) {
		r := d.res
		out.Resources = append(out.Resources, apiResource{Name: r.Plural, SingularName: r.Singular, Namespaced: r.Namespaced,
			Kind: r.Kind, Verbs: d.verbs, ShortNames: r.ShortNames, Categories: r.Categories()})
		for _, sub := range d.subresources {
			ar := apiResource{Name: r.Plural + "/" + sub.name, Namespaced: r.Namespaced, Kind: sub.kind, Verbs: sub.verbs}
			if sub.group != r.Group || sub.version != r.Version {
				ar.Group, ar.Version = sub.group, sub.version
			}
			out.Resources = append(out.Resources, ar)
		}
	}
	if len(out.Resources) == 0 {
		return errorResponse(errNotFoundPath("/apis/" + gv))
	}
	return jsonResponse(out)
}

func jsonResponse(v any) *rest.Response {
	b, err := json.Marshal(v)
	if err != nil {
		return errorResponse(errInternal(err))
	}
	return &rest.Response{Code: http.StatusOK, ContentType: rest.ContentJSON, Body: b}
}

func text(code int, s string) *rest.Response {
	return &rest.Response{Code: code, ContentType: rest.ContentText, Body: []byte(s)}
}
