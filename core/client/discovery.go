package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/rest"
)

// Discovery: what a program that handles every kind alike (the CLI, a
// garbage collector, an operator's dynamic client) asks the server before
// it can name a resource it was not compiled with. The server's answer,
// not a built-in table, says which custom resources exist, at which
// versions, under which short names and categories.

// aggregatedAccept asks for the aggregated discovery document (every
// group, version and resource in one answer), falling back to the legacy
// APIGroupList, as kubectl asks.
const aggregatedAccept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"

// discoveryList is the part of apidiscovery.k8s.io/v2 APIGroupDiscoveryList
// Discover reads.
type discoveryList struct {
	Kind  string `json:"kind"`
	Items []struct {
		Metadata struct {
			Name string `json:"name"`
		} `json:"metadata"`
		Versions []struct {
			Version   string              `json:"version"`
			Resources []discoveryResource `json:"resources"`
		} `json:"versions"`
	} `json:"items"`
}

// discoveryResource is one resource of a group version as either document
// describes it (the aggregated one's names, with the legacy one's filled
// in by legacyResource).
type discoveryResource struct {
	Resource         string   `json:"resource"`
	Scope            string   `json:"scope"`
	SingularResource string   `json:"singularResource"`
	ShortNames       []string `json:"shortNames"`
	Categories       []string `json:"categories"`
	ResponseKind     *struct {
		Kind string `json:"kind"`
	} `json:"responseKind"`
	Subresources []struct {
		Subresource string `json:"subresource"`
	} `json:"subresources"`
}

// legacyGroupList and legacyResourceList are the legacy documents
// (/apis, then /apis/GROUP/VERSION), for servers without aggregated
// discovery.
type legacyGroupList struct {
	Groups []struct {
		Name     string `json:"name"`
		Versions []struct {
			Version string `json:"version"`
		} `json:"versions"`
	} `json:"groups"`
}

type legacyResourceList struct {
	Resources []struct {
		Name         string   `json:"name"`
		SingularName string   `json:"singularName"`
		Namespaced   bool     `json:"namespaced"`
		Kind         string   `json:"kind"`
		ShortNames   []string `json:"shortNames"`
		Categories   []string `json:"categories"`
	} `json:"resources"`
}

// Discover returns the resources the server serves: the built-in kinds
// and every custom resource its discovery lists, one *api.Resource per
// served version. A custom resource's Resource makes *api.Unstructured
// objects and has Custom set: from the CustomResourceDefinition itself
// when the caller may list definitions (so printer columns and schemas
// are at hand), otherwise a definition rebuilt from discovery (names,
// scope, categories; no schema or columns).
func Discover(ctx context.Context, c *Client) (*api.ResourceSet, error) {
	found, err := discoverGroups(ctx, c)
	if err != nil {
		return nil, err
	}
	builtin := api.BuiltinResources()
	var custom []*api.Resource
	for _, r := range found {
		if builtin.ByGroupVersionPlural(r.Group, r.Version, r.Plural) == nil {
			custom = append(custom, r)
		}
	}
	if len(custom) == 0 {
		return builtin, nil
	}
	// The definitions themselves, when readable, replace what discovery
	// told of the same group, version and plural.
	if l, err := For[*api.CustomResourceDefinition](c).List(ctx, "", ListOptions{}); err == nil {
		defined := map[string]*api.Resource{}
		for _, crd := range l.Items {
			for _, r := range api.ResourcesFromCRD(crd) {
				defined[r.Group+"/"+r.Version+"/"+r.Plural] = r
			}
		}
		for i, r := range custom {
			if d := defined[r.Group+"/"+r.Version+"/"+r.Plural]; d != nil {
				custom[i] = d
			}
		}
	}
	return api.NewResourceSet(custom), nil
}

// discoverGroups reads the named groups' resources (the core group has
// no custom resources), from the aggregated document when the server
// sends one and from the legacy documents otherwise.
func discoverGroups(ctx context.Context, c *Client) ([]*api.Resource, error) {
	resp, err := c.Do(ctx, &rest.Request{Method: http.MethodGet, Path: "/apis", Accept: aggregatedAccept})
	if err != nil {
		return nil, fmt.Errorf("discovering the server's resources (GET /apis): %w", err)
	}
	var agg discoveryList
	if err := json.Unmarshal(resp.Body, &agg); err != nil {
		return nil, fmt.Errorf("discovering the server's resources: /apis is not a discovery document: %v", err)
	}
	var out []*api.Resource
	if agg.Kind == "APIGroupDiscoveryList" {
		for _, g := range agg.Items {
			for _, v := range g.Versions {
				for _, d := range v.Resources {
					out = append(out, discoveredResource(g.Metadata.Name, v.Version, d))
				}
			}
		}
		return out, nil
	}
	var groups legacyGroupList
	if err := json.Unmarshal(resp.Body, &groups); err != nil {
		return nil, fmt.Errorf("discovering the server's resources: /apis is not an APIGroupList: %v", err)
	}
	for _, g := range groups.Groups {
		for _, v := range g.Versions {
			path := "/apis/" + g.Name + "/" + v.Version
			resp, err := c.Do(ctx, &rest.Request{Method: http.MethodGet, Path: path})
			if err != nil {
				return nil, fmt.Errorf("discovering the resources of %s/%s (GET %s): %w", g.Name, v.Version, path, err)
			}
			var l legacyResourceList
			if err := json.Unmarshal(resp.Body, &l); err != nil {
				return nil, fmt.Errorf("discovering the resources of %s/%s: not an APIResourceList: %v", g.Name, v.Version, err)
			}
			for _, lr := range l.Resources {
				if strings.Contains(lr.Name, "/") {
					continue // a subresource
				}
				d := discoveryResource{Resource: lr.Name, SingularResource: lr.SingularName, ShortNames: lr.ShortNames, Categories: lr.Categories, Scope: api.ClusterScoped}
				if lr.Namespaced {
					d.Scope = api.NamespaceScoped
				}
				d.ResponseKind = &struct {
					Kind string `json:"kind"`
				}{lr.Kind}
				out = append(out, discoveredResource(g.Name, v.Version, d))
			}
		}
	}
	return out, nil
}

// discoveredResource makes the Resource of a discovered custom resource,
// with a definition rebuilt from what discovery says (see Discover).
func discoveredResource(group, version string, d discoveryResource) *api.Resource {
	kind := ""
	if d.ResponseKind != nil {
		kind = d.ResponseKind.Kind
	}
	crd := &api.CustomResourceDefinition{
		ObjectMeta: api.ObjectMeta{Name: d.Resource + "." + group},
		Spec: api.CustomResourceDefinitionSpec{
			Group: group, Scope: d.Scope,
			Names: api.CustomResourceDefinitionNames{Plural: d.Resource, Singular: d.SingularResource, Kind: kind, ShortNames: d.ShortNames, Categories: d.Categories},
		},
	}
	for _, s := range d.Subresources {
		if s.Subresource == "status" {
			crd.Spec.Versions = []api.CustomResourceDefinitionVersion{{Name: version, Served: true,
				Subresources: &api.CustomResourceSubresources{Status: &api.CustomResourceSubresourceStatus{}}}}
		}
	}
	if crd.Spec.Versions == nil {
		crd.Spec.Versions = []api.CustomResourceDefinitionVersion{{Name: version, Served: true}}
	}
	crd.Status.AcceptedNames = crd.Spec.Names
	rs := api.ResourcesFromCRD(crd)
	if len(rs) == 0 { // discovery named no kind
		return &api.Resource{Group: group, Version: version, Plural: d.Resource, Singular: d.SingularResource,
			Namespaced: d.Scope == api.NamespaceScoped, New: func() api.Object { return &api.Unstructured{} }}
	}
	return rs[0]
}
