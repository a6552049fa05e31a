// Package metrics backs core/metrics' Recorder with the Prometheus Go
// client and serves what it records as /metrics in Prometheus' text
// format. Each process (the server, an agent) makes one Registry, hands
// its Recorder to the components it assembles, and mounts its Handler on
// the port it already serves, behind that port's authorization.
//
// core does not import the client: a core component declares its metrics
// as core/metrics.Desc values and calls Recorder.Add, Set and Observe;
// only here do those become CounterVecs, GaugeVecs and HistogramVecs,
// registered the first time a Desc is used.
//
// Book: book/19-measuring-and-autoscaling.md.
package metrics
