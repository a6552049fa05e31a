// Package podsecurity is the Pod Security Standards as Kubernetes'
// Pod Security admission defines them: three levels (privileged, which
// allows everything; baseline, which refuses the known privilege
// escalations; restricted, which also demands hardening), each versioned
// by the Kubernetes minor release that defined it ("v1.22", or "latest"),
// and the namespace labels that choose a level per mode (enforce, audit,
// warn).
//
// It is pure: Evaluate takes a pod's metadata and spec and returns the
// violations, in Kubernetes' order and words. The API server's PodSecurity
// admission plugin (core/apiserver/podsecurity.go) decides what a
// violation does to a request.
//
//	namespace labels ──► PolicyFromLabels ──► Policy{Enforce, Audit, Warn}
//	pod (meta, spec) ──► Evaluate(level, version) ──► []Violation
//	                                                  └─► Detail / Reasons
//
// Book: chapter 18, "Hardening" (book/18-hardening.md).
package podsecurity
