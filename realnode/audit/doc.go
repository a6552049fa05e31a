// Package audit writes the audit log: one audit.k8s.io/v1 Event per line
// to a file (kube-apiserver's --audit-log-path), rotated by size into
// FILE-<time>.log backups as kube-apiserver's log does, or to standard
// output. The events themselves, and the policy deciding what is
// recorded, are core/audit's; the edge that builds them from HTTP
// requests is realnode/httpapi.
//
// Book: book/18-hardening.md.
package audit
