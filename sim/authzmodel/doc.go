// Package authzmodel is an independent model of RBAC, written to check the
// real one (core/auth/rbac) rather than to be fast or pretty: the policy —
// every Role, ClusterRole and binding — is compiled into a set of literal
// grants, one per (subject, scope, verb, group, resource, name) a rule
// names, wildcards kept as written; a request is allowed when one of the
// finitely many grants that could cover it is in the set. It shares no
// code with core/auth/rbac (neither Decide nor RuleAllows), so a mistake
// in one is not repeated in the other.
//
// The simulator compares every decision the API servers report against it
// (the authz-agrees-with-model invariant of sim/cluster), and a property
// test compares it with rbac.Decide over random policies and requests,
// also through a real API server.
//
// Book: book/16-identity-and-access.md.
package authzmodel
