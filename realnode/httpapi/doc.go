// Package httpapi carries the API over HTTP: Handler serves an
// apiserver.Server on Kubernetes' paths, with watches as chunked,
// newline-delimited JSON events (or protobuf frames), and Transport is the
// client side that the CLI, agents and controllers use. Content negotiation (negotiate.go) is
// the one place where media types other than JSON exist: protobuf bodies
// are translated through the k8s.io/api types (protobuf.go), so core/
// speaks JSON only.
//
// Book: chapter 3, "The API server" (book/03-api-server.md).
package httpapi
