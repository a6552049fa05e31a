// Package cel compiles and runs the CEL rules of a custom resource's
// schema (x-kubernetes-validations), with self bound to the value at the
// rule's place in the object and, on updates, oldSelf to its previous
// value.
//
// Compile walks the schema (properties, items, additionalProperties) and
// type-checks each rule against the schema at its place (types.go), in an
// environment with the standard macros, the cel-go extensions Kubernetes
// enables and Kubernetes' own libraries: lists, regex, quantity, IP, CIDR,
// URL, named formats and semantic versions (env.go, library_*.go), the
// functions a new CRD rule may use on a real API server (authz aside: CRD
// rules have no authorizer to call it on). Validate walks the object the
// same way, converting each value by its schema (values.go), matching old
// values by property, map key and list-map keys, and turning failed rules
// into field errors worded as Kubernetes words them (validate.go). Each
// evaluation has a cost limit and each write a cost budget (cost.go).
// Nothing here starts goroutines or reads the clock.
//
// Book: book/17-custom-resources.md.
package cel
