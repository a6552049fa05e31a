package api

// The resource metrics API (metrics.k8s.io/v1beta1), which `kubectl top`
// and the HorizontalPodAutoscaler read: the latest CPU and memory use of
// each node and pod, as the metrics pipeline (core/metricsserver) measured
// it from the kubelets. Nothing is stored: the API server answers from the
// pipeline's memory (apiserver.Config.Metrics).

// MetricsGroup is the resource metrics API's group.
const MetricsGroup = "metrics.k8s.io"

// NodeMetrics is a node's use over the window ending at Timestamp.
type NodeMetrics struct {
	TypeMeta   `json:",inline"`
	ObjectMeta `json:"metadata,omitempty"`
	Timestamp  Time `json:"timestamp"`
	// Window is the span the CPU rate was measured over, as a Go
	// duration string ("15s").
	Window string       `json:"window"`
	Usage  ResourceList `json:"usage"`
}

// PodMetrics is a pod's use, container by container.
type PodMetrics struct {
	TypeMeta   `json:",inline"`
	ObjectMeta `json:"metadata,omitempty"`
	Timestamp  Time               `json:"timestamp"`
	Window     string             `json:"window"`
	Containers []ContainerMetrics `json:"containers"`
}

// ContainerMetrics is one container's use.
type ContainerMetrics struct {
	Name  string       `json:"name"`
	Usage ResourceList `json:"usage"`
}
