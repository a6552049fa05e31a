package cluster

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tinykube/tinykube/sim/scenario"
)

// FuzzScenario: any bytes given as a scenario either fail to parse or to
// build with an error, or build a cluster; never a panic. The example
// scenarios are the seed corpus.
func FuzzScenario(f *testing.F) {
	files, _ := filepath.Glob("../../examples/scenarios/*.yaml")
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := scenario.Parse(data)
		if err != nil {
			return
		}
		if s.Cluster.Nodes > 50 || s.Cluster.APIServers > 10 || s.Cluster.ControlPlaneReplicas > 10 {
			return // valid, but too big to build thousands of times a second
		}
		New(s, 1)
	})
}
