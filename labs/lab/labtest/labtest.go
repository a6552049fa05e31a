package labtest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tinykube/tinykube/labs/catalog"
	"github.com/tinykube/tinykube/labs/lab"
)

// Checker is one lab's checker with the three kinds of code it is run on,
// as the catalog wires them.
type Checker struct {
	catalog.Entry
	// Seeds, if not 0, replaces the 50 seeds of the self-tests: a lab
	// whose tests run whole simulations needs fewer to kill its mutants.
	Seeds int
}

// For returns lab nn's checker, failing t if there is no such lab.
func For(t *testing.T, nn string, seeds int) Checker {
	t.Helper()
	e, err := catalog.Get(nn)
	if err != nil {
		t.Fatal(err)
	}
	return Checker{Entry: e, Seeds: seeds}
}

// opts runs enough seeds for every kept mutant to be caught; make soak
// runs more.
var opts = lab.Options{Seeds: 50}

// Run runs the four self-tests as subtests of t.
func Run(t *testing.T, c Checker) {
	opts := opts
	if c.Seeds > 0 {
		opts.Seeds = c.Seeds
	}
	t.Run("PassesReference", func(t *testing.T) {
		rep, err := lab.Run(c.Reference, opts)
		if err != nil {
			t.Fatal(err)
		}
		if !rep.Passed() {
			t.Errorf("the reference fails the checker:\n%s", rep)
		}
	})
	t.Run("FailsEveryMutant", func(t *testing.T) {
		for _, m := range c.Mutants {
			t.Run(m.Name, func(t *testing.T) {
				rep, err := lab.Run(m.Lab, opts)
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
				// The replay command a failure prints must show the same
				// failure, byte for byte.
				f := rep.FirstFailure()
				again, err := lab.Run(m.Lab, lab.Options{Seed: f.Seed, Run: f.Test})
				if err != nil {
					t.Fatal(err)
				}
				if g := again.FirstFailure(); g == nil || *g != *f {
					t.Errorf("%s replayed (%s) shows\n%+v\nwant\n%+v", f.Test, f.Replay, g, f)
				}
			})
		}
	})
	t.Run("FailsStarterClearly", func(t *testing.T) {
		rep, err := lab.Run(c.Student, lab.Options{Seeds: 3})
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
	})
	// Every mutant's report, drawn twice, must be the same to the byte:
	// nothing but the seed may decide what the checker draws or prints.
	t.Run("IsDeterministic", func(t *testing.T) {
		for _, m := range c.Mutants {
			run := func() string {
				rep, err := lab.Run(m.Lab, lab.Options{Seeds: min(20, opts.Seeds)})
				if err != nil {
					t.Fatal(err)
				}
				return rep.String()
			}
			if a, b := run(), run(); a != b {
				t.Errorf("two runs of mutant %s differ:\n%s\n---\n%s", m.Name, a, b)
			}
		}
	})
}

// Catches checks that each simulated test, on its own, kills the mutants
// it is there for, so that the generated rule tests are not a lab's only
// line of defence. want names every kept mutant of the lab: the test that
// must catch it alone, or "" for a mistake left to the other tests (the
// caller's comment says why).
func Catches(t *testing.T, c Checker, want map[string]string) {
	known := map[string]bool{}
	for _, m := range c.Mutants {
		known[m.Name] = true
		test, ok := want[m.Name]
		if !ok {
			t.Errorf("mutant %s: want names no simulated test to catch it (\"\" if none should)", m.Name)
			continue
		}
		if test == "" {
			continue
		}
		t.Run(m.Name, func(t *testing.T) {
			rep, err := lab.Run(m.Lab, lab.Options{Seeds: c.Seeds, Run: test})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Passed() {
				t.Fatalf("%s passes %s", m.Name, test)
			}
			t.Logf("%s", rep.Results[0].Failure.Message)
		})
	}
	for name := range want {
		if !known[name] {
			t.Errorf("want names mutant %s, which lab %s does not keep", name, c.Student.Number)
		}
	}
}
