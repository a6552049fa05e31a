package httpapi

import (
	"net/http"

	"github.com/tinykube/tinykube/core/rest"
)

// serveMetrics answers GET /metrics from opts.Metrics once the API server
// has authorized user to get that non-resource URL (as kube-apiserver
// does: system:masters, or RBAC's system:monitoring ClusterRole bound to
// the group of that name). It reports whether it answered.
func serveMetrics(w http.ResponseWriter, r *http.Request, user *rest.UserInfo, opts Options) bool {
	if opts.Metrics == nil || r.URL.Path != "/metrics" {
		return false
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false // the API answers 405 as for any other path
	}
	if opts.Authorize != nil && user != nil {
		resp := opts.Authorize(r.Context(), &rest.Request{Method: http.MethodGet, Path: r.URL.Path, User: user, UserAgent: r.UserAgent()})
		if resp != nil {
			auditAnnotate(r, resp.AuditAnnotations)
			if resp.Code != 0 {
				writeResponse(w, resp)
				return true
			}
		}
	}
	opts.Metrics.ServeHTTP(w, r)
	return true
}
