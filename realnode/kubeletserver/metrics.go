package kubeletserver

import "net/http"

// ServeMetrics has the server answer GET /metrics with h: the node
// process' Prometheus metrics (the kubelet's kubelet_* and workqueue_*,
// the Go runtime's). Like every path of the kubelet server it answers
// whom the server's wrapping lets through (RequireAPIServer: the API
// server, and whoever holds its kubelet-client certificate, such as a
// metrics scraper run by the cluster's administrator).
func (s *Server) ServeMetrics(h http.Handler) {
	s.mux.Handle("GET /metrics", h)
}
