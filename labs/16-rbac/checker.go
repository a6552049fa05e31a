package rbaclab

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/auth/authorizer"
	"github.com/tinykube/tinykube/core/auth/rbac"
	"github.com/tinykube/tinykube/labs/lab"
)

const book = `book/16-identity-and-access.md, "Code: the RBAC decision"`

// Lab returns lab 16 checking decide.
func Lab(decide DecideFunc) lab.Lab {
	c := checker{decide}
	return lab.Lab{Number: "16", Name: "the RBAC decision", Book: `book/16-identity-and-access.md, "Lab"`, Tests: []lab.Test{
		{Name: "RuleMatching", Points: 20, Book: book + " (RuleAllows)",
			Property: `a ClusterRoleBinding grants its ClusterRole's rules to its users everywhere; a rule covers a request when its verbs, apiGroups and resources each hold the request's, "*" holding everything`,
			Check:    c.exact(shape{wildcards: true})},
		{Name: "NamesAndSubresources", Points: 15, Book: book + " (RuleAllows)",
			Property: `a rule with resourceNames covers only requests naming one of them (never a list, a watch or a create); "pods" does not cover "pods/log", "pods/log" and "*/log" do`,
			Check:    c.exact(shape{names: true})},
		{Name: "NonResourceURLs", Points: 10, Book: book + " (RuleAllows)",
			Property: `a rule's nonResourceURLs cover a path when one is the path, "*", or a prefix ending in "*"; resource rules never cover paths, nor URL rules resources`,
			Check:    c.exact(shape{urls: true, wildcards: true})},
		{Name: "Subjects", Points: 15, Book: book + " (Decide)",
			Property: "a binding applies to a user it names, to every member of a group it names, and to a service account (a subject without a namespace being of the binding's); a binding of a role that does not exist grants nothing",
			Check:    c.exact(shape{subjects: true, wildcards: true})},
		{Name: "NamespaceScope", Points: 15, Book: book + " (Decide)",
			Property: "a RoleBinding grants its Role's or ClusterRole's rules only in its own namespace, and never at the cluster scope (namespace \"\"); a ClusterRoleBinding everywhere",
			Check:    c.exact(shape{namespaces: true, subjects: true, wildcards: true, names: true})},
		{Name: "AuthorizesInACluster", Points: 25, Book: book + " (Decide), and \"Concepts\"",
			Property: "with your Decide inside the API servers of a simulated cluster (apiserver.Authorization.Decide), a workload converges, and requests by test users are allowed or refused (403) as the RBAC objects in the store call for",
			Check:    c.sim},
	}}
}

type checker struct{ decide DecideFunc }

var errNotWritten = fmt.Errorf("Decide is not implemented yet (its reason is %q): write it in labs/16-rbac/student/decide.go, below \"LAB 16: your code here\"", NotImplemented)

// call runs the student's Decide on a copy of p and of a's user, so that
// a Decide that changes its arguments is caught rather than hidden from
// the checks that follow.
func (c checker) call(p *Policy, a authorizer.Attributes) (bool, error) {
	arg := p.clone()
	argA := a
	if a.User != nil {
		u := *a.User
		u.Groups = append([]string(nil), a.User.Groups...)
		argA.User = &u
	}
	got, reason := c.decide(arg, argA)
	if reason == NotImplemented {
		return false, errNotWritten
	}
	if d := cmp.Diff(encode(p), encode(arg)); d != "" {
		return false, fmt.Errorf("%s changed the RBAC objects (-before +after):\n%s\nDecide reads only its arguments: the API server's cache holds them", describeCall(a), d)
	}
	if d := cmp.Diff(a.User, argA.User); d != "" {
		return false, fmt.Errorf("%s changed the user (-before +after):\n%s\nDecide reads only its arguments", describeCall(a), d)
	}
	return got, nil
}

// encode is p's objects as JSON, one field a line, for a diff.
func encode(p *Policy) string {
	var parts []string
	for _, o := range p.objects() {
		b, err := json.MarshalIndent(o, "", " ")
		if err != nil {
			return err.Error()
		}
		parts = append(parts, string(b))
	}
	return strings.Join(parts, "\n")
}

// exact draws policies of shape s and requests around them, and holds
// Decide's answers to rbac.Decide's, explaining a wrong one.
func (c checker) exact(s shape) func(*lab.Env) error {
	return func(env *lab.Env) error {
		for range 3 {
			p := genPolicy(env.Rand, s)
			for range 15 {
				a := genRequest(env.Rand, p, s)
				got, err := c.call(p, a)
				if err != nil {
					return err
				}
				if err := judge(p, a, got); err != nil {
					return err
				}
			}
		}
		return nil
	}
}

// judge explains why got is not Decide's answer for a over p, or returns
// nil.
func judge(p rbac.Source, a authorizer.Attributes, got bool) error {
	want, _ := rbac.Decide(p, a)
	if got == want {
		return nil
	}
	policy := ""
	if pp, ok := p.(*Policy); ok {
		policy = "\n" + pp.String()
	}
	return fmt.Errorf("%s = %t, want %t: %s%s", describeCall(a), got, want, explain(p, a, want), policy)
}
