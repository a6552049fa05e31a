// Package httpapi carries the API over HTTP: Handler serves an
// apiserver.Server on Kubernetes' paths, with watches as chunked,
// newline-delimited JSON events, and Transport is the client side that the
// CLI, agents and controllers use.
//
// Book: chapter 3, "The API server" (book/03-api-server.md).
package httpapi
