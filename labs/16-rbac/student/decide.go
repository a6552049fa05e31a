// Lab 16: your code goes in this file (labs/16-rbac/README.md); the
// contract comment below is the specification.

package student

import (
	"github.com/tinykube/tinykube/core/auth/authorizer"
	"github.com/tinykube/tinykube/core/auth/rbac"
	rbaclab "github.com/tinykube/tinykube/labs/16-rbac"
)

// Decide reports whether the RBAC objects of src allow the request a,
// and when they do, a reason naming the binding that did ("RBAC: allowed
// by RoleBinding "r" of Role "log-reader" to jane in namespace "a"").
// RBAC never denies: false means no binding allows. It reads only its
// arguments and changes none of them (src is the API server's cache).
//
// Contract.
//
// WHO. a.User is the user (nil: allow nothing). A binding APPLIES to the
// user when one of its subjects is
//   - a User whose name is a.User.Name;
//   - a Group that a.User is in (a.User.InGroup);
//   - a ServiceAccount whose user name, auth.ServiceAccountUserName(ns,
//     name), is a.User.Name — ns being the subject's namespace or, when
//     it has none, the binding's own (a RoleBinding's namespace; a
//     ClusterRoleBinding has none, and such a subject names nobody).
//
// WHERE. A ClusterRoleBinding (src.ClusterRoleBindings()) grants the
// rules of its ClusterRole (roleRef.kind "ClusterRole") everywhere. A
// RoleBinding grants the rules of its roleRef — a Role of the binding's
// own namespace (src.Role(binding's namespace, name)) or a ClusterRole —
// only to requests in the binding's namespace, a.Namespace. A request at
// the cluster scope (a.Namespace == "": a cluster-scoped kind, or a list
// over every namespace) is never granted by a RoleBinding. Beware:
// src.RoleBindings(ns) is the bindings of namespace ns, and, as a lister
// does, src.RoleBindings("") is those of EVERY namespace. A binding
// whose role does not exist (src returns nil) grants nothing.
//
// WHAT. A rule covers a resource request (a.ResourceRequest) when
//   - its verbs hold a.Verb or "*";
//   - its apiGroups hold a.APIGroup ("" is the core group) or "*";
//   - its resources hold "*", the resource ("pods") when the request has
//     no subresource, or the resource with its subresource ("pods/log")
//     when it has one — "pods" does not cover "pods/log" — or
//     "*/SUB" for the request's subresource SUB ("*/scale");
//   - its resourceNames are empty, or hold a.Name exactly; a rule with
//     resourceNames never covers a request without a name (a list, a
//     watch, a create).
//
// A rule covers a non-resource request (a.ResourceRequest false: a.Path,
// "/healthz") when its verbs hold a.Verb or "*", and one of its
// nonResourceURLs is a.Path, "*", or a prefix ending in "*" that a.Path
// starts with ("/healthz/*" covers "/healthz/etcd"). Resource rules never
// cover non-resource requests, nor URL rules resource requests.
//
// ANSWER. true when some binding that applies to the user, and may act
// where the request is, grants a rule that covers the request.
func Decide(src rbac.Source, a authorizer.Attributes) (allowed bool, reason string) {
	// LAB 16: your code here
	return false, rbaclab.NotImplemented // tells the checker this is not written yet
}
