package mutants

import (
	"slices"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/auth/authorizer"
	"github.com/tinykube/tinykube/core/auth/rbac"
	"github.com/tinykube/tinykube/core/rest"
	rbaclab "github.com/tinykube/tinykube/labs/16-rbac"
	"github.com/tinykube/tinykube/labs/16-rbac/reference"
)

// Mutant is one broken answer.
type Mutant struct {
	Name   string
	Decide rbaclab.DecideFunc
}

// with is the reference with the rules changed by f.
func with(f func(r *reference.Rules)) rbaclab.DecideFunc {
	r := reference.Default
	f(&r)
	return func(src rbac.Source, a authorizer.Attributes) (bool, string) {
		return reference.DecideWith(src, a, r)
	}
}

// exact matches a list without its wildcard.
func exact(list []string, want string) bool { return slices.Contains(list, want) }

// All are the mutants the checker must kill.
var All = []Mutant{
	{"verb-wildcard-ignored", with(func(r *reference.Rules) { r.Verb = exact })},
	{"group-wildcard-ignored", with(func(r *reference.Rules) { r.Group = exact })},
	{"ignores-resource-names", with(func(r *reference.Rules) {
		r.Name = func([]string, string) bool { return true }
	})},
	{"names-allow-collections", with(func(r *reference.Rules) {
		// a rule for "web" taken to allow listing what it names
		r.Name = func(names []string, name string) bool {
			return len(names) == 0 || name == "" || slices.Contains(names, name)
		}
	})},
	{"parent-covers-subresource", with(func(r *reference.Rules) {
		// "pods" taken to cover "pods/log" and "pods/status"
		def := reference.Default.Resource
		r.Resource = func(resources []string, resource, sub string) bool {
			return def(resources, resource, sub) || slices.Contains(resources, resource)
		}
	})},
	{"star-slash-subresource-ignored", with(func(r *reference.Rules) {
		r.Resource = func(resources []string, resource, sub string) bool {
			want := resource
			if sub != "" {
				want += "/" + sub
			}
			return slices.Contains(resources, "*") || slices.Contains(resources, want)
		}
	})},
	{"rolebinding-at-cluster-scope", with(func(r *reference.Rules) {
		// no early return at the cluster scope: src.RoleBindings("")
		// is every namespace's
		r.RoleBindings = func(src rbac.Source, a authorizer.Attributes) []*api.RoleBinding {
			return src.RoleBindings(a.Namespace)
		}
	})},
	{"rolebinding-in-other-namespace", with(func(r *reference.Rules) {
		// every namespace's RoleBindings, the binding's namespace never
		// compared with the request's
		r.RoleBindings = func(src rbac.Source, a authorizer.Attributes) []*api.RoleBinding {
			if a.Namespace == "" {
				return nil
			}
			return src.RoleBindings("")
		}
	})},
	{"sa-namespace-not-defaulted", with(func(r *reference.Rules) {
		r.Subject = func(s api.Subject, u *rest.UserInfo, bindingNS string) bool {
			if s.Kind == api.SubjectServiceAccount {
				return u.Name == "system:serviceaccount:"+s.Namespace+":"+s.Name
			}
			return reference.Default.Subject(s, u, bindingNS)
		}
	})},
	{"ignores-groups", with(func(r *reference.Rules) {
		r.Subject = func(s api.Subject, u *rest.UserInfo, bindingNS string) bool {
			return s.Kind != api.SubjectGroup && reference.Default.Subject(s, u, bindingNS)
		}
	})},
	{"url-prefix-star-ignored", with(func(r *reference.Rules) {
		r.URL = func(urls []string, path string) bool {
			for _, u := range urls {
				// "/healthz/*" read as a literal path, not a prefix
				if u == "*" || u == path {
					return true
				}
			}
			return false
		}
	})},
}
