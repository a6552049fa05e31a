package cluster

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// Result is the verdict of one run.
type Result struct {
	Scenario string
	Seed     uint64
	// Violation is the first invariant broken, or nil.
	Violation error
	// At is the virtual time of the violation (or of the end).
	At time.Duration
	// Converged is how long after the last fault liveness first held
	// (-1 when it was not checked or never held).
	Converged time.Duration
	TraceHash uint64
	Steps     uint64
	Calls     int
	// Expect is the scenario's expectViolation: the invariant the
	// scenario is built to break ("" for an ordinary scenario).
	Expect string
}

// AsExpected reports whether the run did what its scenario says: broke
// nothing, or — for a demonstration that expects a violation — broke
// exactly the invariant it names.
func (r Result) AsExpected() bool {
	if r.Expect == "" {
		return r.Violation == nil
	}
	return r.Violation != nil && strings.HasPrefix(r.Violation.Error(), r.Expect+":")
}

// livenessPoll is how often liveness is checked after the last fault.
const livenessPoll = 500 * time.Millisecond

// Run runs the scenario to its end (or to its liveness deadline, if that
// is later) and returns the verdict.
func (c *Cluster) Run() Result {
	w, s := c.W, c.Scenario
	c.converged = -1
	end := s.Duration.Duration
	if within := s.Liveness.Within.Duration; within > 0 {
		deadline := c.lastFault + within
		if deadline > end {
			end = deadline
		}
		var poll func()
		poll = func() {
			if c.converged >= 0 || w.Failed() != nil {
				return
			}
			err := c.live()
			if err == nil {
				c.converged = w.Elapsed() - c.lastFault
				w.Trace.Note("check", "liveness holds, %v after the last fault", c.converged)
				return
			}
			if w.Elapsed() >= deadline {
				w.Fail(fmt.Errorf("liveness: %v after the last fault (at %v) the cluster has not converged: %v", within, c.lastFault, err))
				return
			}
			w.Loop.After(livenessPoll, poll)
		}
		// Start after everything already due at that instant (the heal of
		// the last partition among it).
		w.At(c.lastFault, func() { w.Loop.After(0, poll) })
	}
	w.RunFor(end)
	if w.Failed() == nil {
		if err := w.Net.VerifyShared(); err != nil {
			w.Fail(err)
		}
	}
	if w.Failed() == nil {
		if err := c.expectedEvents(); err != nil {
			w.Fail(err)
		}
	}
	if w.Failed() == nil && c.story != nil {
		if err := c.story.judge(); err != nil {
			w.Fail(err)
		}
	}
	if w.Failed() == nil {
		if err := c.checkHistory(); err != nil {
			w.Fail(err)
		}
	}
	return Result{Scenario: s.Name, Seed: w.Seed, Violation: w.Failed(), At: w.Elapsed(), Converged: c.converged,
		TraceHash: w.Trace.Hash(), Steps: w.Loop.Steps, Calls: w.Net.Calls, Expect: s.ExpectViolation}
}

// expectedEvents checks the scenario's expected events exist.
func (c *Cluster) expectedEvents() error {
	if len(c.Scenario.Expect) == 0 {
		return nil
	}
	evs, err := client.For[*api.Event](c.Admin).List(context.Background(), "", client.ListOptions{})
	if err != nil {
		return err
	}
	for _, want := range c.Scenario.Expect {
		found := false
		var seen []string
		for _, e := range evs.Items {
			if e.Reason == want.Reason {
				seen = append(seen, e.Message)
				if strings.Contains(e.Message, want.MessageContains) {
					found = true
				}
			}
		}
		if !found {
			sort.Strings(seen)
			return fmt.Errorf("expected event: no %s event containing %q (saw %d %s events: %q)", want.Reason, want.MessageContains, len(seen), want.Reason, seen)
		}
	}
	return nil
}

// Replay returns the command that replays a run.
func Replay(scenarioPath string, seed uint64) string {
	return fmt.Sprintf("tinykube sim run %s --seed %d --timeline", scenarioPath, seed)
}
