// Package serviceaccount signs and checks ServiceAccount tokens: JSON Web
// Tokens signed with Ed25519 (deterministic, so the simulator replays a
// run bit for bit), bound to audiences and a lifetime, and optionally to
// the pod they were issued for. A token is only as good as the objects it
// names: the API server checks that the ServiceAccount (and the pod) still
// exist with the uids the token carries.
//
// Book: book/16-identity-and-access.md.
package serviceaccount
