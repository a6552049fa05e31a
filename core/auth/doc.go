// Package auth names the users and groups Kubernetes gives a meaning to:
// the anonymous user, the groups every authenticated request is in, the
// components' own identities, nodes and service accounts. Its
// subpackages decide what a user may do (authorizer, rbac, node) and
// sign and check ServiceAccount tokens (serviceaccount).
//
// Authentication — proving who sent a request — happens at the edge
// (realnode/httpapi: TLS client certificates, bearer tokens) or is
// modelled by the simulator; it yields a rest.UserInfo carried on the
// request. Everything after that is here, deterministic, and runs in the
// simulator as it runs on a real cluster.
//
// Book: book/16-identity-and-access.md.
package auth
