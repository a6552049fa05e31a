package apiserver

import (
	"maps"
	"slices"
	"sync"

	"github.com/tinykube/tinykube/core/api"
)

// crdCache follows the CustomResourceDefinitions in the store
// (followedPrefix, like the RBAC cache) and keeps the ResourceSet they
// make: the built-in kinds plus one resource per served version of every
// definition whose names were accepted. Every request is routed through
// it, so a definition created on one server is served by every server of
// the cluster as soon as each has seen the write — no restart, and no
// message between servers.
type crdCache struct {
	mu      sync.Mutex
	follow  followedPrefix
	objects map[string]*api.CustomResourceDefinition // by store key
	set     *api.ResourceSet
}

// resources returns the resources the server serves as of now. When the
// store cannot be followed it keeps answering with the last set it built
// (the built-in kinds alone before the first sync).
func (s *Server) resources() *api.ResourceSet {
	c := &s.crds
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.follow.res == nil {
		c.follow.res = api.ResourceByPlural(api.APIExtensionsGroup, "customresourcedefinitions")
	}
	_, changed := c.follow.sync(s.store, viewOf{
		reset: func() { c.objects = map[string]*api.CustomResourceDefinition{} },
		put: func(key string, obj api.Object) {
			if crd, ok := obj.(*api.CustomResourceDefinition); ok {
				c.objects[key] = crd
			}
		},
		remove: func(key string) { delete(c.objects, key) },
	})
	if changed || c.set == nil {
		var custom []*api.Resource
		for _, k := range slices.Sorted(maps.Keys(c.objects)) {
			custom = append(custom, api.ResourcesFromCRD(c.objects[k])...)
		}
		c.set = api.NewResourceSet(custom)
	}
	return c.set
}

// definitions returns the CustomResourceDefinitions the server has seen,
// ordered by name. They are shared: read them, never change them.
func (s *Server) definitions() []*api.CustomResourceDefinition {
	s.resources()
	c := &s.crds
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]*api.CustomResourceDefinition, 0, len(c.objects))
	for _, k := range slices.Sorted(maps.Keys(c.objects)) {
		out = append(out, c.objects[k])
	}
	return out
}

// Resources returns the resources the server serves now: the built-in
// kinds and the custom resources of its established definitions. The
// HTTP edge uses it for what it must know of a kind (OpenAPI, protobuf).
func (s *Server) Resources() *api.ResourceSet { return s.resources() }
