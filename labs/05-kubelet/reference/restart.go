package reference

import (
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/kubelet"
)

// DecideRestart is the contract of student.DecideRestart.
func DecideRestart(v kubelet.RestartView) kubelet.RestartDecision {
	if !Restarts(v.Policy, v.ExitCode) {
		return kubelet.RestartDecision{Action: kubelet.Leave, BackOff: v.BackOff}
	}
	b := v.BackOff
	if Forgets(v) {
		b = 0
	}
	if b == 0 {
		return kubelet.RestartDecision{Action: kubelet.Restart, BackOff: v.Initial}
	}
	if left := v.FinishedAt.Add(b).Sub(v.Now); left > 0 {
		return kubelet.RestartDecision{Action: kubelet.BackOff, Wait: left, BackOff: b}
	}
	return kubelet.RestartDecision{Action: kubelet.Restart, BackOff: Next(b, v.Max)}
}

// Restarts applies the restart policy.
func Restarts(p api.RestartPolicy, exitCode int) bool {
	switch p {
	case api.RestartNever:
		return false
	case api.RestartOnFailure:
		return exitCode != 0
	}
	return true
}

// Forgets: the last run lasted long enough to forget the back-off.
func Forgets(v kubelet.RestartView) bool {
	return !v.StartedAt.IsZero() && v.FinishedAt.Sub(v.StartedAt) >= v.Reset
}

// Next is the back-off after b: doubled, capped at max.
func Next(b, max time.Duration) time.Duration { return min(2*b, max) }
