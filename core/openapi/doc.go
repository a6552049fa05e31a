// Package openapi derives the OpenAPI documents that kubectl reads (v2 for
// client-side validation, v3 for `kubectl explain` and for learning that the
// server validates fields itself) from tinykube's Go types in core/api and
// the resource table. Nothing is written by hand per kind: a schema is the
// reflection of a type's json tags, its description comes from the type's
// doc comment (collected into descriptions_generated.go by
// `go generate`, since comments are gone at run time), and each served kind
// gets its x-kubernetes-group-version-kind and REST paths from api.Resources.
//
// The package is pure: it builds documents as values and JSON bytes. The
// HTTP edge (realnode/httpapi) serves them, because choosing between JSON
// and the protobuf encoding of v2, ETags and caching are HTTP concerns.
//
// Book: book/14-speaking-kubernetes.md, "Code: OpenAPI".
package openapi

//go:generate go test -run TestDescriptionsGenerated -update
