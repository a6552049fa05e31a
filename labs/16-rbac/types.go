package rbaclab

import (
	"fmt"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/auth/authorizer"
	"github.com/tinykube/tinykube/core/auth/rbac"
	"github.com/tinykube/tinykube/core/rest"
)

// DecideFunc is an answer to the lab: student.Decide.
type DecideFunc = rbac.DecideFunc

// NotImplemented is the reason the starter's Decide gives: false is an
// answer ("denied"), so the starter needs a reason of its own to say it
// is not written yet.
const NotImplemented = "not implemented"

// describeUser is u in words: `User "jane" groups [dev system:authenticated]`.
func describeUser(u *rest.UserInfo) string {
	if u == nil {
		return "no user"
	}
	return fmt.Sprintf("User %q groups [%s]", u.Name, strings.Join(u.Groups, " "))
}

// describeRequest is what a asks, in words:
//
//	get pods/log "web" in namespace "a"
//	list deployments in group "apps" at the cluster scope
//	get path "/healthz/etcd"
func describeRequest(a authorizer.Attributes) string {
	if !a.ResourceRequest {
		return fmt.Sprintf("%s path %q", a.Verb, a.Path)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", a.Verb, a.ResourceString())
	if a.Name != "" {
		fmt.Fprintf(&b, " %q", a.Name)
	}
	if a.APIGroup != "" {
		fmt.Fprintf(&b, " in group %q", a.APIGroup)
	}
	if a.Namespace != "" {
		fmt.Fprintf(&b, " in namespace %q", a.Namespace)
	} else {
		b.WriteString(" at the cluster scope")
	}
	return b.String()
}

// describeCall is Decide's call as a failure prints it.
func describeCall(a authorizer.Attributes) string {
	return fmt.Sprintf("Decide(%s, %s)", describeUser(a.User), describeRequest(a))
}

// describeRule is one rule with its empty lists left out:
// {verbs [get], apiGroups [""], resources [pods/log], resourceNames [web]}.
func describeRule(r api.PolicyRule) string {
	parts := []string{"verbs [" + strings.Join(r.Verbs, " ") + "]"}
	if len(r.APIGroups) > 0 {
		q := make([]string, len(r.APIGroups))
		for i, g := range r.APIGroups {
			q[i] = fmt.Sprintf("%q", g)
		}
		parts = append(parts, "apiGroups ["+strings.Join(q, " ")+"]")
	}
	for _, l := range []struct {
		name string
		list []string
	}{{"resources", r.Resources}, {"resourceNames", r.ResourceNames}, {"nonResourceURLs", r.NonResourceURLs}} {
		if len(l.list) > 0 {
			parts = append(parts, l.name+" ["+strings.Join(l.list, " ")+"]")
		}
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func describeRules(rules []api.PolicyRule) string {
	if len(rules) == 0 {
		return "no rules"
	}
	out := make([]string, len(rules))
	for i, r := range rules {
		out[i] = describeRule(r)
	}
	return strings.Join(out, "; ")
}

// describeSubject is s in words; a ServiceAccount without a namespace
// says whose it is.
func describeSubject(s api.Subject) string {
	if s.Kind == api.SubjectServiceAccount {
		if s.Namespace == "" {
			return fmt.Sprintf("ServiceAccount %q (no namespace: the binding's)", s.Name)
		}
		return fmt.Sprintf("ServiceAccount %q of namespace %q", s.Name, s.Namespace)
	}
	return fmt.Sprintf("%s %q", s.Kind, s.Name)
}

func describeSubjects(ss []api.Subject) string {
	if len(ss) == 0 {
		return "nobody"
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = describeSubject(s)
	}
	return strings.Join(out, ", ")
}
