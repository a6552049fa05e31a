package mutants_test

import (
	"strings"
	"testing"

	"github.com/tinykube/tinykube/core/controller/manager"
	"github.com/tinykube/tinykube/core/operator/database"
	"github.com/tinykube/tinykube/sim/cluster"
	"github.com/tinykube/tinykube/sim/mutants"
	"github.com/tinykube/tinykube/sim/scenario"
)

// Every mutant is complete: a unique name, its mistake said, an invariant
// that exists to catch it, and at least one seam it plugs into (a mutant
// with none would be the real cluster under a false name). Each is run
// against its scenario by the Broken… tests of sim/cluster.
func TestEveryMutantIsComplete(t *testing.T) {
	seen := map[string]bool{}
	for _, m := range mutants.All {
		if seen[m.Name] {
			t.Errorf("two mutants are called %q", m.Name)
		}
		seen[m.Name] = true
		if m.Mistake == "" {
			t.Errorf("%s: no Mistake says what it does wrong", m.Name)
		}
		_, builtin := cluster.Invariants[m.CaughtBy]
		_, operator := database.InvariantNamed(m.CaughtBy)
		if !builtin && !operator {
			t.Errorf("%s: CaughtBy %q is not an invariant of sim/cluster nor of an operator", m.Name, m.CaughtBy)
		}
		seams := 0
		for _, set := range []bool{m.Schedule != nil, m.RollingStep != nil, m.CronJobAdmit != nil, len(m.Controllers) > 0,
			m.ProxyInstall != nil, m.CacheServesConsistentReads, m.Provisioner != nil, m.Setup != nil, m.Database != nil} {
			if set {
				seams++
			}
		}
		if seams == 0 {
			t.Errorf("%s: plugs into no seam", m.Name)
		}
		for name := range m.Controllers {
			if manager.Lookup(name) == nil {
				t.Errorf("%s: replaces controller %q, which the roster does not have (%v)", m.Name, name, manager.Names())
			}
		}
	}
}

// A scenario naming no known mutant is refused, naming the field and
// listing the mutants there are.
func TestUnknownMutantIsAnError(t *testing.T) {
	_, err := scenario.Parse([]byte("name: x\nduration: 1s\ncluster: {nodes: 1, broken: scheduler-is-sloppy}\n"))
	if err == nil {
		t.Fatal("a scenario with broken: scheduler-is-sloppy parsed")
	}
	for _, want := range []string{"cluster.broken", `"scheduler-is-sloppy"`, "scheduler-ignores-assumed-pods", "job-counts-without-tracking"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}
