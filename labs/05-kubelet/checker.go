package kubeletlab

import (
	"fmt"

	"github.com/tinykube/tinykube/core/kubelet"
	"github.com/tinykube/tinykube/labs/lab"
)

// Impl is an answer to the lab: the function of labs/05-kubelet/student.
type Impl struct {
	DecideRestart func(kubelet.RestartView) kubelet.RestartDecision
}

const book = `book/05-kubelet.md`

// Lab returns lab 05 checking impl.
func Lab(impl Impl) lab.Lab {
	c := checker{impl}
	return lab.Lab{Number: "05", Name: "the kubelet's restarts and back-off", Book: book + `, "Lab"`, Tests: []lab.Test{
		{Name: "RestartRules", Points: 40, Book: book + `, "Code: restarts and CrashLoopBackOff"`,
			Property: "DecideRestart returns the contract's decision for exited containers drawn at random: the policy, the back-off's wait, doubling and cap, and its reset after a long run",
			Check:    c.rules},
		{Name: "BacksOffInACluster", Points: 30, Book: book + `, "Code: restarts and CrashLoopBackOff"`,
			Property: "with your DecideRestart in the kubelet of a simulated node, a crash-looping container restarts at once, then after 10s, 20s, 40s … never more than 5m apart, no sooner and not much later; containers that the policy leaves exited are never restarted",
			Check:    c.sim("crash-loop.yaml")},
		{Name: "ForgetsAfterALongRun", Points: 30, Book: book + `, "Code: restarts and CrashLoopBackOff"`,
			Property: "a container that ran 10 minutes or more before it crashed restarts at once, its back-off forgotten",
			Check:    c.sim("long-run.yaml")},
	}}
}

type checker struct{ impl Impl }

func notImplemented() error {
	return fmt.Errorf("DecideRestart is not implemented yet (it returned action -1): write it in labs/05-kubelet/student/restart.go, below \"LAB 05: your code here\"")
}

// rules compares DecideRestart with the contract on views drawn from the
// seed.
func (c checker) rules(env *lab.Env) error {
	for range 300 {
		v := drawView(env)
		got := c.impl.DecideRestart(v)
		if got.Action == kubelet.RestartAction(-1) {
			return notImplemented()
		}
		want, why := expected(v)
		if got.Action != want.Action || got.BackOff != want.BackOff || (want.Action == kubelet.BackOff && got.Wait != want.Wait) {
			return fmt.Errorf("DecideRestart(%s) = %s, want %s: %s", describe(v), decision(got), decision(want), why)
		}
	}
	return nil
}
