package rolloutlab

import (
	"fmt"
	"slices"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/labs/lab"
)

// Impl is an answer to the lab: the two functions of
// labs/09-rollout/student.
type Impl struct {
	Step   func(Input) Output
	Bounds func(replicas int32, maxSurge, maxUnavailable api.IntOrString) (surge, unavailable int32)
}

const book = `book/09-workloads.md, "Code: the rolling update"`

// Lab returns lab 09 checking impl.
func Lab(impl Impl) lab.Lab {
	c := checker{impl}
	return lab.Lab{Number: "09", Name: "a rolling update step", Book: `book/09-workloads.md, "Lab"`, Tests: []lab.Test{
		{Name: "BoundsRounding", Points: 10, Book: book + " (bounds, resolve)",
			Property: "Bounds rounds maxSurge up and maxUnavailable down, makes unavailable 1 when both are 0, and never more than replicas",
			Check:    c.bounds},
		{Name: "ScalesUpBeforeDown", Points: 10, Book: book + " (RollingStep, scaleNew)",
			Property: "Step grows the new ReplicaSet by min(room, replicas - new.spec), and when it grows it, touches no old ReplicaSet in the same step",
			Check:    c.scalesUpFirst},
		{Name: "NeverAboveSurge", Points: 10, Book: book + " (scaleNew)",
			Property: "a step that adds pods never takes the ReplicaSets' spec total above replicas + maxSurge",
			Check:    c.neverAboveSurge},
		{Name: "NeverBelowMinAvailable", Points: 15, Book: book + " (scaleOld)",
			Property: "a step never takes available pods below replicas - maxUnavailable (nor below what there were), never scales an old ReplicaSet up or below 0",
			Check:    c.neverBelowMinAvailable},
		{Name: "UnhealthyFirst", Points: 15, Book: book + " (scaleOld)",
			Property: "when the new ReplicaSet cannot grow, Step scales old ones down exactly: unhealthy replicas first, oldest first, within the budget that discounts the new ReplicaSet's unavailable pods",
			Check:    c.unhealthyFirst},
		{Name: "Converges", Points: 20, Book: book,
			Property: "steps applied one after another, new pods becoming available after each, reach the new ReplicaSet at replicas and every old one at 0",
			Check:    c.converges},
		{Name: "RollsOutInACluster", Points: 20, Book: book,
			Property: "with your Step and Bounds inside the Deployment controller of a simulated cluster, two overlapping rollouts never leave fewer pods available than replicas - maxUnavailable nor ask for more than replicas + maxSurge (rollout-bounds), and the last one completes",
			Check:    c.sim("rolls-out.yaml")},
	}}
}

type checker struct{ impl Impl }

var errBoundsMissing = fmt.Errorf("Bounds is not implemented yet (it returned -1, -1): write it in labs/09-rollout/student/step.go, below \"LAB 09: your code here\"")

// step runs the student's Step on a copy, so that a Step that changes its
// argument cannot hide it from the checks that follow.
func (c checker) step(in Input) (Output, error) {
	out := c.impl.Step(in.clone())
	if out.New == -1 {
		return out, fmt.Errorf("Step is not implemented yet (it returned new -1): write it in labs/09-rollout/student/step.go, below \"LAB 09: your code here\"")
	}
	if len(out.Old) != len(in.Old) {
		return out, fmt.Errorf("Step(%s\n) = %s: want one target per old ReplicaSet, %d of them", in, out, len(in.Old))
	}
	return out, nil
}

func (c checker) bounds(env *lab.Env) error {
	for range 20 {
		n := int32(env.Rand.IntN(41))
		s, u := genBound(env.Rand), genBound(env.Rand)
		if env.Rand.IntN(2) == 0 {
			s = api.FromString(fmt.Sprintf("%d%%", env.Rand.IntN(101)))
		}
		if env.Rand.IntN(2) == 0 {
			u = api.FromString(fmt.Sprintf("%d%%", env.Rand.IntN(101)))
		}
		gs, gu := c.impl.Bounds(n, s, u)
		if gs == -1 && gu == -1 {
			return errBoundsMissing
		}
		ws, wu := expectedBounds(n, s, u)
		if gs != ws || gu != wu {
			why := "surge rounds up, unavailable rounds down"
			switch {
			case expectedResolve(s, n, true) == 0 && expectedResolve(u, n, false) == 0:
				why = "both came out 0, so unavailable is 1 (at most replicas)"
			case expectedResolve(u, n, false) > n:
				why = "unavailable is never more than replicas"
			}
			return fmt.Errorf("Bounds(replicas %d, maxSurge %s, maxUnavailable %s) = %d, %d; want %d, %d: %s", n, s, u, gs, gu, ws, wu, why)
		}
	}
	return nil
}

func (c checker) scalesUpFirst(env *lab.Env) error {
	for range 10 {
		in := generate(env.Rand, shape{})
		out, err := c.step(in)
		if err != nil {
			return err
		}
		want := newTarget(in)
		switch {
		case out.New != want && in.New.Spec >= in.Replicas:
			return fmt.Errorf("Step(%s\n) = %s; want the new ReplicaSet at exactly replicas, %d: it has at least replicas already", in, out, want)
		case out.New != want && want != in.New.Spec:
			return fmt.Errorf("Step(%s\n) = %s; want the new ReplicaSet at %d: room = replicas + maxSurge - total spec = %d, and it grows by min(room, replicas - new.spec)",
				in, out, want, in.Replicas+in.MaxSurge-total(in))
		case out.New != want:
			return fmt.Errorf("Step(%s\n) = %s; want the new ReplicaSet left at %d: there is no room within the surge", in, out, want)
		case want != in.New.Spec && !slices.Equal(out.Old, specs(in.Old)):
			return fmt.Errorf("Step(%s\n) = %s; want old %v: the new ReplicaSet moved, so that is the whole step (scale up first, scale down in a later step)", in, out, specs(in.Old))
		}
	}
	return nil
}

func sum(xs []int32) int32 {
	var t int32
	for _, x := range xs {
		t += x
	}
	return t
}

func (c checker) neverAboveSurge(env *lab.Env) error {
	for range 10 {
		in := generate(env.Rand, shape{start: env.Rand.IntN(3) == 0})
		out, err := c.step(in)
		if err != nil {
			return err
		}
		before, after := total(in), out.New+sum(out.Old)
		if limit := in.Replicas + in.MaxSurge; after > before && after > limit {
			return fmt.Errorf("Step(%s\n) = %s: the spec total goes from %d to %d, above replicas + maxSurge = %d", in, out, before, after, limit)
		}
	}
	return nil
}

func (c checker) neverBelowMinAvailable(env *lab.Env) error {
	for range 10 {
		in := generate(env.Rand, shape{stuck: env.Rand.IntN(2) == 0})
		if in.New.Spec > in.Replicas {
			continue // scaling a finished rollout down may lower availability
		}
		out, err := c.step(in)
		if err != nil {
			return err
		}
		before := availableOf(in.New.Spec, in.New.Available)
		after := availableOf(out.New, in.New.Available)
		for i, rs := range in.Old {
			if out.Old[i] > rs.Spec || out.Old[i] < 0 {
				return fmt.Errorf("Step(%s\n) = %s: old ReplicaSet %d goes from %d to %d; a step only scales old ReplicaSets down, and not below 0", in, out, i, rs.Spec, out.Old[i])
			}
			before += availableOf(rs.Spec, rs.Available)
			after += availableOf(out.Old[i], rs.Available)
		}
		floor := min(before, in.Replicas-in.MaxUnavailable)
		if after < floor {
			return fmt.Errorf("Step(%s\n) = %s: available pods go from %d to %d, below replicas - maxUnavailable = %d (a ReplicaSet's available count is min(available, spec))",
				in, out, before, after, in.Replicas-in.MaxUnavailable)
		}
	}
	return nil
}

func (c checker) unhealthyFirst(env *lab.Env) error {
	for range 10 {
		in := generate(env.Rand, shape{stuck: true})
		out, err := c.step(in)
		if err != nil {
			return err
		}
		want := expected(in)
		if out.New != want.New || !slices.Equal(out.Old, want.Old) {
			budget := total(in) - (in.Replicas - in.MaxUnavailable) - (in.New.Spec - availableOf(in.New.Spec, in.New.Available))
			how := "spent on unhealthy old replicas first, oldest first, then healthy ones while at least replicas - maxUnavailable stay available"
			if budget <= 0 {
				how = "nothing to spend, so no old ReplicaSet moves"
			}
			return fmt.Errorf("Step(%s\n) = %s; want %s: budget = total spec - (replicas - maxUnavailable) - new unavailable = %d, %s",
				in, out, want, budget, how)
		}
	}
	return nil
}

// converges runs a rollout to its end with a tiny model of the cluster:
// after each step every ReplicaSet has its target replicas, the new
// ReplicaSet's pods all become available and the old ones' available
// pods are what is left of them. A step may change nothing only while
// new pods are still coming up.
func (c checker) converges(env *lab.Env) error {
	for range 5 {
		in := generate(env.Rand, shape{start: env.Rand.IntN(2) == 0})
		first := in.clone()
		limit := 2*(in.Replicas+total(in)) + 4
		for steps := int32(0); ; steps++ {
			done := in.New.Spec == in.Replicas && sum(specs(in.Old)) == 0
			if done {
				break
			}
			if steps == limit {
				return fmt.Errorf("starting from Step(%s\n), after %d steps the rollout is still at Step(%s\n), want the new ReplicaSet at %d and every old one at 0",
					first, steps, in, first.Replicas)
			}
			out, err := c.step(in)
			if err != nil {
				return err
			}
			settled := availableOf(in.New.Spec, in.New.Available) == in.New.Spec
			if settled && out.New == in.New.Spec && slices.Equal(out.Old, specs(in.Old)) {
				return fmt.Errorf("starting from Step(%s\n), after %d steps Step(%s\n) = %s changes nothing: the rollout is stuck short of the new ReplicaSet at %d and every old one at 0",
					first, steps, in, out, first.Replicas)
			}
			next := Input{Replicas: in.Replicas, MaxSurge: in.MaxSurge, MaxUnavailable: in.MaxUnavailable,
				New: RS{Spec: max(out.New, 0), Available: max(out.New, 0)}}
			for i, rs := range in.Old {
				spec := max(out.Old[i], 0)
				next.Old = append(next.Old, RS{Spec: spec, Available: availableOf(spec, rs.Available)})
			}
			in = next
		}
	}
	return nil
}
