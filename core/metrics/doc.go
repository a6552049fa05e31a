// Package metrics is how components report what they measure — requests
// served, pods scheduled, reconciles and their latency, pod start times —
// in Prometheus' model, without core depending on a metrics library or
// doing IO: a component holds a Recorder and calls it with a Desc (a
// metric's name, help, kind and label names, declared once as a package
// variable) and the label values. realnode backs Recorder with the
// Prometheus Go client and serves /metrics; the simulator and tests use
// Discard or a recording fake.
//
// Names follow Kubernetes' metrics where they exist
// (apiserver_request_total, scheduler_schedule_attempts_total,
// workqueue_depth, kubelet_pod_start_duration_seconds).
//
// Book: book/19-measuring-and-autoscaling.md.
package metrics
