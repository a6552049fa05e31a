package mutants

import (
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/kubelet"
	"github.com/tinykube/tinykube/labs/05-kubelet/reference"
)

// Mutant is a named broken answer.
type Mutant struct {
	Name          string
	DecideRestart func(kubelet.RestartView) kubelet.RestartDecision
}

// All are the kept mutants.
var All = []Mutant{
	// Restarts whatever crashed at once: a crash loop hammers the node.
	{"no-back-off", func(v kubelet.RestartView) kubelet.RestartDecision {
		d := reference.DecideRestart(v)
		if d.Action == kubelet.BackOff {
			return kubelet.RestartDecision{Action: kubelet.Restart, BackOff: v.Initial}
		}
		return d
	}},
	// Doubles for ever: a container that crashed ten times waits hours.
	{"no-cap", func(v kubelet.RestartView) kubelet.RestartDecision {
		d := reference.DecideRestart(v)
		if d.Action == kubelet.Restart && v.BackOff > 0 && !reference.Forgets(v) {
			d.BackOff = 2 * v.BackOff
		}
		return d
	}},
	// Never forgets: a container that ran for an hour and crashed once
	// waits as long as one in a crash loop.
	{"never-forgets", func(v kubelet.RestartView) kubelet.RestartDecision {
		v.Reset = 1<<63 - 1
		return reference.DecideRestart(v)
	}},
	// Waits Initial before the first restart too.
	{"first-restart-waits", func(v kubelet.RestartView) kubelet.RestartDecision {
		d := reference.DecideRestart(v)
		if d.Action == kubelet.Restart && (v.BackOff == 0 || reference.Forgets(v)) {
			if left := v.FinishedAt.Add(v.Initial).Sub(v.Now); left > 0 {
				return kubelet.RestartDecision{Action: kubelet.BackOff, Wait: left, BackOff: v.BackOff}
			}
		}
		return d
	}},
	// Counts the back-off from now instead of from the crash: each sync
	// starts the wait again, and the container never comes back.
	{"waits-from-now", func(v kubelet.RestartView) kubelet.RestartDecision {
		d := reference.DecideRestart(v)
		if v.BackOff > 0 && !reference.Forgets(v) && d.Action != kubelet.Leave {
			return kubelet.RestartDecision{Action: kubelet.BackOff, Wait: v.BackOff, BackOff: v.BackOff}
		}
		return d
	}},
	// OnFailure restarts a container that completed (exit 0).
	{"restarts-completed", func(v kubelet.RestartView) kubelet.RestartDecision {
		if v.Policy == api.RestartOnFailure {
			v.Policy = api.RestartAlways
		}
		return reference.DecideRestart(v)
	}},
	// Never is read as OnFailure.
	{"never-is-on-failure", func(v kubelet.RestartView) kubelet.RestartDecision {
		if v.Policy == api.RestartNever {
			v.Policy = api.RestartOnFailure
		}
		return reference.DecideRestart(v)
	}},
}
