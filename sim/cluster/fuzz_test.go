package cluster

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tinykube/tinykube/sim/scenario"
)

// maxFuzzScenario bounds the inputs FuzzScenario builds: four times the
// largest example. Every input the fuzzer finds interesting it minimizes
// one candidate at a time, each a parse and, when that succeeds, a
// cluster build of 5 to 35 ms; the execs/s line reads 0 until a
// minimization ends. Inputs grown past any real scenario would only make
// those minimizations longer. (The Makefile's -fuzzminimizetime bounds
// each one; see book/03-api-server.md, "Fuzzing the API server".)
const maxFuzzScenario = 16 << 10

// FuzzScenario: any bytes given as a scenario either fail to parse or to
// build with an error, or build a cluster; never a panic. The example
// scenarios are the seed corpus. Only building is fuzzed, not running:
// a run is seconds of virtual time and thousands of events.
func FuzzScenario(f *testing.F) {
	files, _ := filepath.Glob("../../examples/scenarios/*.yaml")
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxFuzzScenario {
			return
		}
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
