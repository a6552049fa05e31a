package kubeletlab

import (
	"fmt"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/kubelet"
	"github.com/tinykube/tinykube/labs/lab"
)

var base = time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)

// drawView draws what a kubelet might know about an exited container.
func drawView(env *lab.Env) kubelet.RestartView {
	r := env.Rand
	v := kubelet.RestartView{Initial: 10 * time.Second, Max: 5 * time.Minute, Reset: 10 * time.Minute}
	if r.IntN(3) == 0 { // a test's shrunk numbers
		v.Initial, v.Max, v.Reset = time.Second, 8*time.Second, 30*time.Second
	}
	v.Policy = []api.RestartPolicy{api.RestartAlways, api.RestartOnFailure, api.RestartNever, ""}[r.IntN(4)]
	v.ExitCode = []int{0, 1, 137}[r.IntN(3)]
	switch r.IntN(4) {
	case 0: // none yet
	case 1:
		v.BackOff = v.Initial
	case 2:
		v.BackOff = v.Max
	default:
		v.BackOff = v.Initial << r.IntN(6)
	}
	v.FinishedAt = base.Add(time.Duration(r.Int64N(int64(time.Hour))))
	if r.IntN(8) > 0 {
		v.StartedAt = v.FinishedAt.Add(-env.Near(v.Reset))
	}
	wait := v.BackOff
	if wait == 0 {
		wait = v.Initial
	}
	v.Now = v.FinishedAt.Add(env.Near(wait))
	return v
}

// expected is the contract, worked out on its own, with the reason in
// words.
func expected(v kubelet.RestartView) (kubelet.RestartDecision, string) {
	switch {
	case v.Policy == api.RestartNever:
		return kubelet.RestartDecision{Action: kubelet.Leave, BackOff: v.BackOff}, "restartPolicy Never leaves every container exited (and keeps the back-off as it is)"
	case v.Policy == api.RestartOnFailure && v.ExitCode == 0:
		return kubelet.RestartDecision{Action: kubelet.Leave, BackOff: v.BackOff}, "restartPolicy OnFailure leaves a container that exited 0 (and keeps the back-off as it is)"
	}
	b, why := v.BackOff, ""
	if !v.StartedAt.IsZero() && v.FinishedAt.Sub(v.StartedAt) >= v.Reset {
		b, why = 0, fmt.Sprintf("the run lasted %v, not less than Reset %v, so the back-off is forgotten; ", v.FinishedAt.Sub(v.StartedAt), v.Reset)
	}
	if b == 0 {
		return kubelet.RestartDecision{Action: kubelet.Restart, BackOff: v.Initial}, why + "with no back-off it restarts now and keeps Initial for the next crash"
	}
	since := v.Now.Sub(v.FinishedAt)
	if since < b {
		return kubelet.RestartDecision{Action: kubelet.BackOff, Wait: b - since, BackOff: b},
			why + fmt.Sprintf("it exited %v ago, less than its back-off %v: it waits the %v left", since, b, b-since)
	}
	next := min(2*b, v.Max)
	return kubelet.RestartDecision{Action: kubelet.Restart, BackOff: next},
		why + fmt.Sprintf("it exited %v ago, not less than its back-off %v: it restarts, and the next back-off is %v (doubled, at most Max %v)", since, b, next, v.Max)
}

// describe prints a view in one readable line.
func describe(v kubelet.RestartView) string {
	var b strings.Builder
	policy := string(v.Policy)
	if policy == "" {
		policy = `"" (Always)`
	}
	fmt.Fprintf(&b, "policy %s, exit code %d, ", policy, v.ExitCode)
	if v.StartedAt.IsZero() {
		b.WriteString("never started, ")
	} else {
		fmt.Fprintf(&b, "ran %v, ", v.FinishedAt.Sub(v.StartedAt))
	}
	fmt.Fprintf(&b, "exited %v ago, BackOff %v, Initial %v, Max %v, Reset %v", v.Now.Sub(v.FinishedAt), v.BackOff, v.Initial, v.Max, v.Reset)
	return b.String()
}

func decision(d kubelet.RestartDecision) string {
	switch d.Action {
	case kubelet.BackOff:
		return fmt.Sprintf("{BackOff, wait %v, keep %v}", d.Wait, d.BackOff)
	case kubelet.Restart:
		return fmt.Sprintf("{Restart, keep %v}", d.BackOff)
	case kubelet.Leave:
		return fmt.Sprintf("{Leave, keep %v}", d.BackOff)
	}
	return fmt.Sprintf("{%v, wait %v, keep %v}", d.Action, d.Wait, d.BackOff)
}
