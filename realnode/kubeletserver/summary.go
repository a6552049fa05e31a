package kubeletserver

import (
	"net/http"

	"github.com/tinykube/tinykube/core/api"
)

// Summarizer is what a Backend implements if its node measures what it
// uses: the kubelet's stats summary (core/kubelet's Summary), which the
// metrics pipeline scrapes. Without it /stats/summary is a 404.
type Summarizer interface {
	// Summary returns the node's and its pods' use now.
	Summary() (api.Summary, error)
}

// serveSummary answers GET /stats/summary with the backend's summary as
// JSON, the shape of Kubernetes' kubelet stats/v1alpha1 Summary. The
// query only_cpu_and_memory=true, which the metrics pipeline sends, asks
// Kubernetes' kubelet to leave out network, filesystem and process
// statistics; tinykube's summary holds only CPU and memory, so the answer
// is the same either way.
func (s *Server) serveSummary(w http.ResponseWriter, r *http.Request) {
	sz, ok := s.backend.(Summarizer)
	if !ok {
		writeError(w, api.NewStatusError(http.StatusNotFound, api.ReasonNotFound, nil,
			"this kubelet does not measure its node and pods: its container runtime reports no usage"))
		return
	}
	sum, err := sz.Summary()
	if err != nil {
		writeError(w, err)
		return
	}
	if sum.Pods == nil {
		sum.Pods = []api.PodStats{} // "pods": [] as the kubelet sends, not null
	}
	writeJSON(w, http.StatusOK, sum)
}
