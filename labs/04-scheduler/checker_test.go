package schedulerlab_test

import (
	"fmt"
	"strings"
	"testing"

	schedulerlab "github.com/tinykube/tinykube/labs/04-scheduler"
	"github.com/tinykube/tinykube/labs/04-scheduler/mutants"
	"github.com/tinykube/tinykube/labs/04-scheduler/reference"
	"github.com/tinykube/tinykube/labs/04-scheduler/student"
	"github.com/tinykube/tinykube/labs/lab"
)

// opts runs enough seeds for every mutant to be caught; make soak runs more.
var opts = lab.Options{Seeds: 50}

func TestCheckerPassesReference(t *testing.T) {
	rep, err := lab.Run(schedulerlab.Lab(schedulerlab.Impl{Fits: reference.Fits, Score: reference.ScoreMostAllocated}), opts)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Passed() {
		t.Errorf("the reference fails the checker:\n%s", rep)
	}
}

func TestCheckerFailsEveryMutant(t *testing.T) {
	for _, m := range mutants.All {
		t.Run(m.Name, func(t *testing.T) {
			rep, err := lab.Run(schedulerlab.Lab(schedulerlab.Impl{Fits: m.Fits, Score: m.Score}), opts)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Passed() {
				t.Fatalf("mutant %s passes the checker: it cannot see this mistake", m.Name)
			}
			var by []string
			for _, res := range rep.Results {
				if f := res.Failure; f != nil {
					by = append(by, fmt.Sprintf("%s (seed %d)", f.Test, f.Seed))
				}
			}
			t.Logf("killed by %s", strings.Join(by, ", "))
		})
	}
}

func TestCheckerFailsStarterClearly(t *testing.T) {
	rep, err := lab.Run(schedulerlab.Lab(schedulerlab.Impl{Fits: student.Fits, Score: student.ScoreMostAllocated}), lab.Options{Seeds: 3})
	if err != nil {
		t.Fatal(err)
	}
	for _, res := range rep.Results {
		f := res.Failure
		if f == nil {
			t.Errorf("%s passes the starter code", res.Test.Name)
			continue
		}
		if !strings.Contains(f.Message, "not implemented") || strings.Contains(f.Message, "panic") {
			t.Errorf("%s fails the starter with %q, want a \"not implemented\" message", res.Test.Name, f.Message)
		}
	}
}

// Every mutant's report, drawn twice, must be the same to the byte: nothing
// but the seed may decide what the checker draws or prints.
func TestCheckerIsDeterministic(t *testing.T) {
	for _, m := range mutants.All {
		run := func() string {
			rep, err := lab.Run(schedulerlab.Lab(schedulerlab.Impl{Fits: m.Fits, Score: m.Score}), lab.Options{Seeds: 20})
			if err != nil {
				t.Fatal(err)
			}
			return rep.String()
		}
		if a, b := run(), run(); a != b {
			t.Errorf("two runs of mutant %s differ:\n%s\n---\n%s", m.Name, a, b)
		}
	}
}
