package rbaclab_test

import (
	"strings"
	"testing"

	rbaclab "github.com/tinykube/tinykube/labs/16-rbac"
	"github.com/tinykube/tinykube/labs/catalog"
	"github.com/tinykube/tinykube/labs/lab"
	"github.com/tinykube/tinykube/labs/lab/labtest"
)

const simTest = "AuthorizesInACluster"

// wired reports whether the simulated cluster's API servers call a
// plugged-in Decide (cluster.Plugins.AuthorizationDecide): until the
// simulator runs its API servers with authorization on, they do not, and
// the reference's simulated run says so with rbaclab.ErrNotWired.
func wired(t *testing.T, c labtest.Checker) bool {
	t.Helper()
	rep, err := lab.Run(c.Reference, lab.Options{Seed: 1, Run: simTest})
	if err != nil {
		t.Fatal(err)
	}
	f := rep.FirstFailure()
	return f == nil || !strings.Contains(f.Message, rbaclab.ErrNotWired.Error())
}

// withoutSim is c without its simulated test, in every kind of code.
func withoutSim(c labtest.Checker) labtest.Checker {
	drop := func(l lab.Lab) lab.Lab {
		var tests []lab.Test
		for _, t := range l.Tests {
			if t.Name != simTest {
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
// the starter clearly, and reports the same way twice. AuthorizesInACluster
// runs a whole simulation per seed, so the self-test runs 8 seeds; make
// soak runs more. While the simulated API servers do not authorize, the
// self-test runs without AuthorizesInACluster and says so.
func TestChecker(t *testing.T) {
	c := labtest.For(t, "16", 8)
	if !wired(t, c) {
		t.Logf("%s left out: %v", simTest, rbaclab.ErrNotWired)
		c = withoutSim(c)
		t.Run(simTest, func(t *testing.T) {
			t.Skipf("%v (the rest of the checker is tested without it)", rbaclab.ErrNotWired)
		})
	}
	labtest.Run(t, c)
}

// The simulated run, on its own, catches the mistakes that test users'
// reads and paths can show. Two are left to the generated tests: a parent
// resource covering its subresources needs a read of a subresource beside
// a rule for its parent, which a short run draws too seldom; and a
// RoleBinding applied at the cluster scope shows only if the API server's
// rbac.Source answers RoleBindings("") with every namespace's bindings,
// which its cache need not do.
func TestSimulatedRunsCatchTheirMutants(t *testing.T) {
	c := labtest.For(t, "16", 8)
	if !wired(t, c) {
		t.Skip(rbaclab.ErrNotWired)
	}
	labtest.Catches(t, c, map[string]string{
		"verb-wildcard-ignored":          simTest,
		"group-wildcard-ignored":         simTest,
		"ignores-resource-names":         simTest,
		"names-allow-collections":        simTest,
		"parent-covers-subresource":      "",
		"star-slash-subresource-ignored": simTest,
		"rolebinding-at-cluster-scope":   "",
		"rolebinding-in-other-namespace": simTest,
		"sa-namespace-not-defaulted":     simTest,
		"ignores-groups":                 simTest,
		"url-prefix-star-ignored":        simTest,
	})
}
