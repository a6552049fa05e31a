package controlplane

import (
	"time"

	"github.com/tinykube/tinykube/realnode/httpapi"
)

// Limits bound what clients may hold of the API server at once, and for
// how long. A zero field takes its default (see httpapi.DefaultInflightLimits
// and httpapi.DefaultBodyTimeout); a negative count is no limit.
type Limits struct {
	// MaxRequestsInflight and MaxMutatingRequestsInflight are
	// kube-apiserver's --max-requests-inflight (400) and
	// --max-mutating-requests-inflight (200): short reads and writes served
	// at once; more are answered 429 with Retry-After.
	MaxRequestsInflight, MaxMutatingRequestsInflight int
	// MaxBodyBytesInflight caps the request bodies held at once (8 MiB).
	MaxBodyBytesInflight int64
	// BodyTimeout is how long a client has to send a request body once
	// its headers are in (60 s); a slower one is answered 408 and cut off.
	BodyTimeout time.Duration
}

// IdleTimeout closes a client's keep-alive connection after this long
// without a request; headerTimeout is how long a request's headers may
// take to arrive.
const (
	idleTimeout   = 2 * time.Minute
	headerTimeout = 10 * time.Second
)

// inflightLimits are l's in-flight limits, defaults filled in.
func (l Limits) inflightLimits() httpapi.InflightLimits {
	d := httpapi.DefaultInflightLimits
	return httpapi.InflightLimits{
		Requests:         orDefault(l.MaxRequestsInflight, d.Requests),
		MutatingRequests: orDefault(l.MaxMutatingRequestsInflight, d.MutatingRequests),
		BodyBytes:        int64(orDefault(int(l.MaxBodyBytesInflight), int(d.BodyBytes))),
	}
}

// orDefault is v, or def when v is 0, or 0 (no limit) when v is negative.
func orDefault(v, def int) int {
	switch {
	case v == 0:
		return def
	case v < 0:
		return 0
	}
	return v
}
