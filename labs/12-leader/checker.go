package leaderlab

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/leader"
	"github.com/tinykube/tinykube/labs/lab"
	"github.com/tinykube/tinykube/sim"
	"github.com/tinykube/tinykube/sim/cluster"
	"github.com/tinykube/tinykube/sim/scenario"
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
// when set, judges the finished run.
func (c checker) sim(file string, after func(*cluster.Cluster) error) func(*lab.Env) error {
	return func(env *lab.Env) error {
		b, err := scenarios.ReadFile("scenarios/" + file)
		if err != nil {
			return err
		}
		s, err := scenario.Parse(b)
		if err != nil {
			return fmt.Errorf("scenarios/%s: %v", file, err)
		}
		missing := false
		decide := func(v leader.View) leader.Action {
			a := c.impl.Decide(v)
			if a == leader.Action(-1) {
				missing = true
				return leader.Wait
			}
			return a
		}
		cl, err := cluster.NewWith(s, env.Seed, cluster.Plugins{LeaderDecide: decide})
		if err != nil {
			return err
		}
		r := cl.Run()
		if missing {
			return notImplemented()
		}
		failure := r.Violation
		if failure == nil && after != nil {
			failure = after(cl)
		}
		if failure == nil {
			return nil
		}
		return fmt.Errorf("at %v of virtual time: %v\n%s", r.At.Round(time.Millisecond), failure, timeline(cl, s.Name, env.Seed))
	}
}

// timeline writes the run's whole timeline to a file named after the
// scenario and seed (so a replay writes the same file) and returns its
// last lines about the control plane, with the file's path.
func timeline(cl *cluster.Cluster, name string, seed uint64) string {
	var buf bytes.Buffer
	cl.W.Trace.WriteTimeline(&buf)
	path := filepath.Join(os.TempDir(), fmt.Sprintf("tinykube-%s-seed%d.timeline", name, seed))
	saved := "the whole timeline is in " + path
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		saved = "could not write the timeline: " + err.Error()
	}
	var keep []string
	for _, line := range strings.Split(strings.TrimRight(buf.String(), "\n"), "\n") {
		if strings.Contains(line, "leases/kube-") || strings.Contains(line, "LeaderElection") || strings.Contains(line, "stopped leading") ||
			strings.Contains(line, "VIOLATION") || strings.Contains(line, " fault ") || strings.Contains(line, "clock now") {
			keep = append(keep, line)
		}
	}
	if len(keep) > 12 {
		keep = keep[len(keep)-12:]
	}
	return "    the election's last steps:\n" + strings.Join(keep, "\n") + "\n    " + saved
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
