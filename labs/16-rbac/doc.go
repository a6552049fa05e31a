// Package rbaclab is the checker of lab 16: Decide, the RBAC decision,
// which a student writes in labs/16-rbac/student.
//
// The checker draws a policy from each seed — Roles, ClusterRoles and
// their bindings to users, groups and service accounts, with wildcards,
// resourceNames, subresources ("pods/log", "*/scale"), nonResourceURLs,
// ClusterRoles bound by RoleBindings, and bindings of roles that do not
// exist — and requests, many of them close to what the policy grants. It
// compares Decide's answer with core/auth/rbac's and says in words which
// binding and rule decide (expected.go). Then it plugs Decide into the
// API servers of a simulated cluster (sim.go, through
// cluster.Plugins.AuthorizationDecide and apiserver.Authorization.Decide),
// runs a small workload, and sends requests as test users whose answers
// (403 or not) must be the ones the RBAC objects in the store call for.
//
// Book: book/16-identity-and-access.md, "Lab".
package rbaclab
