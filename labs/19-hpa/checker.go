package hpalab

import (
	"fmt"

	"github.com/tinykube/tinykube/core/controller/podautoscaler"
	"github.com/tinykube/tinykube/labs/lab"
)

// Impl is an answer to the lab: the function of labs/19-hpa/student.
type Impl struct {
	Recommend func(current int32, pods []podautoscaler.PodUsage, t podautoscaler.Target, tol podautoscaler.Tolerance) (podautoscaler.Recommendation, error)
}

const book = `book/19-measuring-and-autoscaling.md`

// Lab returns lab 19 checking impl.
func Lab(impl Impl) lab.Lab {
	c := checker{impl}
	return lab.Lab{Number: "19", Name: "the autoscaler's replica calculation", Book: book + `, "Lab"`, Tests: []lab.Test{
		{Name: "RecommendRules", Points: 40, Book: book + `, "Code: the HorizontalPodAutoscaler"`,
			Property: "Recommend returns the contract's replicas, utilization and average use (or an error) for pods, targets and tolerances drawn at random",
			Check:    c.rules},
		{Name: "SpikeScalesOutAndIn", Points: 20, Book: book + `, "Concepts"`,
			Property: "with your Recommend in the autoscaler of a simulated cluster, a load spike on pods that burn CPU while they start scales out no further than the load needs, then back in to what the remaining load asks",
			Check:    c.sim(spike)},
		{Name: "WobbleInsideTolerance", Points: 20, Book: book + `, "Concepts"`,
			Property: "load wobbling within the tolerance around the target never makes the autoscaler rescale (hpa-tolerance)",
			Check:    c.sim(wobble)},
		{Name: "MetricGapsKeepPods", Points: 20, Book: book + `, "Code: the HorizontalPodAutoscaler"`,
			Property: "while a node's metrics are missing, the autoscaler neither sheds the pods the load needs nor adds pods it does not",
			Check:    c.sim(gaps)},
	}}
}

type checker struct{ impl Impl }

func notImplemented() error {
	return fmt.Errorf("Recommend is not implemented yet (it returned -1 replicas): write it in labs/19-hpa/student/recommend.go, below \"LAB 19: your code here\"")
}

// rules compares Recommend with the contract on inputs drawn from the
// seed.
func (c checker) rules(env *lab.Env) error {
	for range 300 {
		in := drawInput(env)
		got, gotErr := c.impl.Recommend(in.current, clonePods(in.pods), in.target, in.tol)
		if gotErr == nil && got.Replicas == -1 {
			return notImplemented()
		}
		want, wantErr, why := expected(in)
		call := "Recommend(" + in.describe() + ")"
		switch {
		case wantErr != nil && gotErr == nil:
			return fmt.Errorf("%s = %s, want an error (%s)", call, result(got), why)
		case wantErr == nil && gotErr != nil:
			return fmt.Errorf("%s = error %q, want %s (%s)", call, gotErr, result(want), why)
		case wantErr == nil && got != want:
			return fmt.Errorf("%s = %s, want %s (%s)", call, result(got), result(want), why)
		}
	}
	return nil
}

func result(r podautoscaler.Recommendation) string {
	return fmt.Sprintf("%d replicas (utilization %d%%, average %dm)", r.Replicas, r.Utilization, r.AverageUsage)
}

// clonePods keeps the checker's input from what the answer may write in
// its slice.
func clonePods(p []podautoscaler.PodUsage) []podautoscaler.PodUsage {
	return append([]podautoscaler.PodUsage(nil), p...)
}
