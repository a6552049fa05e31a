package kubelet

import (
	"strconv"
	"time"

	"github.com/tinykube/tinykube/core/api"
)

// RestartView is what the kubelet knows, when it syncs a pod, about one
// container whose last run has exited. Every time is on the node's clock.
type RestartView struct {
	// Policy is the pod's spec.restartPolicy ("" means Always).
	Policy api.RestartPolicy
	// ExitCode is how the last run ended.
	ExitCode int
	// StartedAt and FinishedAt bound the last run (StartedAt is zero when
	// it never got to run).
	StartedAt, FinishedAt time.Time
	// Now is the node's clock now.
	Now time.Time
	// BackOff is the delay the kubelet keeps for this container: the wait
	// that applies after its next crash, 0 when none does yet.
	BackOff time.Duration
	// Initial, Max and Reset are Config.BackOffInitial, BackOffMax and
	// BackOffReset.
	Initial, Max, Reset time.Duration
}

// RestartAction is what the kubelet does with an exited container.
type RestartAction int

const (
	// Leave: the restart policy says the container stays exited.
	Leave RestartAction = iota
	// BackOff: restart it, but not before Wait has passed
	// (CrashLoopBackOff).
	BackOff
	// Restart: start its next run now.
	Restart
)

func (a RestartAction) String() string {
	switch a {
	case Leave:
		return "Leave"
	case BackOff:
		return "BackOff"
	case Restart:
		return "Restart"
	}
	return "RestartAction(" + strconv.Itoa(int(a)) + ")"
}

// RestartDecision is DecideRestart's answer.
type RestartDecision struct {
	Action RestartAction
	// Wait is, for BackOff, how long until the restart is due.
	Wait time.Duration
	// BackOff is the delay the kubelet keeps for the container from now
	// on (RestartView.BackOff's next value).
	BackOff time.Duration
}

// DecideRestart decides what to do with an exited container, as
// Kubernetes' kubelet does: the restart policy first (Never leaves every
// container, OnFailure leaves one that exited 0, Always restarts all),
// then the back-off. A run that lasted Reset or longer forgets the
// back-off. With no back-off the container restarts at once and the next
// crash will wait Initial; otherwise it restarts once BackOff has passed
// since FinishedAt, and the next wait doubles, up to Max.
//
// It is pure: the kubelet keeps RestartDecision.BackOff and passes it back
// in the next view of the same container.
func DecideRestart(v RestartView) RestartDecision {
	if !shouldRestart(v.Policy, v.ExitCode) {
		return RestartDecision{Action: Leave, BackOff: v.BackOff}
	}
	delay := v.BackOff
	if !v.StartedAt.IsZero() && v.FinishedAt.Sub(v.StartedAt) >= v.Reset {
		delay = 0
	}
	if delay > 0 {
		if left := v.FinishedAt.Add(delay).Sub(v.Now); left > 0 {
			return RestartDecision{Action: BackOff, Wait: left, BackOff: delay}
		}
		return RestartDecision{Action: Restart, BackOff: min(2*delay, v.Max)}
	}
	return RestartDecision{Action: Restart, BackOff: v.Initial}
}

func shouldRestart(p api.RestartPolicy, exitCode int) bool {
	switch p {
	case api.RestartNever:
		return false
	case api.RestartOnFailure:
		return exitCode != 0
	}
	return true
}
