// Package bench measures the speed of the real API server against the etcd
// under it, and of pod starts against bare containerd, side by side in one
// run, and reports ratios. Speed is never asserted in a test: machines
// are shared and noisy, so an absolute number means little, while a ratio
// of two measurements taken in turn on the same machine, a few seconds
// apart, means something.
//
// Run starts one embedded etcd on free loopback ports in a temporary
// directory and takes turns, trial by trial, between four measurements
// with the same number of concurrent workers for the same time:
//
//	raw etcd puts (baseline)   clientv3 Put ───────────────────────────► etcd
//	API creates, in-process    client ─► apiserver.Server ─► etcdstore ─► etcd
//	API creates over HTTP      client ─► HTTP ─► apiserver.Server ─► … ─► etcd
//	API creates, protobuf HTTP as above, protobuf ⇄ JSON at the HTTP edge
//
// and prints the median of each with its ratio to the baseline, its latency
// percentiles, and the process's CPU time per operation (etcd, the API
// server, HTTP and the workers all run in this one process, so that column
// is what one operation costs the machine). The middle row separates what
// the API's semantics cost (decode, default, validate, the namespace check,
// encode) from what carrying them over HTTP costs; the last row adds the
// edge's protobuf translation, which kubectl and client-go use by default.
//
// etcd writes to $TMPDIR: its fsync latency is most of what a raw put
// measures, so point TMPDIR at the disk a real server would use.
//
// PodStart measures what a pod's start costs beyond the runtime work it
// needs. In a network namespace of its own (InOwnNetNS re-executes the
// binary there under nsenter, as realnode/netnstest does for tests) it
// starts a private containerd, a control plane and one node, and takes
// turns between two sides, each starting the same busybox one container
// at a time:
//
//	bare containerd + CNI (baseline)   podnet.Setup ─► NewContainer ─► NewTask ─► Start
//	tinykube pod, create → Running     create over HTTP ─► etcd ─► scheduler ─► kubelet
//	                                   ─► (the same runtime work) ─► status ─► watch event
//
// and prints the p50 and p99 of each over every start of every trial, and
// tinykube's as a multiple of the baseline's.
//
// Book: chapter 3, "The API server" (book/03-api-server.md).
package bench
