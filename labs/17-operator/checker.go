package operatorlab

import (
	"github.com/tinykube/tinykube/labs/lab"
)

// book is the chapter's section on the operator, which every test's
// failure points at.
const book = `book/17-custom-resources.md, "Code: an operator"`

// Lab returns lab 17 checking impl.
func Lab(impl Impl) lab.Lab {
	c := checker{impl}
	return lab.Lab{Number: "17", Name: "the operator's reconcile", Book: `book/17-custom-resources.md, "Lab"`, Tests: []lab.Test{
		{Name: "StatusRules", Points: 15, Book: book + " (ObservedStatus)",
			Property: "Status reports what was observed, never what the spec asks: readyReplicas counts ready pods, the primary is the one promoted (its uid too) and Ready only when that pod is ready and labelled, observedGeneration is the generation read, and the arguments are left alone",
			Check:    c.statusRules},
		{Name: "CatalogEntryRules", Points: 5, Book: book + " (register)",
			Property: "CatalogEntry sets the entry to the primary's address whatever it held: written twice, it changes nothing the second time",
			Check:    c.catalogRules},
		{Name: "PromotesSafely", Points: 25, Book: book + " (promote)",
			Property: "with your functions in the operator of a simulated cluster, primaries deleted and made to fail over while the operator reads stale data, crashes around its calls and loses answers: never two pods labelled primary, and once settled one ready primary recorded, labelled and in the catalog",
			Check:    c.sim("failover.yaml")},
		{Name: "CleansUp", Points: 20, Book: book + " (the finalizer)",
			Property: "Databases deleted while the operator crashes before and after its calls and reads stale data: the finalizer goes only once the catalog entry is gone, and once settled nothing of a deleted Database is left",
			Check:    c.sim("cleanup.yaml")},
		{Name: "SurvivesFaults", Points: 15, Book: book,
			Property: "the operator's example scenario, with faults drawn from the seed on top (node crashes, partitions, cut watches, API server crashes): every invariant of the operator after every step, and settled ones at the end",
			Check:    c.sim("faults.yaml")},
		{Name: "SieveStyle", Points: 20, Book: `book/13-high-availability.md, "Code: Sieve-style checks"`,
			Property: "the operator with your functions, run once and then again crashed before and after its calls, with late watches and stale reads (sim/sieve): every perturbed run settles as the unperturbed one",
			Check:    c.sieve},
	}}
}

type checker struct{ impl Impl }
