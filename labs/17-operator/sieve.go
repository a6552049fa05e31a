package operatorlab

import (
	"errors"
	"fmt"
	"strings"

	"github.com/tinykube/tinykube/core/operator/database"
	"github.com/tinykube/tinykube/labs/lab"
	"github.com/tinykube/tinykube/sim/sieve"
)

// sieveStride: each seed perturbs every sieveStride-th call boundary and
// write of the unperturbed run (the first and last always, and the late
// watches), seed s those of phase (s-1) mod sieveStride, so that a seed
// costs a second or two and any sieveStride consecutive seeds make the
// whole Sieve check. The case itself is the same on every seed: which pod
// a failover promotes depends on timing, so runs of one case on two world
// seeds need not settle alike, while every perturbation of one must
// settle as its own unperturbed run.
const sieveStride = 8

// sieveCase is the database operator with the student's functions, as
// sim/sieve checks it: two Databases; at 20s the primary pod of one is
// deleted (a failover), at 40s the other Database is deleted (its
// finalizer's cleanup). Whatever the perturbation, the run must settle as
// the unperturbed one: one primary per database, the catalog entry of the
// one left, nothing left of the deleted one.
func (c checker) sieveCase(missing *error) sieve.Case {
	sc := sieve.DatabaseCase(hooks(c.impl, missing))
	sc.Name = "lab17-database-operator"
	sc.Want = settledAsItShould
	return sc
}

// settledAsItShould checks the unperturbed run: orders' three pods
// running with one primary and its catalog entry, nothing left of users.
func settledAsItShould(o sieve.Outcome) error {
	checks := []struct {
		prefix    string
		n         int
		fragments []string
		what      string
	}{
		{"pods/default/orders-", 3, []string{`"phase": "Running"`}, "orders' three pods running"},
		{"pods/default/orders-", 1, []string{`"` + database.RoleLabel + `": "primary"`}, "one pod of orders labelled primary"},
		{"configmaps/default/" + database.CatalogName, 1, []string{`"orders": "orders-`}, "the catalog entry of orders"},
		{"configmaps/default/" + database.CatalogName, 0, []string{`"users"`}, "no catalog entry for the deleted users"},
		{"pods/default/users-", 0, nil, "no pod of the deleted users"},
	}
	for _, ch := range checks {
		if got := len(o.Find(ch.prefix, ch.fragments...)); got != ch.n {
			return fmt.Errorf("the unperturbed run does not end with %s (%d objects under %s with %q, want %d)", ch.what, got, ch.prefix, ch.fragments, ch.n)
		}
	}
	return nil
}

// sieve runs one phase of the Sieve-style check, the seed's, and reports
// its first finding.
//
// Seeds past sieveStride would repeat a phase, and the case does not
// depend on the seed: their verdict is that of the seed with their phase,
// already given, so they pass without running anything.
func (c checker) sieve(env *lab.Env) error {
	if env.Seed > sieveStride {
		return nil
	}
	var missing error
	phase := int((env.Seed - 1) % sieveStride)
	rep, err := sieve.Run(c.sieveCase(&missing), sieve.Options{Stride: sieveStride, Phase: phase, StopAfter: 1})
	if missing != nil {
		return missing
	}
	if err != nil {
		// The case's own failure (the unperturbed run ends wrong): its
		// first line says what; the list of keys and the trace after it
		// would bury that.
		first, _, _ := strings.Cut(err.Error(), "\n")
		return fmt.Errorf("%s\n    with no perturbation at all the operator does not end where it should: PromotesSafely and CleansUp show why, with the invariant it breaks", first)
	}
	if len(rep.Findings) == 0 {
		return nil
	}
	f := rep.Findings[0]
	msg := f.String()
	if lines := strings.Split(msg, "\n"); len(lines) > 60 {
		msg = strings.Join(lines[:60], "\n") + fmt.Sprintf("\n    … (%d more lines)", len(lines)-60)
	}
	return errors.New(rep.Summary() + "\n" + msg)
}
