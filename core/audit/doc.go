// Package audit is the audit log's pure half: the audit.k8s.io/v1 Event a
// server writes for each stage of a request, the Policy that decides how
// much of a request is recorded (None, Metadata, Request,
// RequestResponse), and the building of an event from what the edge knows
// of a request: who sent it, what it asked (authorizer.Attributes, derived
// as Kubernetes derives them), the bodies, and the answer.
//
// Nothing here writes a file or reads a clock: the edge
// (realnode/httpapi) hands in the times and the request, and a log writer
// (realnode/audit) puts the events on disk.
//
// Book: book/18-hardening.md.
package audit
