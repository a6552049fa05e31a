package kubeletlab_test

import (
	"testing"

	kubeletlab "github.com/tinykube/tinykube/labs/05-kubelet"
	"github.com/tinykube/tinykube/labs/05-kubelet/mutants"
	"github.com/tinykube/tinykube/labs/05-kubelet/reference"
	"github.com/tinykube/tinykube/labs/05-kubelet/student"
	"github.com/tinykube/tinykube/labs/lab"
	"github.com/tinykube/tinykube/labs/lab/labtest"
)

// TestChecker: the checker passes the reference, kills every mutant, fails
// the starter clearly, and reports the same way twice. Its simulated runs
// cover many virtual minutes each, so the self-test runs 3 seeds; make
// soak runs more.
func TestChecker(t *testing.T) {
	c := labtest.Checker{
		Reference: kubeletlab.Lab(kubeletlab.Impl{DecideRestart: reference.DecideRestart}),
		Starter:   kubeletlab.Lab(kubeletlab.Impl{DecideRestart: student.DecideRestart}),
		Seeds:     3,
	}
	for _, m := range mutants.All {
		c.Mutants = append(c.Mutants, labtest.Mutant{Name: m.Name, Lab: kubeletlab.Lab(kubeletlab.Impl{DecideRestart: m.DecideRestart})})
	}
	labtest.Run(t, c)
}

// Each simulated test, on its own, catches the mutants it is there for:
// the rule table is not the only line of defence.
func TestSimulatedRunsCatchTheirMutants(t *testing.T) {
	want := map[string]string{
		"no-back-off":         "BacksOffInACluster",
		"no-cap":              "BacksOffInACluster",
		"never-forgets":       "ForgetsAfterALongRun",
		"first-restart-waits": "BacksOffInACluster",
		"waits-from-now":      "BacksOffInACluster",
		"restarts-completed":  "BacksOffInACluster",
		"never-is-on-failure": "BacksOffInACluster",
	}
	for _, m := range mutants.All {
		test, ok := want[m.Name]
		if !ok {
			t.Errorf("mutant %s: no simulated test named to catch it", m.Name)
			continue
		}
		t.Run(m.Name, func(t *testing.T) {
			rep, err := lab.Run(kubeletlab.Lab(kubeletlab.Impl{DecideRestart: m.DecideRestart}), lab.Options{Seeds: 2, Run: test})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Passed() {
				t.Fatalf("%s passes %s", m.Name, test)
			}
			t.Logf("%s", rep.Results[0].Failure.Message)
		})
	}
}
