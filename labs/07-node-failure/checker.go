package nodefailurelab

import (
	"fmt"

	"github.com/tinykube/tinykube/core/controller/node"
	"github.com/tinykube/tinykube/labs/lab"
)

// Impl is an answer to the lab: the function of
// labs/07-node-failure/student.
type Impl struct {
	Assess func(node.HealthView) node.Verdict
}

const book = `book/07-node-failure.md`

// Lab returns lab 07 checking impl.
func Lab(impl Impl) lab.Lab {
	c := checker{impl}
	return lab.Lab{Number: "07", Name: "failure detection without false evictions", Book: book + `, "Lab"`, Tests: []lab.Test{
		{Name: "AssessRules", Points: 40, Book: book + `, "Code: the monitor"`,
			Property: "Assess returns the contract's verdict for nodes drawn at random: stale only after more than the grace period on the controller's clock, and the taint that follows the Ready condition",
			Check:    c.rules},
		{Name: "ShortPartitionsEvictNothing", Points: 30, Book: book + `, "Concepts"`,
			Property: "with your Assess in the node controller of a simulated cluster whose controller manager's clock is an hour ahead of the kubelets', nodes cut off for less than the grace period lose no pod",
			Check:    c.sim("short-partitions.yaml")},
		{Name: "LostNodesAreReplaced", Points: 30, Book: book + `, "Concepts"`,
			Property: "a node cut off, or crashed, for longer than the grace period and the eviction timeout has its pods evicted in time and replaced elsewhere; a short partition at the same time still evicts nothing",
			Check:    c.sim("lost-nodes.yaml")},
	}}
}

type checker struct{ impl Impl }

func notImplemented() error {
	return fmt.Errorf("Assess is not implemented yet (it returned taint \"not implemented\"): write it in labs/07-node-failure/student/assess.go, below \"LAB 07: your code here\"")
}

// rules compares Assess with the contract on views drawn from the seed.
func (c checker) rules(env *lab.Env) error {
	for range 300 {
		v := drawView(env)
		got := c.impl.Assess(v)
		if got.Taint == "not implemented" {
			return notImplemented()
		}
		if want, why := expected(v); got != want {
			return fmt.Errorf("Assess(%s) = %s, want %s: %s", describe(v), verdict(got), verdict(want), why)
		}
	}
	return nil
}
