package apiserver

import (
	"maps"
	"slices"
	"sync"

	"github.com/tinykube/tinykube/core/api"
)

// rbacCache holds the four RBAC kinds for the authorizer, following the
// store (followedPrefix, one per kind) like the namespace cache: every
// request is authorized, and reading the roles from the store each time
// would cost more than the request. A role written a moment ago on
// another server may not be seen yet; Kubernetes' RBAC, which reads from
// informers, has the same window.
//
// Each sync that changes something builds a new rbacIndex; a decision
// reads one index from start to end without a lock.
type rbacCache struct {
	mu      sync.Mutex
	kinds   [4]followedPrefix // roles, clusterroles, rolebindings, clusterrolebindings
	objects [4]map[string]api.Object
	index   *rbacIndex
}

// rbacPlurals are the kinds, in the order of rbacCache.kinds.
var rbacPlurals = [4]string{"roles", "clusterroles", "rolebindings", "clusterrolebindings"}

// current returns the index as of now. When the store cannot be followed
// (the server is cut off from it) it returns the last index it built, as
// an informer's cache keeps answering while its watch is down; ok=false
// only before the first sync, when there is nothing to decide on.
func (c *rbacCache) current(s *Server) (*rbacIndex, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	dirty := c.index == nil
	for i := range c.kinds {
		f := &c.kinds[i]
		if f.res == nil {
			f.res = api.ResourceByPlural(api.RBACGroup, rbacPlurals[i])
		}
		objs := &c.objects[i]
		ok, changed := f.sync(s.store, viewOf{
			reset:  func() { *objs = map[string]api.Object{} },
			put:    func(key string, obj api.Object) { (*objs)[key] = obj },
			remove: func(key string) { delete(*objs, key) },
		})
		dirty = dirty || changed
		if !ok {
			if dirty && c.index != nil {
				c.index = newRBACIndex(c.objects)
			}
			return c.index, c.index != nil
		}
	}
	if dirty {
		c.index = newRBACIndex(c.objects)
	}
	return c.index, true
}

// rbacIndex is one immutable view of the RBAC objects. It is an
// rbac.Source: bindings come sorted by name, so that decisions and their
// reasons are the same on every run.
type rbacIndex struct {
	roles               map[[2]string]*api.Role // namespace, name
	clusterRoles        map[string]*api.ClusterRole
	roleBindings        map[string][]*api.RoleBinding // by namespace
	clusterRoleBindings []*api.ClusterRoleBinding
}

func newRBACIndex(objects [4]map[string]api.Object) *rbacIndex {
	x := &rbacIndex{roles: map[[2]string]*api.Role{}, clusterRoles: map[string]*api.ClusterRole{}, roleBindings: map[string][]*api.RoleBinding{}}
	for _, k := range slices.Sorted(maps.Keys(objects[0])) {
		r := objects[0][k].(*api.Role)
		x.roles[[2]string{r.Namespace, r.Name}] = r
	}
	for _, k := range slices.Sorted(maps.Keys(objects[1])) {
		r := objects[1][k].(*api.ClusterRole)
		x.clusterRoles[r.Name] = r
	}
	// Keys are /registry/rolebindings/NAMESPACE/NAME: in key order, each
	// namespace's bindings come sorted by name.
	for _, k := range slices.Sorted(maps.Keys(objects[2])) {
		b := objects[2][k].(*api.RoleBinding)
		x.roleBindings[b.Namespace] = append(x.roleBindings[b.Namespace], b)
	}
	for _, k := range slices.Sorted(maps.Keys(objects[3])) {
		x.clusterRoleBindings = append(x.clusterRoleBindings, objects[3][k].(*api.ClusterRoleBinding))
	}
	return x
}

func (x *rbacIndex) ClusterRoleBindings() []*api.ClusterRoleBinding { return x.clusterRoleBindings }

func (x *rbacIndex) RoleBindings(namespace string) []*api.RoleBinding {
	return x.roleBindings[namespace]
}

func (x *rbacIndex) Role(namespace, name string) *api.Role {
	return x.roles[[2]string{namespace, name}]
}

func (x *rbacIndex) ClusterRole(name string) *api.ClusterRole { return x.clusterRoles[name] }
