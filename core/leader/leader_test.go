package leader

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/client/clienttest"
	"github.com/tinykube/tinykube/core/loop"
	"github.com/tinykube/tinykube/core/rest"
)

// cuttable is a replica's network: while cut, every call fails as a lost
// request would.
type cuttable struct {
	inner client.Transport
	cut   bool
}

var errCut = errors.New("cut off from the API server")

func (c *cuttable) Do(ctx context.Context, req *rest.Request) (*rest.Response, error) {
	if c.cut {
		return nil, errCut
	}
	return c.inner.Do(ctx, req)
}

// replica is one candidate with its own clock and network, and the base
// (real) times at which it believed it led.
type replica struct {
	name    string
	net     *cuttable
	skew    *loop.Skew
	el      *Elector
	spans   [][2]time.Time // [start, end); end zero while leading
	env     *clienttest.Env
	standUp bool // stand again after losing, as a restarted process
}

func (r *replica) stand() {
	r.el = New(Config{
		Loop: loop.Skewed{Loop: r.env.Loop, Skew: r.skew}, Client: client.New(r.net),
		Namespace: "kube-system", Name: "kube-scheduler", Identity: r.name,
		OnStartedLeading: func() { r.spans = append(r.spans, [2]time.Time{r.env.Loop.Now()}) },
		OnStoppedLeading: func() {
			r.spans[len(r.spans)-1][1] = r.env.Loop.Now()
			if r.standUp {
				r.env.Loop.After(time.Second, r.stand)
			}
		},
	})
	r.el.Start()
}

func newReplicas(t *testing.T, names ...string) (*clienttest.Env, []*replica) {
	env := clienttest.New(t, 1, 2)
	var rs []*replica
	for _, n := range names {
		r := &replica{name: n, net: &cuttable{inner: env.Transport}, skew: &loop.Skew{}, env: env, standUp: true}
		r.stand()
		rs = append(rs, r)
	}
	return env, rs
}

func lease(t *testing.T, env *clienttest.Env) *api.Lease {
	t.Helper()
	l, err := client.For[*api.Lease](env.Client).Get(context.Background(), "kube-system", "kube-scheduler")
	if err != nil {
		t.Fatalf("reading the lease: %v", err)
	}
	return l
}

// overlap returns a description of two replicas believing they lead at
// the same (real) time, or "".
func overlap(rs []*replica, end time.Time) string {
	type span struct {
		who        string
		start, end time.Time
	}
	var all []span
	for _, r := range rs {
		for _, s := range r.spans {
			e := s[1]
			if e.IsZero() {
				e = end
			}
			all = append(all, span{r.name, s[0], e})
		}
	}
	for i := range all {
		for j := range all {
			a, b := all[i], all[j]
			if i != j && a.who != b.who && a.start.Before(b.end) && b.start.Before(a.end) && !a.start.After(b.start) {
				return fmt.Sprintf("%s led %v–%v and %s led %v–%v", a.who, a.start.Sub(clienttest.Start), a.end.Sub(clienttest.Start),
					b.who, b.start.Sub(clienttest.Start), b.end.Sub(clienttest.Start))
			}
		}
	}
	return ""
}

func TestOneOfThreeLeadsAndKeepsLeading(t *testing.T) {
	env, rs := newReplicas(t, "a", "b", "c")
	env.RunFor(time.Minute)
	leaders := 0
	for _, r := range rs {
		if r.el.IsLeader() {
			leaders++
		}
		if len(r.spans) > 1 {
			t.Errorf("%s led %d times; the first leader should have kept the lease", r.name, len(r.spans))
		}
	}
	if leaders != 1 {
		t.Fatalf("%d leaders after a minute, want 1", leaders)
	}
	l := lease(t, env)
	if *l.Spec.HolderIdentity != "a" || *l.Spec.LeaseTransitions != 0 || *l.Spec.LeaseDurationSeconds != 15 {
		t.Errorf("lease %+v: want holder a (first to try), 0 transitions, 15s", l.Spec)
	}
	if got := l.Spec.RenewTime.Sub(env.Loop.Now()); got < -2*time.Second {
		t.Errorf("last renewal %v ago, want within the 2s retry period", -got)
	}
}

func TestCutOffLeaderStopsBeforeAnotherTakesOver(t *testing.T) {
	env, rs := newReplicas(t, "a", "b")
	env.RunFor(5 * time.Second)
	a, b := rs[0], rs[1]
	if !a.el.IsLeader() {
		t.Fatal("a should lead first")
	}
	a.net.cut = true
	cutAt := env.Loop.Now()
	env.RunFor(30 * time.Second)
	if len(a.spans) == 0 || a.spans[0][1].IsZero() {
		t.Fatal("a went on leading while cut off")
	}
	if len(b.spans) == 0 {
		t.Fatal("b never took over")
	}
	stopped, took := a.spans[0][1].Sub(cutAt), b.spans[0][0].Sub(cutAt)
	if stopped > 10*time.Second {
		t.Errorf("a stopped %v after the cut, later than its 10s renew deadline", stopped)
	}
	if took > 17*time.Second {
		t.Errorf("b took over %v after the cut, want within lease duration + retry period", took)
	}
	if !a.spans[0][1].Before(b.spans[0][0]) {
		t.Errorf("a stopped at %v, b started at %v: they overlapped", stopped, took)
	}
	if l := lease(t, env); *l.Spec.HolderIdentity != "b" || *l.Spec.LeaseTransitions != 1 {
		t.Errorf("lease %+v: want holder b after one transition", l.Spec)
	}
}

func TestClockOffsetsDoNotMatter(t *testing.T) {
	// Only durations on each replica's own clock count: a candidate whose
	// clock is an hour ahead must not think the holder's renewals old.
	env, rs := newReplicas(t, "a", "b")
	rs[1].skew.Set(env.Loop.Now(), time.Hour, 1)
	env.RunFor(2 * time.Minute)
	if len(rs[1].spans) != 0 || len(rs[0].spans) != 1 {
		t.Errorf("a led %d times, b %d: b's clock offset made it take over", len(rs[0].spans), len(rs[1].spans))
	}
}

func TestReleaseHandsOverAtOnce(t *testing.T) {
	env, rs := newReplicas(t, "a", "b")
	env.RunFor(5 * time.Second)
	rs[0].standUp = false
	rs[0].el.Release()
	rs[0].spans[0][1] = env.Loop.Now()
	released := env.Loop.Now()
	env.RunFor(5 * time.Second)
	if len(rs[1].spans) == 0 || rs[1].spans[0][0].Sub(released) > 2*time.Second {
		t.Fatalf("b should take a released lease within one retry period; spans %v", rs[1].spans)
	}
}

func TestCheckRejectsUnsafeTimings(t *testing.T) {
	for _, c := range []Config{
		{Namespace: "kube-system", Name: "x", Identity: "a", LeaseDuration: 10 * time.Second, RenewDeadline: 10 * time.Second},
		{Namespace: "kube-system", Name: "x", Identity: "a", RenewDeadline: 3 * time.Second, RetryPeriod: 3 * time.Second},
		{Namespace: "kube-system", Name: "x"},
	} {
		if c.Check() == nil {
			t.Errorf("Check(%+v) accepted it", c)
		}
	}
	if err := (Config{Namespace: "kube-system", Name: "x", Identity: "a"}).Check(); err != nil {
		t.Errorf("defaults rejected: %v", err)
	}
	if d := MaxDrift(15*time.Second, 10*time.Second); d < 0.199 || d > 0.201 {
		t.Errorf("MaxDrift(15s, 10s) = %v, want 0.2", d)
	}
}

// TestAtMostOneLeader draws cuts, heals and clock rates for three replicas.
// Within MaxDrift no two ever believe they lead at the same instant; the
// same schedules with rates beyond it are allowed to fail (and the next
// test shows one that does).
func TestAtMostOneLeader(t *testing.T) {
	bound := MaxDrift(15*time.Second, 10*time.Second)
	rapid.Check(t, func(rt *rapid.T) {
		env, rs := newReplicas(t, "a", "b", "c")
		for _, r := range rs {
			rho := rapid.Float64Range(-bound*0.95, bound*0.95).Draw(rt, "rate-"+r.name)
			r.skew.Set(env.Loop.Now(), 0, 1+rho)
		}
		steps := rapid.IntRange(1, 12).Draw(rt, "steps")
		for i := 0; i < steps; i++ {
			r := rs[rapid.IntRange(0, 2).Draw(rt, "who")]
			r.net.cut = rapid.Bool().Draw(rt, "cut")
			env.RunFor(time.Duration(rapid.IntRange(1, 40).Draw(rt, "seconds")) * time.Second)
			if o := overlap(rs, env.Loop.Now()); o != "" {
				rt.Fatalf("two leaders at once: %s", o)
			}
		}
		for _, r := range rs {
			r.net.cut = false
		}
		env.RunFor(time.Minute)
		if o := overlap(rs, env.Loop.Now()); o != "" {
			rt.Fatalf("two leaders at once: %s", o)
		}
		leaders := 0
		for _, r := range rs {
			if r.el.IsLeader() {
				leaders++
			}
		}
		if leaders != 1 {
			rt.Fatalf("%d leaders a minute after every cut healed, want 1", leaders)
		}
	})
}

// TestDriftBeyondTheBoundMakesTwoLeaders is the counterexample: the
// holder's clock runs at half speed, so its 10s renew deadline lasts 20s;
// cut off, it goes on believing it leads after the other replica, whose
// clock is right, has waited its 15s and taken over.
func TestDriftBeyondTheBoundMakesTwoLeaders(t *testing.T) {
	env, rs := newReplicas(t, "a", "b")
	rs[0].skew.Set(env.Loop.Now(), 0, 0.5)
	env.RunFor(3 * time.Second)
	rs[0].net.cut = true
	env.RunFor(25 * time.Second)
	if o := overlap(rs, env.Loop.Now()); o == "" {
		t.Fatalf("no overlap with a clock at half speed; spans a=%v b=%v", rs[0].spans, rs[1].spans)
	} else {
		t.Logf("as expected: %s", o)
	}
}
