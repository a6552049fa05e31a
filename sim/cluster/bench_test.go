package cluster

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkSimulator10Nodes is `tinykube bench`'s simulator row, for
// profiling: go test -run XXX -bench Simulator10 -cpuprofile cpu.out.
func BenchmarkSimulator10Nodes(b *testing.B) {
	for i := 0; i < b.N; i++ {
		c, err := New(BenchScenario(10, 5*time.Minute), uint64(i+1))
		if err != nil {
			b.Fatal(err)
		}
		if r := c.Run(); r.Violation != nil {
			b.Fatal(r.Violation)
		}
	}
}

// BenchmarkSimLarge runs the bench's larger shapes, for profiling one at a
// time: go test -run XXX -bench 'SimLarge/100n' -benchtime 1x
// -cpuprofile cpu.out -memprofile mem.out. It reports virtual seconds
// per wall second as x-real.
func BenchmarkSimLarge(b *testing.B) {
	for _, tc := range []struct {
		nodes, pods int
		d           time.Duration
	}{{30, 900, 30 * time.Second}, {100, 3000, time.Minute}, {1000, 30000, 20 * time.Second}} {
		b.Run(fmt.Sprintf("%dn%dp", tc.nodes, tc.pods), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				c, err := New(BenchScenarioPods(tc.nodes, tc.pods, tc.d), uint64(i+1))
				if err != nil {
					b.Fatal(err)
				}
				start := time.Now()
				r := c.Run()
				if r.Violation != nil {
					b.Fatal(r.Violation)
				}
				b.ReportMetric(r.At.Seconds()/time.Since(start).Seconds(), "x-real")
				b.ReportMetric(float64(r.Steps), "steps")
			}
		})
	}
}
