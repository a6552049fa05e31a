// Package authorizer is the seam between the API server and whoever
// decides what a user may do: a request becomes Attributes (who, which
// verb, on what), and an Authorizer answers Allow, Deny or NoOpinion.
// Several authorizers are asked in turn (Union): the node authorizer
// first, then RBAC, as Kubernetes' --authorization-mode=Node,RBAC.
//
// Book: book/16-identity-and-access.md.
package authorizer
