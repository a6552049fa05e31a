// Package rbac decides requests from Roles, ClusterRoles and their
// bindings, as Kubernetes' RBAC authorizer does: a request is allowed when
// some rule granted to its user — by name, by one of its groups, or as a
// service account — matches it; nothing is ever denied by a rule.
//
// match.go is the heart of it: whether one rule covers one request
// (RuleAllows). The lab of chapter 16 has students write it. decide.go
// applies it over the bindings (Decide); rulesfor.go lists a user's rules
// (RulesFor); covers.go compares two sets of rules (Covers), which is how
// escalation is prevented; bootstrap.go is the default policy every
// cluster starts with.
//
// Book: book/16-identity-and-access.md.
package rbac
