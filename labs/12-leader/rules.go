package leaderlab

import (
	"fmt"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/leader"
	"github.com/tinykube/tinykube/labs/lab"
)

var base = time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)

// drawView draws what a replica called "me" might know.
func drawView(env *lab.Env) leader.View {
	r := env.Rand
	v := leader.View{Identity: "me", LeaseDuration: 15 * time.Second, RenewDeadline: 10 * time.Second}
	if r.IntN(3) == 0 {
		v.LeaseDuration, v.RenewDeadline = 20*time.Second, 12*time.Second
	}
	v.Now = base.Add(time.Duration(r.Int64N(int64(time.Hour))))
	v.Leading = r.IntN(2) == 0
	if r.IntN(6) > 0 {
		l := &api.Lease{ObjectMeta: api.ObjectMeta{Namespace: "kube-system", Name: "kube-scheduler", ResourceVersion: fmt.Sprint(1 + r.IntN(1000))}}
		switch r.IntN(5) {
		case 0: // no holder field
		case 1:
			empty := ""
			l.Spec.HolderIdentity = &empty
		case 2, 3:
			other := []string{"other", "me-2", "scheduler-b"}[r.IntN(3)]
			l.Spec.HolderIdentity = &other
		default:
			me := "me"
			l.Spec.HolderIdentity = &me
		}
		switch r.IntN(4) {
		case 0: // no duration: the candidate's own applies
		case 1:
			zero := int32(0)
			l.Spec.LeaseDurationSeconds = &zero
		default:
			secs := []int32{5, 15, 30, 60}[r.IntN(4)]
			l.Spec.LeaseDurationSeconds = &secs
		}
		// The writer's clock: anything, an hour either way.
		l.Spec.RenewTime = api.NewMicroTime(v.Now.Add(time.Duration(r.Int64N(int64(2*time.Hour))) - time.Hour))
		v.Lease = l
	}
	v.ObservedAt = v.Now.Add(-env.Near(leaseDur(v)))
	v.RenewedAt = v.Now.Add(-env.Near(v.RenewDeadline))
	if !v.Leading && r.IntN(2) == 0 {
		v.RenewedAt = time.Time{}
	}
	return v
}

func holderOf(l *api.Lease) string {
	if l == nil || l.Spec.HolderIdentity == nil {
		return ""
	}
	return *l.Spec.HolderIdentity
}

func leaseDur(v leader.View) time.Duration {
	if v.Lease != nil && v.Lease.Spec.LeaseDurationSeconds != nil && *v.Lease.Spec.LeaseDurationSeconds > 0 {
		return time.Duration(*v.Lease.Spec.LeaseDurationSeconds) * time.Second
	}
	return v.LeaseDuration
}

// expected is the contract, worked out on its own, with the reason in
// words.
func expected(v leader.View) (leader.Action, string) {
	h := holderOf(v.Lease)
	if v.Leading {
		since := v.Now.Sub(v.RenewedAt)
		switch {
		case since >= v.RenewDeadline:
			return leader.StepDown, fmt.Sprintf("the last renewal was %v ago, not less than the renew deadline %v", since, v.RenewDeadline)
		case v.Lease == nil:
			return leader.StepDown, "the Lease is gone"
		case h != v.Identity:
			return leader.StepDown, fmt.Sprintf("the Lease names %q, not this replica", h)
		}
		return leader.Renew, fmt.Sprintf("this replica holds the Lease and renewed %v ago, within the renew deadline %v", since, v.RenewDeadline)
	}
	switch {
	case v.Lease == nil:
		return leader.Create, "there is no Lease"
	case h == "":
		return leader.Acquire, "the Lease has no holder"
	case h == v.Identity:
		return leader.Acquire, "the Lease already names this replica (a restart under the same identity)"
	}
	seen := v.Now.Sub(v.ObservedAt)
	if seen >= leaseDur(v) {
		return leader.Acquire, fmt.Sprintf("the record has not changed for %v since this replica first saw it, not less than the lease duration %v", seen, leaseDur(v))
	}
	return leader.Wait, fmt.Sprintf("the record changed %v ago as this replica saw it, less than the lease duration %v (the renewTime written in it comes from another clock and does not count)", seen, leaseDur(v))
}

// describe prints a view in one readable line.
func describe(v leader.View) string {
	var b strings.Builder
	fmt.Fprintf(&b, "identity %q, ", v.Identity)
	if v.Leading {
		fmt.Fprintf(&b, "leading, renewed %v ago", v.Now.Sub(v.RenewedAt))
	} else {
		b.WriteString("candidate")
	}
	if v.Lease == nil {
		b.WriteString(", no Lease")
	} else {
		l := v.Lease
		holder := "holder unset"
		if l.Spec.HolderIdentity != nil {
			holder = fmt.Sprintf("holder %q", *l.Spec.HolderIdentity)
		}
		dur := "leaseDurationSeconds unset"
		if l.Spec.LeaseDurationSeconds != nil {
			dur = fmt.Sprintf("leaseDurationSeconds %d", *l.Spec.LeaseDurationSeconds)
		}
		fmt.Fprintf(&b, ", Lease{%s, %s, renewTime %v from now by the writer's clock}, first seen %v ago",
			holder, dur, l.Spec.RenewTime.Sub(v.Now), v.Now.Sub(v.ObservedAt))
	}
	fmt.Fprintf(&b, ", leaseDuration %v, renewDeadline %v", v.LeaseDuration, v.RenewDeadline)
	return b.String()
}
