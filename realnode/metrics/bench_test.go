package metrics

import (
	"testing"

	core "github.com/tinykube/tinykube/core/metrics"
)

var (
	benchCounter = &core.Desc{Name: "bench_requests_total", Kind: core.Counter, Labels: []string{"verb", "dry_run", "group", "version", "resource", "subresource", "scope", "component", "code"}}
	benchHist    = &core.Desc{Name: "bench_request_duration_seconds", Kind: core.Histogram, Labels: []string{"verb", "dry_run", "group", "version", "resource", "subresource", "scope", "component"},
		Buckets: []float64{0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60}}
)

// BenchmarkRequest is what the API server records per request: one
// counter with 9 labels, one histogram with 8.
func BenchmarkRequest(b *testing.B) {
	r := NewRegistry()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r.Add(benchCounter, 1, "POST", "", "", "v1", "configmaps", "", "resource", "apiserver", "201")
			r.Observe(benchHist, 0.004, "POST", "", "", "v1", "configmaps", "", "resource", "apiserver")
		}
	})
}
