package cluster

import (
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
