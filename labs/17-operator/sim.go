package operatorlab

import (
	"embed"
	"strings"

	"github.com/tinykube/tinykube/labs/lab"
	"github.com/tinykube/tinykube/sim/cluster"
)

//go:embed scenarios/*.yaml
var scenarios embed.FS

// sim runs a scenario whose operator (operators: [database]) decides with
// the student's functions, under the scenario's faults, with the
// operator's invariants (core/operator/database/invariants.go) checked
// after every step and, the settled ones, with liveness.
func (c checker) sim(file string) func(*lab.Env) error {
	return func(env *lab.Env) error {
		var missing error
		return lab.Simulate(env, lab.Sim{
			Scenarios: scenarios, File: file,
			Plugins: cluster.Plugins{DatabaseHooks: hooks(c.impl, &missing)},
			Missing: &missing,
			Keep: func(line string) bool {
				return strings.Contains(line, "operator/database") &&
					(strings.Contains(line, "pods/") || strings.Contains(line, "databases/") || strings.Contains(line, "configmaps/"))
			},
		})
	}
}
