package leaderlab

import (
	"context"
	"embed"
	"fmt"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/leader"
	"github.com/tinykube/tinykube/labs/lab"
	"github.com/tinykube/tinykube/sim"
	"github.com/tinykube/tinykube/sim/cluster"
)

// Impl is an answer to the lab: the function of labs/12-leader/student.
type Impl struct {
	Decide func(leader.View) leader.Action
}

const book = `book/12-leader-election.md`

//go:embed scenarios/*.yaml
var scenarios embed.FS

// Lab returns lab 12 checking impl.
func Lab(impl Impl) lab.Lab {
	c := checker{impl}
	return lab.Lab{Number: "12", Name: "leader election's rule", Book: book + `, "Lab"`, Tests: []lab.Test{
		{Name: "DecideRules", Points: 25, Book: book + `, "Code: the rule"`,
			Property: "Decide returns the contract's action for views drawn at random: leaders renew or step down, candidates create, acquire or wait",
			Check:    c.rules},
		{Name: "OneLeaderOnFailover", Points: 25, Book: book + `, "Code: running the control plane elected"`,
			Property: "with your Decide in three replicas each of the scheduler and controller manager — leaders killed, clocks offset and drifting within the bound — no replica writes while the Lease names another, and the cluster converges",
			Check:    c.sim("failover.yaml", nil)},
		{Name: "StepsDownInTime", Points: 25, Book: book + `, "Concepts"`,
			Property: "a leader whose renewals fail steps down at its renew deadline, before another replica can take over",
			Check:    c.sim("steps-down.yaml", nil)},
		{Name: "TakesOverFromALostLeader", Points: 25, Book: book + `, "Concepts"`,
			Property: "when the leader can no longer renew, another replica takes the Lease over and does the work: every pod bound by the end of the run",
			Check:    c.sim("takes-over.yaml", allBound)},
	}}
}

type checker struct{ impl Impl }

func notImplemented() error {
	return fmt.Errorf("Decide is not implemented yet (it returned -1): write it in labs/12-leader/student/decide.go, below \"LAB 12: your code here\"")
}

// rules compares Decide with the contract on views drawn from the seed.
func (c checker) rules(env *lab.Env) error {
	for range 200 {
		v := drawView(env)
		got := c.impl.Decide(v)
		if got == leader.Action(-1) {
			return notImplemented()
		}
		if want, why := expected(v); got != want {
			return fmt.Errorf("Decide(%s) = %v, want %v: %s", describe(v), got, want, why)
		}
	}
	return nil
}

// sim runs a scenario with the student's Decide in every replica. after,
// when set, judges the finished run. A failure shows the election's last
// steps: Lease writes, leader changes and clock moves.
func (c checker) sim(file string, after func(*cluster.Cluster) error) func(*lab.Env) error {
	return func(env *lab.Env) error {
		var missing error
		decide := func(v leader.View) leader.Action {
			a := c.impl.Decide(v)
			if a == leader.Action(-1) {
				missing = notImplemented()
				return leader.Wait
			}
			return a
		}
		return lab.Simulate(env, lab.Sim{
			Scenarios: scenarios, File: file,
			Plugins: cluster.Plugins{LeaderDecide: decide},
			Missing: &missing,
			After:   after,
			Keep: func(line string) bool {
				return strings.Contains(line, "leases/kube-") || strings.Contains(line, "LeaderElection") ||
					strings.Contains(line, "stopped leading") || strings.Contains(line, "clock now")
			},
		})
	}
}

// allBound fails when a pod of the run is still unscheduled at its end.
func allBound(cl *cluster.Cluster) error {
	pods, err := client.For[*api.Pod](cl.Admin).List(context.Background(), "default", client.ListOptions{})
	if err != nil {
		return err
	}
	var pending []string
	for _, p := range pods.Items {
		if p.Spec.NodeName == "" && p.DeletionTimestamp == nil {
			pending = append(pending, p.Name)
		}
	}
	if len(pending) == 0 {
		return nil
	}
	l, err := client.For[*api.Lease](cl.Admin).Get(context.Background(), cluster.LeaseNamespace, cluster.SchedulerLease)
	holder := "nobody"
	if err == nil && l.Spec.HolderIdentity != nil {
		holder = fmt.Sprintf("%q (renewed at %v)", *l.Spec.HolderIdentity, l.Spec.RenewTime.Sub(sim.Epoch).Round(time.Millisecond))
	}
	return fmt.Errorf("at the end of the run %d pods are still unscheduled (%s): no scheduler took over; the Lease names %s",
		len(pending), strings.Join(pending, ", "), holder)
}
