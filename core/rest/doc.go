// Package rest is the wire between API clients and the API server, free of
// any transport: a Request (method, path, query, body), a Response (code,
// body, warnings) and, for watches, a Stream of events.
//
// The API server handles rest.Requests; realnode carries them over HTTP and
// the simulator over its simulated network. Because both worlds route the
// same requests through the same code, what is tested in the simulator is
// what serves real clusters. Book: chapter 3 (book/03-api-server.md).
package rest
