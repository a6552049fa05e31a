// Package metricsserver is the metrics pipeline, tinykube's
// metrics-server: a Scraper asks the kubelet of every Ready node for its
// stats summary (api.Summary, the shape of /stats/summary) once per
// resolution (15 s by default), keeps the previous sample of each node and
// container, and turns the cumulative CPU counters into rates over the
// window between two samples. It answers the API server's MetricsSource
// (apiserver.Config.Metrics) with the latest NodeMetrics and PodMetrics,
// which the API server serves as metrics.k8s.io/v1beta1 to `kubectl top`
// and the HorizontalPodAutoscaler.
//
//	Node informer ──► every resolution: for each Ready node
//	                     SummarySource.Summary(node) ──► sample (counter, working set, time)
//	                     previous sample ─┐
//	                                      ├─► rate = Δcounter / Δtime over the window
//	                     this sample ─────┘
//	                  ──► results (mutex) ◄── NodeMetrics() / PodMetrics(ns) from the API server
//
// Nothing is stored: the pipeline remembers one minute or so, and a
// restarted scraper needs two resolutions before it answers again. The
// scraper is deterministic core code: it runs on a loop (timers from the
// Loop, no goroutines) and reaches kubelets through the SummarySource the
// driver gives it — HTTPS to each kubelet in realnode, the simulated
// network in the simulator.
//
// Book: book/19-measuring-and-autoscaling.md.
package metricsserver
