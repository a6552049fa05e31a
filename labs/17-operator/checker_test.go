package operatorlab_test

import (
	"strings"
	"testing"

	"github.com/tinykube/tinykube/labs/catalog"
	"github.com/tinykube/tinykube/labs/lab"
	"github.com/tinykube/tinykube/labs/lab/labtest"
)

const sieveTest = "SieveStyle"

// without is c without its Sieve-style test, in every kind of code: that
// test runs some twenty simulations per seed, so the generic self-tests
// (which run every mutant several times over) leave it to TestSieveStyle.
func without(c labtest.Checker, name string) labtest.Checker {
	drop := func(l lab.Lab) lab.Lab {
		var tests []lab.Test
		for _, t := range l.Tests {
			if t.Name != name {
				tests = append(tests, t)
			}
		}
		l.Tests = tests
		return l
	}
	out := c
	out.Student, out.Reference = drop(c.Student), drop(c.Reference)
	out.Mutants = nil
	for _, m := range c.Mutants {
		out.Mutants = append(out.Mutants, catalog.Mutant{Name: m.Name, Lab: drop(m.Lab)})
	}
	return out
}

// TestChecker: the checker passes the reference, kills every mutant, fails
// the starter clearly, and reports the same way twice. Its simulated runs
// cost about a second each, so the self-test runs 3 seeds; make soak runs
// more.
func TestChecker(t *testing.T) {
	labtest.Run(t, without(labtest.For(t, "17", 3), sieveTest))
}

// Each simulated test, on its own, catches the mutants it is there for:
// the rule tables are not the only line of defence for Status and
// CatalogEntry, and a promotion's mistakes show only in a cluster.
func TestSimulatedRunsCatchTheirMutants(t *testing.T) {
	labtest.Catches(t, labtest.For(t, "17", 3), map[string]string{
		"promotes-from-cache":       "PromotesSafely",
		"forgets-cleanup":           "CleansUp",
		"status-from-spec":          "SurvivesFaults",
		"catalog-appends":           "PromotesSafely",
		"promotes-before-demoting":  "PromotesSafely",
		"stale-observed-generation": "CleansUp",
	})
}

// TestSieveStyle: the Sieve-style test passes the reference on its first
// phases, fails the starter clearly, and fails forgets-cleanup (whose
// perturbed runs keep a catalog entry the unperturbed one removed… or the
// other way round) with a replay that shows the same failure.
func TestSieveStyle(t *testing.T) {
	c := labtest.For(t, "17", 2)
	opts := lab.Options{Seeds: 2, Run: sieveTest}
	rep, err := lab.Run(c.Reference, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Passed() {
		t.Errorf("the reference fails %s:\n%s", sieveTest, rep)
	}
	rep, err = lab.Run(c.Student, lab.Options{Seed: 1, Run: sieveTest})
	if err != nil {
		t.Fatal(err)
	}
	if f := rep.FirstFailure(); f == nil || !strings.Contains(f.Message, "not implemented") {
		t.Errorf("%s on the starter = %v, want a \"not implemented\" failure", sieveTest, f)
	}
	for _, m := range c.Mutants {
		if m.Name != "forgets-cleanup" {
			continue
		}
		rep, err := lab.Run(m.Lab, lab.Options{Seed: 1, Run: sieveTest})
		if err != nil {
			t.Fatal(err)
		}
		f := rep.FirstFailure()
		if f == nil {
			t.Fatalf("%s passes %s", m.Name, sieveTest)
		}
		again, err := lab.Run(m.Lab, lab.Options{Seed: f.Seed, Run: f.Test})
		if err != nil {
			t.Fatal(err)
		}
		if g := again.FirstFailure(); g == nil || *g != *f {
			t.Errorf("%s replayed (%s) shows\n%+v\nwant\n%+v", f.Test, f.Replay, g, f)
		}
		t.Logf("%s", f.Message)
	}
}
