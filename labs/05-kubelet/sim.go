package kubeletlab

import (
	"embed"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/kubelet"
	"github.com/tinykube/tinykube/labs/lab"
	"github.com/tinykube/tinykube/sim"
	"github.com/tinykube/tinykube/sim/cluster"
)

//go:embed scenarios/*.yaml
var scenarios embed.FS

// The kubelet's back-off in the simulator: Kubernetes' numbers.
const (
	initial = 10 * time.Second
	maxWait = 5 * time.Minute
	reset   = 10 * time.Minute
)

// The times in a pod's status are whole seconds, and a kubelet notices an
// exit at its next relist (1s) and reports it over the network: a restart
// may show up to early by a second's rounding, or late by a few.
const (
	early = time.Second
	late  = 3 * time.Second
)

// sim runs a scenario with the student's DecideRestart in every kubelet,
// and follows every container's restarts against the contract.
func (c checker) sim(file string) func(*lab.Env) error {
	return func(env *lab.Env) error {
		var missing error
		decide := func(v kubelet.RestartView) kubelet.RestartDecision {
			d := c.impl.DecideRestart(v)
			if d.Action == kubelet.RestartAction(-1) {
				missing = notImplemented()
				return kubelet.RestartDecision{Action: kubelet.Leave, BackOff: v.BackOff}
			}
			return d
		}
		return lab.Simulate(env, lab.Sim{
			Scenarios: scenarios, File: file,
			Plugins: cluster.Plugins{DecideRestart: decide},
			Missing: &missing,
			During:  func(cl *cluster.Cluster) func() error { return newRestarts(cl).check },
			Keep: func(line string) bool {
				return strings.Contains(line, "BackOff") || strings.Contains(line, "Started") || strings.Contains(line, "/status")
			},
		})
	}
}

// restarts follows the containers of every pod through the API, as a
// person running kubectl get pods -w would, and keeps for each the
// back-off the contract says applies.
type restarts struct {
	cl   *cluster.Cluster
	pods *lab.PodFeed
	ctrs map[string]*container // by pod/container
}

type container struct {
	policy   api.RestartPolicy
	restarts int32
	backOff  time.Duration
	// exited is the last run's end while the container waits to restart.
	exited *api.ContainerStateTerminated
}

func newRestarts(cl *cluster.Cluster) *restarts {
	return &restarts{cl: cl, pods: lab.WatchPods(cl), ctrs: map[string]*container{}}
}

func (r *restarts) check() error {
	pods, err := r.pods.Changed()
	if err != nil {
		return err
	}
	for _, p := range pods {
		for _, cs := range p.Status.ContainerStatuses {
			if err := r.observe(p, cs); err != nil {
				return err
			}
		}
	}
	return r.overdue()
}

// observe compares one container's status with what was known of it.
func (r *restarts) observe(p *api.Pod, cs api.ContainerStatus) error {
	key := p.Name + "/" + cs.Name
	c := r.ctrs[key]
	if c == nil {
		c = &container{policy: p.Spec.RestartPolicy}
		r.ctrs[key] = c
	}
	last := cs.LastTerminationState.Terminated
	if cs.RestartCount > c.restarts && last != nil && !policyRestarts(c.policy, last.ExitCode) {
		return fmt.Errorf("container %s was restarted after it exited %d, but its pod's restartPolicy is %s", key, last.ExitCode, c.policy)
	}
	if cs.RestartCount > c.restarts && runStart(cs) == nil {
		return nil // the next run is being created: judge it once it runs
	}
	switch n := cs.RestartCount - c.restarts; {
	case n == 1 && last != nil:
		b := c.backOffAfter(last)
		if began := runStart(cs); last.FinishedAt != nil {
			gap := began.Sub(last.FinishedAt.Time)
			switch {
			case gap < b-early:
				return fmt.Errorf("container %s crashed at %v and was restarted %v later (restart %d), but its back-off was %v", key, at(last.FinishedAt), gap, cs.RestartCount, b)
			case gap > b+late:
				return fmt.Errorf("container %s crashed at %v and was restarted only %v later (restart %d): its back-off was %v", key, at(last.FinishedAt), gap, cs.RestartCount, b)
			}
		}
		c.backOff = next(b)
	case n > 1:
		if c.backOff > 0 {
			return fmt.Errorf("container %s was restarted %d times between two looks at its pod (restart count %d to %d), but each restart had to wait at least %v", key, n, c.restarts, cs.RestartCount, c.backOff)
		}
		c.backOff = initial
	}
	c.restarts = cs.RestartCount
	c.exited = nil
	switch {
	case cs.State.Terminated != nil:
		c.exited = cs.State.Terminated
	case cs.State.Waiting != nil && last != nil:
		c.exited = last
	}
	if c.exited != nil && !policyRestarts(c.policy, c.exited.ExitCode) {
		c.exited = nil // it stays exited, as it should
	}
	return nil
}

// overdue fails when a container that must restart has waited longer than
// its back-off (and the kubelet's reaction time).
func (r *restarts) overdue() error {
	now := r.cl.W.Now()
	for _, key := range slicesSorted(r.ctrs) {
		c := r.ctrs[key]
		if c.exited == nil || c.exited.FinishedAt == nil {
			continue
		}
		b := c.backOffAfter(c.exited)
		if waited := now.Sub(c.exited.FinishedAt.Time); waited > b+late {
			return fmt.Errorf("container %s exited %d at %v and has not been restarted %v later: its back-off was %v (restart %d)", key, c.exited.ExitCode, at(c.exited.FinishedAt), waited.Round(time.Second), b, c.restarts+1)
		}
	}
	return nil
}

// backOffAfter is the wait the contract puts after the run that ended as
// t: the kept back-off, or none after a long run.
func (c *container) backOffAfter(t *api.ContainerStateTerminated) time.Duration {
	if t.StartedAt != nil && t.FinishedAt != nil && t.FinishedAt.Sub(t.StartedAt.Time) >= reset {
		return 0
	}
	return c.backOff
}

func next(b time.Duration) time.Duration {
	if b == 0 {
		return initial
	}
	return min(2*b, maxWait)
}

func policyRestarts(p api.RestartPolicy, code int32) bool {
	switch p {
	case api.RestartNever:
		return false
	case api.RestartOnFailure:
		return code != 0
	}
	return true
}

// runStart is when the container's current run began.
func runStart(cs api.ContainerStatus) *time.Time {
	switch {
	case cs.State.Running != nil && cs.State.Running.StartedAt != nil:
		return &cs.State.Running.StartedAt.Time
	case cs.State.Terminated != nil && cs.State.Terminated.StartedAt != nil:
		return &cs.State.Terminated.StartedAt.Time
	}
	return nil
}

func slicesSorted(m map[string]*container) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// at is a status time as the run's virtual time.
func at(t *api.Time) time.Duration { return t.Sub(sim.Epoch) }
