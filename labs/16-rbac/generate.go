package rbaclab

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/auth"
	"github.com/tinykube/tinykube/core/auth/authorizer"
	"github.com/tinykube/tinykube/core/rest"
)

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// shape says what a generated policy and its requests may contain.
type shape struct {
	// wildcards: "*" in verbs, apiGroups and resources.
	wildcards bool
	// names: resourceNames, and subresources ("pods/log", "*/scale") in
	// rules and requests.
	names bool
	// urls: nonResourceURLs, and requests on paths.
	urls bool
	// subjects: groups and service accounts besides users, and bindings
	// of roles that do not exist.
	subjects bool
	// namespaces: Roles and RoleBindings in two namespaces, ClusterRoles
	// bound by RoleBindings, and requests at the cluster scope.
	namespaces bool
}

// kind is a resource requests may name.
type kind struct {
	group, resource string
	namespaced      bool
	subs            []string
}

var (
	kinds = []kind{
		{"", "pods", true, []string{"log", "status"}},
		{"", "secrets", true, nil},
		{"", "configmaps", true, nil},
		{"", "nodes", false, []string{"status"}},
		{"apps", "deployments", true, []string{"scale", "status"}},
		{"apps", "replicasets", true, []string{"scale"}},
		{"batch", "jobs", true, []string{"status"}},
	}
	groups     = []string{"", "apps", "batch"}
	verbs      = []string{"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"}
	objNames   = []string{"web", "db", "cache"}
	namespaces = []string{"a", "b"}
	urls       = []string{"/healthz", "/healthz/*", "/version", "*", "/apis/*", "/metrics"}
	paths      = []string{"/healthz", "/healthz/etcd", "/healthzz", "/version", "/metrics", "/apis/apps", "/livez"}
)

// users are who requests come from: people in groups, and service
// accounts of the two namespaces.
var users = []*rest.UserInfo{
	{Name: "jane", Groups: []string{"dev", auth.AllAuthenticated}},
	{Name: "bob", Groups: []string{"ops", auth.AllAuthenticated}},
	{Name: "amir", Groups: []string{auth.AllAuthenticated}},
	{Name: auth.ServiceAccountUserName("a", "robot"), Groups: auth.ServiceAccountGroups("a")},
	{Name: auth.ServiceAccountUserName("b", "robot"), Groups: auth.ServiceAccountGroups("b")},
	{Name: auth.ServiceAccountUserName("a", "builder"), Groups: auth.ServiceAccountGroups("a")},
}

// genSubject draws who a binding of namespace ns ("" for a
// ClusterRoleBinding) grants to.
func genSubject(r *rand.Rand, s shape, ns string) api.Subject {
	if !s.subjects || r.IntN(3) == 0 {
		return api.Subject{Kind: api.SubjectUser, APIGroup: api.RBACGroup, Name: pick(r, []string{"jane", "bob", "amir"})}
	}
	switch r.IntN(4) {
	case 0:
		return api.Subject{Kind: api.SubjectGroup, APIGroup: api.RBACGroup, Name: pick(r, []string{"dev", "ops", "dev", "ops", "system:serviceaccounts:a", auth.AllAuthenticated})}
	case 1:
		// a service account named as a user
		return api.Subject{Kind: api.SubjectUser, APIGroup: api.RBACGroup, Name: auth.ServiceAccountUserName(pick(r, namespaces), "robot")}
	}
	sa := api.Subject{Kind: api.SubjectServiceAccount, Name: pick(r, []string{"robot", "robot", "builder"}), Namespace: pick(r, namespaces)}
	if ns != "" && r.IntN(2) == 0 {
		sa.Namespace = "" // the binding's namespace
	}
	return sa
}

// genRule draws one rule.
func genRule(r *rand.Rand, s shape) api.PolicyRule {
	if s.urls && r.IntN(2) == 0 {
		rule := api.PolicyRule{Verbs: pick(r, [][]string{{"get"}, {"get", "post"}, {"post"}}), NonResourceURLs: []string{pick(r, urls)}}
		if s.wildcards && r.IntN(4) == 0 {
			rule.Verbs = []string{"*"}
		}
		if r.IntN(3) == 0 {
			rule.NonResourceURLs = append(rule.NonResourceURLs, pick(r, urls))
		}
		return rule
	}
	k := pick(r, kinds)
	rule := api.PolicyRule{APIGroups: []string{k.group}, Resources: []string{k.resource}}
	for _, i := range r.Perm(len(verbs))[:1+r.IntN(3)] {
		rule.Verbs = append(rule.Verbs, verbs[i])
	}
	if s.wildcards {
		if r.IntN(4) == 0 {
			rule.Verbs = []string{"*"}
		}
		if r.IntN(4) == 0 {
			rule.APIGroups = []string{"*"}
		}
		if r.IntN(5) == 0 {
			rule.Resources = []string{"*"}
		}
	}
	if r.IntN(6) == 0 {
		rule.APIGroups = append(rule.APIGroups, pick(r, groups))
	}
	if s.names {
		if len(k.subs) > 0 && r.IntN(3) > 0 {
			sub := pick(r, k.subs)
			switch r.IntN(4) {
			case 0:
				rule.Resources = []string{k.resource + "/" + sub}
			case 1:
				rule.Resources = []string{"*/" + sub}
			case 2:
				rule.Resources = []string{k.resource, k.resource + "/" + sub}
			}
		}
		if r.IntN(2) == 0 {
			rule.ResourceNames = pick(r, [][]string{{"web"}, {"web", "db"}, {"db"}})
		}
	}
	if r.IntN(6) == 0 {
		o := pick(r, kinds)
		rule.Resources = append(rule.Resources, o.resource)
	}
	return rule
}

func genRules(r *rand.Rand, s shape) []api.PolicyRule {
	var rules []api.PolicyRule
	for range 1 + r.IntN(2) {
		rules = append(rules, genRule(r, s))
	}
	return rules
}

func genSubjects(r *rand.Rand, s shape, ns string) []api.Subject {
	var out []api.Subject
	for range 1 + r.IntN(2) {
		out = append(out, genSubject(r, s, ns))
	}
	return out
}

var (
	clusterRoleNames = []string{"cluster-reader", "cluster-writer", "cluster-ops"}
	roleNames        = []string{"reader", "log-reader", "scaler"}
)

// genPolicy draws the RBAC objects of one seed.
func genPolicy(r *rand.Rand, s shape) *Policy {
	p := &Policy{}
	for _, name := range clusterRoleNames[:1+r.IntN(3)] {
		p.clusterRoles = append(p.clusterRoles, &api.ClusterRole{TypeMeta: api.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRole"},
			ObjectMeta: api.ObjectMeta{Name: name}, Rules: genRules(r, s)})
	}
	roleRef := func(kind string, names []string) api.RoleRef {
		ref := api.RoleRef{APIGroup: api.RBACGroup, Kind: kind, Name: pick(r, names)}
		if (s.subjects || s.namespaces) && r.IntN(6) == 0 {
			ref.Name = "ghost" // a role that does not exist
		}
		return ref
	}
	for i := range 1 + r.IntN(2) {
		p.clusterRoleBindings = append(p.clusterRoleBindings, &api.ClusterRoleBinding{
			TypeMeta:   api.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRoleBinding"},
			ObjectMeta: api.ObjectMeta{Name: fmt.Sprintf("crb-%d", i+1)},
			Subjects:   genSubjects(r, s, ""), RoleRef: roleRef("ClusterRole", clusterRoleNames)})
	}
	if !s.namespaces && !s.subjects {
		return p
	}
	for _, ns := range namespaces {
		// The same role names in both namespaces, with different rules.
		for _, name := range roleNames[:1+r.IntN(2)] {
			p.roles = append(p.roles, &api.Role{TypeMeta: api.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "Role"},
				ObjectMeta: api.ObjectMeta{Namespace: ns, Name: name}, Rules: genRules(r, shape{wildcards: s.wildcards, names: s.names})})
		}
		for i := range 1 + r.IntN(2) {
			ref := roleRef("Role", roleNames)
			if s.namespaces && r.IntN(3) == 0 {
				ref = roleRef("ClusterRole", clusterRoleNames)
			}
			p.roleBindings = append(p.roleBindings, &api.RoleBinding{
				TypeMeta:   api.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "RoleBinding"},
				ObjectMeta: api.ObjectMeta{Namespace: ns, Name: fmt.Sprintf("rb-%d", i+1)},
				Subjects:   genSubjects(r, s, ns), RoleRef: ref})
		}
	}
	return p
}

// userFor returns a user that s names in a binding of namespace ns, or
// a user drawn at random when s names none of users.
func userFor(r *rand.Rand, s api.Subject, ns string) *rest.UserInfo {
	var match []*rest.UserInfo
	for _, u := range users {
		switch s.Kind {
		case api.SubjectUser:
			if u.Name == s.Name {
				match = append(match, u)
			}
		case api.SubjectGroup:
			if u.InGroup(s.Name) {
				match = append(match, u)
			}
		case api.SubjectServiceAccount:
			sns := s.Namespace
			if sns == "" {
				sns = ns
			}
			if u.Name == auth.ServiceAccountUserName(sns, s.Name) || (sns == "" && strings.HasSuffix(u.Name, ":"+s.Name)) {
				match = append(match, u)
			}
		}
	}
	if len(match) == 0 {
		match = users
	}
	return pick(r, match)
}

// genRequest draws a request, most often close to what one binding of p
// grants: its subject, one of its role's rules, its namespace — then, now
// and then, one thing changed.
func genRequest(r *rand.Rand, p *Policy, s shape) authorizer.Attributes {
	bs := bindingsOf(p)
	b := pick(r, bs)
	a := authorizer.Attributes{User: userFor(r, pick(r, b.subjects), b.namespace)}
	if r.IntN(5) == 0 {
		a.User = pick(r, users)
	}
	rules, _ := rulesOf(p, b)
	var rule *api.PolicyRule
	if len(rules) > 0 && r.IntN(5) > 0 {
		rule = &rules[r.IntN(len(rules))]
	}
	if rule == nil {
		// any rule of p, so that roles a missing role's binding does not
		// grant are asked for too
		var all []api.PolicyRule
		for _, cr := range p.clusterRoles {
			all = append(all, cr.Rules...)
		}
		for _, ro := range p.roles {
			all = append(all, ro.Rules...)
		}
		rule = &all[r.IntN(len(all))]
	}
	if len(rule.NonResourceURLs) > 0 || (s.urls && r.IntN(8) == 0) {
		a.Verb = pick(r, []string{"get", "post"})
		if v := pick(r, rule.Verbs); v != "*" && r.IntN(4) > 0 {
			a.Verb = v
		}
		a.Path = pick(r, paths)
		if len(rule.NonResourceURLs) > 0 && r.IntN(3) > 0 {
			a.Path = pathFor(r, pick(r, rule.NonResourceURLs))
		}
		return a
	}
	a.ResourceRequest = true
	a.Verb = pick(r, rule.Verbs)
	if a.Verb == "*" {
		a.Verb = pick(r, verbs)
	}
	// The resource: one the rule names, a kind "*" stands for, a kind
	// with the subresource "*/sub" names.
	res := pick(r, rule.Resources)
	k, sub := kindFor(r, res)
	a.Resource, a.Subresource, a.APIGroup = k.resource, sub, k.group
	if g := pick(r, rule.APIGroups); g != "*" && r.IntN(4) > 0 {
		a.APIGroup = g
	}
	if k.namespaced {
		a.Namespace = b.namespace
		if a.Namespace == "" || (s.namespaces && r.IntN(3) == 0) {
			a.Namespace = pick(r, []string{"a", "b", ""})
		}
	}
	if !slices.Contains([]string{"list", "watch", "create", "deletecollection"}, a.Verb) {
		a.Name = pick(r, objNames)
		if len(rule.ResourceNames) > 0 && r.IntN(2) == 0 {
			a.Name = pick(r, rule.ResourceNames)
		}
	}
	if r.IntN(3) == 0 {
		perturb(r, &a, s)
	}
	return a
}

// kindFor returns the kind and subresource a rule's resource entry
// stands for.
func kindFor(r *rand.Rand, res string) (kind, string) {
	name, sub, _ := strings.Cut(res, "/")
	var fits []kind
	for _, k := range kinds {
		if (name == "*" || name == k.resource) && (sub == "" || slices.Contains(k.subs, sub)) {
			fits = append(fits, k)
		}
	}
	if len(fits) == 0 {
		fits = kinds
	}
	k := pick(r, fits)
	if name == "*" && sub == "" && len(k.subs) > 0 && r.IntN(3) == 0 {
		sub = pick(r, k.subs) // "*" covers subresources too
	}
	return k, sub
}

// pathFor returns a path url covers, or one just beside it.
func pathFor(r *rand.Rand, url string) string {
	if prefix, ok := strings.CutSuffix(url, "*"); ok {
		if prefix == "" {
			return pick(r, paths)
		}
		return prefix + pick(r, []string{"etcd", "apps", "ping", ""})
	}
	if r.IntN(4) == 0 {
		return url + "/etcd"
	}
	return url
}

// perturb changes one thing of a resource request.
func perturb(r *rand.Rand, a *authorizer.Attributes, s shape) {
	switch r.IntN(5) {
	case 0:
		a.Verb = pick(r, verbs)
		if slices.Contains([]string{"list", "watch", "create", "deletecollection"}, a.Verb) {
			a.Name = ""
		}
	case 1:
		a.APIGroup = pick(r, groups)
	case 2:
		if a.Subresource != "" {
			a.Subresource = ""
		} else {
			for _, k := range kinds {
				if k.resource == a.Resource && len(k.subs) > 0 {
					a.Subresource = pick(r, k.subs)
				}
			}
		}
	case 3:
		if a.Name == "" {
			a.Name = pick(r, objNames)
		} else {
			a.Name = pick(r, []string{"", "cache"})
		}
	case 4:
		if a.Namespace != "" || s.namespaces {
			a.Namespace = pick(r, []string{"a", "b", ""})
		}
	}
}
