package openapi

import (
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"reflect"
	"sort"
	"strings"

	"github.com/tinykube/tinykube/core/api"
)

// SwaggerV2 is the OpenAPI v2 document served at /openapi/v2.
type SwaggerV2 struct {
	Swagger     string              `json:"swagger"`
	Info        Info                `json:"info"`
	Paths       map[string]PathItem `json:"paths"`
	Definitions map[string]*Schema  `json:"definitions"`
}

// OpenAPIV3 is one group-version's OpenAPI v3 document, served at
// /openapi/v3/api/v1, /openapi/v3/apis/apps/v1 ….
type OpenAPIV3 struct {
	OpenAPI    string              `json:"openapi"`
	Info       Info                `json:"info"`
	Paths      map[string]PathItem `json:"paths"`
	Components Components          `json:"components"`
}

// Components holds a v3 document's schemas.
type Components struct {
	Schemas map[string]*Schema `json:"schemas"`
}

// Info names the API and its version.
type Info struct {
	Title   string `json:"title"`
	Version string `json:"version"`
}

// groupVersion is one served group-version and its kinds, in table order.
type groupVersion struct {
	group, version string
	resources      []*api.Resource
}

// path returns "api/v1" or "apis/apps/v1": the group-version's URL prefix
// without the leading slash, as the v3 index names it.
func (gv groupVersion) path() string {
	if gv.group == "" {
		return "api/" + gv.version
	}
	return "apis/" + gv.group + "/" + gv.version
}

// groupVersions returns the group-versions set serves, each with its
// kinds in the set's order, sorted by path. A nil set is the built-in
// kinds alone.
func groupVersions(set *api.ResourceSet) []groupVersion {
	var out []groupVersion
	idx := map[string]int{}
	for _, r := range orBuiltin(set).All() {
		k := r.APIVersion()
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, groupVersion{group: r.Group, version: r.Version})
		}
		out[i].resources = append(out[i].resources, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path() < out[j].path() })
	return out
}

func orBuiltin(set *api.ResourceSet) *api.ResourceSet {
	if set == nil {
		return api.BuiltinResources()
	}
	return set
}

// definitions builds every served kind's schema, its list's, and
// meta.v1.Status, with x-kubernetes-group-version-kind on each kind: the
// built-in kinds' by reflection on their Go types, then the custom
// resources' from their definitions' schemas (defineCustom).
func definitions(v3 bool, set *api.ResourceSet) *builder {
	b := newBuilder(v3)
	set = orBuiltin(set)
	// The set lists the core group first, so a type that core/v1 and
	// apps/v1 kinds share is named in core/v1 (see typePackage).
	for _, r := range set.All() {
		if r.Custom != nil {
			continue
		}
		b.pkg = groupPackage(r.Group, r.Version)
		t := reflect.TypeOf(r.New()).Elem()
		name := b.define(t)
		gvk := GVK{Group: r.Group, Version: r.Version, Kind: r.Kind}
		b.defs[name].GroupVersionKind = []GVK{gvk}
		b.defs[name+"List"] = b.listSchema(r, name)
	}
	b.pkg = pkgMeta
	b.define(reflect.TypeFor[api.Status]())
	b.defs[b.names[reflect.TypeFor[api.Status]()]].GroupVersionKind = []GVK{{Version: "v1", Kind: "Status"}}
	for _, r := range set.Custom() {
		b.defineCustom(r)
		if hasScale(r) {
			b.defineIn("io.k8s.api.autoscaling.v1", reflect.TypeFor[api.Scale]())
		}
	}
	return b
}

// listSchema describes a kind's list (PodList), which api.List builds
// generically and reflection cannot name.
func (b *builder) listSchema(r *api.Resource, item string) *Schema {
	listMeta := b.define(reflect.TypeFor[api.ListMeta]())
	return &Schema{
		Description: r.Kind + "List is a list of " + r.Kind + " objects.",
		Type:        "object",
		Required:    []string{"items"},
		Properties: map[string]*Schema{
			"apiVersion": {Type: "string", Description: descriptions["TypeMeta.apiVersion"]},
			"kind":       {Type: "string", Description: descriptions["TypeMeta.kind"]},
			"metadata":   b.refTo(listMeta, "Standard list metadata."),
			"items":      {Type: "array", Items: &Schema{Ref: b.ref(item)}, Description: "The " + r.Plural + "."},
		},
		GroupVersionKind: []GVK{{Group: r.Group, Version: r.Version, Kind: r.Kind + "List"}},
	}
}

// V2 returns the OpenAPI v2 document of every kind set serves (nil: the
// built-in kinds).
func V2(version string, set *api.ResourceSet) *SwaggerV2 {
	b := definitions(false, set)
	doc := &SwaggerV2{Swagger: "2.0", Info: Info{Title: "Kubernetes", Version: version}, Paths: map[string]PathItem{}, Definitions: b.defs}
	for _, gv := range groupVersions(set) {
		addPaths(doc.Paths, b, gv, false)
	}
	return doc
}

// V3 returns the OpenAPI v3 document of one group-version ("api/v1",
// "apis/apps/v1"), or nil if it is not served. It holds the definitions
// its kinds reach. set is what the server serves (nil: the built-in kinds).
func V3(gvPath, version string, set *api.ResourceSet) *OpenAPIV3 {
	for _, gv := range groupVersions(set) {
		if gv.path() != gvPath {
			continue
		}
		b := definitions(true, set)
		doc := &OpenAPIV3{OpenAPI: "3.0.0", Info: Info{Title: "Kubernetes", Version: version}, Paths: map[string]PathItem{},
			Components: Components{Schemas: map[string]*Schema{}}}
		addPaths(doc.Paths, b, gv, true)
		var roots []string
		for _, r := range gv.resources {
			n := b.kindName(r)
			roots = append(roots, n, n+"List")
			if r.Custom != nil {
				roots = append(roots, modelName(r.Group, r.Version, listKind(r)))
			}
			if hasScale(r) {
				roots = append(roots, b.names[reflect.TypeFor[api.Scale]()])
			}
		}
		roots = append(roots, b.names[reflect.TypeFor[api.Status]()])
		reachable(b.defs, roots, doc.Components.Schemas)
		return doc
	}
	return nil
}

// reachable copies into out the definitions named by roots and every
// definition they refer to.
func reachable(defs map[string]*Schema, roots []string, out map[string]*Schema) {
	const prefix = "#/components/schemas/"
	var visit func(name string)
	var walk func(s *Schema)
	visit = func(name string) {
		if _, done := out[name]; done || defs[name] == nil {
			return
		}
		out[name] = defs[name]
		walk(defs[name])
	}
	walk = func(s *Schema) {
		if s == nil {
			return
		}
		if strings.HasPrefix(s.Ref, prefix) {
			visit(strings.TrimPrefix(s.Ref, prefix))
		}
		for _, xs := range [][]*Schema{s.AllOf, s.AnyOf, s.OneOf} {
			for _, x := range xs {
				walk(x)
			}
		}
		walk(s.Not)
		walk(s.Items)
		walk(s.AdditionalProperties)
		for _, p := range s.Properties {
			walk(p)
		}
	}
	for _, r := range roots {
		visit(r)
	}
}

// V3Index is the document at /openapi/v3: each group-version's path and
// the URL to fetch it by, which carries a hash of its content so that a
// client may cache it for good (the server answers such a URL as
// immutable).
type V3Index struct {
	Paths map[string]V3IndexEntry `json:"paths"`
}

// V3IndexEntry points at one group-version's document.
type V3IndexEntry struct {
	ServerRelativeURL string `json:"serverRelativeURL"`
}

// Documents is every OpenAPI document, encoded once: the HTTP edge serves
// these bytes.
type Documents struct {
	V2      []byte            // /openapi/v2
	V3Index []byte            // /openapi/v3
	V3      map[string][]byte // "api/v1" → /openapi/v3/api/v1
	V3Hash  map[string]string // "api/v1" → the hash in its serverRelativeURL (and its ETag)
}

// Build encodes every document of the kinds set serves (nil: the built-in
// kinds). version is the server's version, shown in each document's info.
// A group-version's v3 document, and so its hash, changes only when its
// kinds do: a new custom resource changes its own group-version's URL in
// the index and leaves the others' cached documents good.
func Build(version string, set *api.ResourceSet) (*Documents, error) {
	d := &Documents{V3: map[string][]byte{}, V3Hash: map[string]string{}}
	var err error
	if d.V2, err = json.Marshal(V2(version, set)); err != nil {
		return nil, err
	}
	index := V3Index{Paths: map[string]V3IndexEntry{}}
	for _, gv := range groupVersions(set) {
		b, err := json.Marshal(V3(gv.path(), version, set))
		if err != nil {
			return nil, err
		}
		d.V3[gv.path()] = b
		d.V3Hash[gv.path()] = Hash(b)
		index.Paths[gv.path()] = V3IndexEntry{ServerRelativeURL: "/openapi/v3/" + gv.path() + "?hash=" + d.V3Hash[gv.path()]}
	}
	if d.V3Index, err = json.Marshal(index); err != nil {
		return nil, err
	}
	return d, nil
}

// Hash returns the content hash of a document as Kubernetes writes it in
// the v3 index (upper-case hex of SHA-512).
func Hash(b []byte) string {
	sum := sha512.Sum512(b)
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}
