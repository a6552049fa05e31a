package rbaclab

import (
	"strings"
	"testing"

	"github.com/tinykube/tinykube/core/auth/rbac"
	"github.com/tinykube/tinykube/labs/lab"
)

// TestExplainAgreesWithDecide: the words a failure prints name a binding
// that grants the request exactly when rbac.Decide allows it, so that a
// student is never shown a reason for the wrong answer.
func TestExplainAgreesWithDecide(t *testing.T) {
	shapes := []shape{{wildcards: true}, {names: true}, {urls: true, wildcards: true}, {subjects: true, wildcards: true}, simShape}
	for seed := uint64(1); seed <= 200; seed++ {
		env := lab.NewEnv(seed)
		for _, s := range shapes {
			p := genPolicy(env.Rand, s)
			for range 10 {
				a := genRequest(env.Rand, p, s)
				want, _ := rbac.Decide(p, a)
				why := explain(p, a, want)
				if grants := strings.HasSuffix(why, "covers it"); grants != want {
					t.Fatalf("seed %d: explain(%s) = %q, but rbac.Decide = %t\n%s", seed, describeCall(a), why, want, p)
				}
			}
		}
	}
}
