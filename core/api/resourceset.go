package api

import (
	"fmt"
	"sort"
	"strings"
)

// ResourceSet is the table of resources one API serves: the built-in kinds
// and the custom resources of the CustomResourceDefinitions it has
// established. It is immutable; an API server builds a new one when its
// definitions change.
type ResourceSet struct {
	all []*Resource // ordered by group, then plural, then version
}

// builtin is the set of built-in kinds alone.
var builtin = NewResourceSet(nil)

// BuiltinResources returns the set of built-in kinds.
func BuiltinResources() *ResourceSet { return builtin }

// NewResourceSet returns the built-in kinds plus custom. A custom resource
// whose group and plural a built-in kind has is left out: built-in kinds
// always win.
func NewResourceSet(custom []*Resource) *ResourceSet {
	out := append([]*Resource(nil), resources...)
	for _, r := range custom {
		if b := findPlural(resources, r.Group, r.Plural, ""); b != nil {
			continue
		}
		out = append(out, r)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Group != out[j].Group {
			return out[i].Group < out[j].Group
		}
		if out[i].Plural != out[j].Plural {
			return out[i].Plural < out[j].Plural
		}
		return out[i].Version < out[j].Version
	})
	return &ResourceSet{all: out}
}

// All returns every resource, ordered by group, plural and version. The
// slice is the caller's; the resources are shared.
func (s *ResourceSet) All() []*Resource { return append([]*Resource(nil), s.all...) }

// Custom returns the custom resources alone, in the same order.
func (s *ResourceSet) Custom() []*Resource {
	var out []*Resource
	for _, r := range s.all {
		if r.Custom != nil {
			out = append(out, r)
		}
	}
	return out
}

// For returns the resource of an apiVersion and kind, or nil.
func (s *ResourceSet) For(apiVersion, kind string) *Resource {
	for _, r := range s.all {
		if r.APIVersion() == apiVersion && r.Kind == kind {
			return r
		}
	}
	return nil
}

// ByPlural returns the resource with this group and plural, or nil. A
// custom resource served at several versions has one Resource per version;
// ByPlural returns the preferred one (see Preferred).
func (s *ResourceSet) ByPlural(group, plural string) *Resource {
	var found []*Resource
	for _, r := range s.all {
		if r.Group == group && r.Plural == plural {
			found = append(found, r)
		}
	}
	return preferred(found)
}

// ByGroupVersionPlural returns the resource served at exactly this group,
// version and plural, or nil: what a URL names.
func (s *ResourceSet) ByGroupVersionPlural(group, version, plural string) *Resource {
	return findPlural(s.all, group, plural, version)
}

func findPlural(rs []*Resource, group, plural, version string) *Resource {
	for _, r := range rs {
		if r.Group == group && r.Plural == plural && (version == "" || r.Version == version) {
			return r
		}
	}
	return nil
}

// preferred picks the version clients use by default: for a custom
// resource the first served version in the definition's order of
// versions, as Kubernetes sorts them (see VersionPriority); otherwise the
// only one.
func preferred(rs []*Resource) *Resource {
	if len(rs) == 0 {
		return nil
	}
	best := rs[0]
	for _, r := range rs[1:] {
		if VersionPriority(r.Version) > VersionPriority(best.Version) ||
			(VersionPriority(r.Version) == VersionPriority(best.Version) && r.Version > best.Version) {
			best = r
		}
	}
	return best
}

// Versions returns the versions a group serves, the preferred first.
func (s *ResourceSet) Versions(group string) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range s.all {
		if r.Group == group && !seen[r.Version] {
			seen[r.Version] = true
			out = append(out, r.Version)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return versionLess(out[j], out[i]) })
	return out
}

// Groups returns the named groups served (not the core group ""), sorted.
func (s *ResourceSet) Groups() []string {
	var out []string
	for _, r := range s.all {
		if r.Group != "" && (len(out) == 0 || out[len(out)-1] != r.Group) {
			out = append(out, r.Group)
		}
	}
	return out
}

// Lookup resolves what a person types on the command line: a plural
// ("pods"), singular ("pod"), short name ("po"), kind ("Pod"), or any of
// them qualified by group ("deployments.apps", "crontabs.stable.example.com")
// or by version and group ("crontabs.v1.stable.example.com"). Case does
// not matter. Built-in kinds are matched first.
func (s *ResourceSet) Lookup(name string) (*Resource, error) {
	n := strings.ToLower(name)
	group, version := "", ""
	if i := strings.IndexByte(n, '.'); i >= 0 {
		n, group = n[:i], n[i+1:]
	}
	try := func(group, version string) *Resource {
		var found []*Resource
		for pass := 0; pass < 2 && len(found) == 0; pass++ {
			for _, r := range s.all {
				if (pass == 0) != (r.Custom == nil) {
					continue
				}
				if (group != "" && r.Group != group) || (version != "" && r.Version != version) {
					continue
				}
				if matchesName(r, n) {
					found = append(found, r)
				}
			}
		}
		if len(found) == 0 {
			return nil
		}
		// One resource at several versions: the preferred one.
		return preferred(sameGroupResource(found))
	}
	if r := try(group, version); r != nil {
		return r, nil
	}
	if i := strings.IndexByte(group, '.'); i >= 0 {
		if r := try(group[i+1:], group[:i]); r != nil {
			return r, nil
		}
	}
	return nil, fmt.Errorf("the server doesn't have a resource type %q", name)
}

func matchesName(r *Resource, n string) bool {
	if n == r.Plural || n == r.Singular || n == strings.ToLower(r.Kind) {
		return true
	}
	for _, s := range r.ShortNames {
		if n == s {
			return true
		}
	}
	return false
}

// sameGroupResource keeps the resources of the first one's group and
// plural.
func sameGroupResource(rs []*Resource) []*Resource {
	var out []*Resource
	for _, r := range rs {
		if r.Group == rs[0].Group && r.Plural == rs[0].Plural {
			out = append(out, r)
		}
	}
	return out
}

// VersionPriority ranks a version name as Kubernetes orders versions: GA
// (v2 > v1) above beta (v1beta2 > v1beta1) above alpha, above names that
// are not of that form. Higher is preferred.
func VersionPriority(v string) int {
	major, kind, minor, ok := parseKubeVersion(v)
	if !ok {
		return 0
	}
	return (3-kind)*1_000_000 + major*1000 + minor
}

func versionLess(a, b string) bool {
	pa, pb := VersionPriority(a), VersionPriority(b)
	if pa != pb {
		return pa < pb
	}
	if pa == 0 {
		return a > b // names that are not versions: alphabetical
	}
	return false
}

// parseKubeVersion splits "v1beta2" into 1, kind 1 (0 GA, 1 beta, 2 alpha)
// and 2.
func parseKubeVersion(v string) (major, kind, minor int, ok bool) {
	if len(v) < 2 || v[0] != 'v' {
		return 0, 0, 0, false
	}
	i := 1
	for i < len(v) && v[i] >= '0' && v[i] <= '9' {
		major = major*10 + int(v[i]-'0')
		i++
	}
	if i == 1 || v[1] == '0' || major > 999 {
		return 0, 0, 0, false
	}
	rest := v[i:]
	switch {
	case rest == "":
		return major, 0, 0, true
	case strings.HasPrefix(rest, "beta"):
		kind, rest = 1, rest[4:]
	case strings.HasPrefix(rest, "alpha"):
		kind, rest = 2, rest[5:]
	default:
		return 0, 0, 0, false
	}
	if rest == "" || rest[0] == '0' || len(rest) > 3 {
		return 0, 0, 0, false
	}
	for _, c := range rest {
		if c < '0' || c > '9' {
			return 0, 0, 0, false
		}
		minor = minor*10 + int(c-'0')
	}
	return major, kind, minor, true
}

// ResourcesFromCRD returns one Resource per served version of crd, using
// its accepted names (the names the API server agreed to serve; a CRD
// whose names are not accepted yields none).
func ResourcesFromCRD(crd *CustomResourceDefinition) []*Resource {
	names := crd.Status.AcceptedNames
	if names.Plural == "" || names.Kind == "" {
		return nil
	}
	var out []*Resource
	for i := range crd.Spec.Versions {
		v := &crd.Spec.Versions[i]
		if !v.Served {
			continue
		}
		r := &Resource{
			Group: crd.Spec.Group, Version: v.Name, Kind: names.Kind,
			Plural: names.Plural, Singular: names.Singular, ShortNames: names.ShortNames,
			Namespaced: crd.Spec.Scope == NamespaceScoped,
			HasStatus:  v.Subresources != nil && v.Subresources.Status != nil,
			Custom:     &CustomResource{Definition: crd, Version: v},
		}
		if r.Singular == "" {
			r.Singular = strings.ToLower(names.Kind)
		}
		apiVersion, kind := r.APIVersion(), r.Kind
		r.New = func() Object {
			return &Unstructured{TypeMeta: TypeMeta{APIVersion: apiVersion, Kind: kind}}
		}
		out = append(out, r)
	}
	return out
}
