package main

import (
	"github.com/spf13/pflag"

	"github.com/tinykube/tinykube/realnode/controlplane"
	"github.com/tinykube/tinykube/realnode/httpapi"
)

// limitFlags adds the flags that bound what clients may hold of the API
// server, named as kube-apiserver names them where it has them.
func limitFlags(fl *pflag.FlagSet, cfg *controlplane.Config) {
	d := httpapi.DefaultInflightLimits
	fl.IntVar(&cfg.Limits.MaxRequestsInflight, "max-requests-inflight", d.Requests, "how many reads the API serves at once (watches and other long-running requests aside); more are answered 429 (-1: no limit)")
	fl.IntVar(&cfg.Limits.MaxMutatingRequestsInflight, "max-mutating-requests-inflight", d.MutatingRequests, "how many writes the API serves at once; more are answered 429 (-1: no limit)")
	fl.DurationVar(&cfg.Limits.BodyTimeout, "request-body-timeout", httpapi.DefaultBodyTimeout, "how long a client has to send a request body; a slower one is answered 408 and cut off")
}
