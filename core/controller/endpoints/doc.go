// Package endpoints is the Endpoints controller: for every Service with a
// selector it keeps an Endpoints object of the same namespace and name
// listing the pods behind the service — their IPs, nodes and the ports
// the service's target ports resolve to on each pod — split into ready
// and not-ready addresses. The service proxy and DNS read it.
//
// Only pods that can take traffic soon are listed: they have an IP, have
// not finished (phase Succeeded or Failed) and are not terminating
// (deletionTimestamp set). Addresses are grouped into subsets by identical
// port sets and sorted, so the same pods always give the same object and
// the controller writes only when something changed.
//
// The controller owns the Endpoints it writes and marks them with the
// ManagedBy annotation; Endpoints written by hand for a service without a
// selector carry no mark and are never touched.
//
// Book: chapter 11, "Services, the proxy and DNS" (book/11-services.md).
package endpoints
