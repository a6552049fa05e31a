package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/controller/podautoscaler"
	"github.com/tinykube/tinykube/core/store"
)

// The HorizontalPodAutoscaler's invariants, judged from the store's
// writes alone. A rescale shows as an autoscaler status write whose
// lastScaleTime moved: status.currentReplicas is what the target had,
// status.desiredReplicas what the controller wrote to its scale.
//
//   - hpa-bounds: desiredReplicas of every rescale is within [minReplicas,
//     maxReplicas] of the spec the controller saw (the generation it
//     observed; the checker keeps the bounds of each generation).
//   - hpa-stabilization: after a scale-up to N at t, no rescale takes the
//     target below N before t + the scale-down window (spec's behavior,
//     else the controller's default of 5 minutes). The window holds the
//     scale-up's recommendation (≥ N), and a scale-down goes no lower than
//     the window's highest. Rescales that pin the target into [min, max]
//     are not the window's business and are skipped. The window lives in
//     the controller's memory, so the history starts afresh when the
//     controller manager's Lease changes hands or is re-acquired (a
//     crash), as Kubernetes' does.
//
//   - hpa-tolerance: no rescale is decided while the one utilization
//     metric of an autoscaler, as the same status write reports it, is
//     within tolerance of its target: the formula keeps the count there.
//     Judged for scale-downs, and for scale-ups of autoscalers with a
//     behavior (without one, Kubernetes' window may still let an older,
//     higher recommendation through).
//
// Times are lastScaleTime, the controller's clock to the second; a
// scale-down is judged only when it comes more than a second early.

// hpaScale is one rescale of an autoscaler.
type hpaScale struct {
	at       time.Time
	from, to int32
	// ratio is the one utilization metric's current/target (0: not
	// judged); tol the tolerance; behavior whether the autoscaler has one.
	ratio    float64
	tol      podautoscaler.Tolerance
	behavior bool
}

// hpaFacts is what the checker keeps of one autoscaler.
type hpaFacts struct {
	lastScale *time.Time
	bounds    map[int64][2]int32 // generation → [min, max]
	window    map[int64]time.Duration
	scales    []hpaScale
}

type hpaChecker struct {
	hpas map[string]*hpaFacts // by key
	// leaseHolder is the controller manager's Lease holder and acquire
	// time: a change means a new incarnation with an empty memory.
	leaseHolder string
}

// judgeRescale checks one rescale of an autoscaler against its bounds
// at the observed generation and its earlier scale-ups in this
// incarnation, and records it. It returns the invariant violated and a
// statement of how, or "" and "".
func (f *hpaFacts) judgeRescale(name string, s hpaScale, gen int64) (invariant, msg string) {
	b, ok := f.bounds[gen]
	if ok && (s.to < b[0] || s.to > b[1]) {
		return "hpa-bounds", fmt.Sprintf("hpa-bounds: HorizontalPodAutoscaler %s scaled its target from %d to %d at %s, outside its [minReplicas, maxReplicas] = [%d, %d] (generation %d)",
			name, s.from, s.to, s.at.Format(time.TimeOnly), b[0], b[1], gen)
	}
	pinned := ok && (s.from > b[1] || s.from < b[0])
	if !pinned && s.ratio > 0 && s.to != s.from && (s.to < s.from || s.behavior) && 1-s.tol.Down <= s.ratio && s.ratio <= 1+s.tol.Up {
		return "hpa-tolerance", fmt.Sprintf("hpa-tolerance: HorizontalPodAutoscaler %s scaled its target from %d to %d at %s while its utilization was %.0f%% of its target, within the tolerance (-%.0f%%, +%.0f%%)",
			name, s.from, s.to, s.at.Format(time.TimeOnly), 100*s.ratio, 100*s.tol.Down, 100*s.tol.Up)
	}
	if s.to < s.from && !pinned {
		w := f.window[gen]
		for _, u := range f.scales {
			if u.to > u.from && s.to < u.to && s.at.Sub(u.at) < w-time.Second {
				return "hpa-stabilization", fmt.Sprintf("hpa-stabilization: HorizontalPodAutoscaler %s scaled down from %d to %d at %s, %s after scaling up to %d at %s: inside its %s scale-down stabilization window",
					name, s.from, s.to, s.at.Format(time.TimeOnly), s.at.Sub(u.at), u.to, u.at.Format(time.TimeOnly), w)
			}
		}
	}
	f.scales = append(f.scales, s)
	return "", ""
}

// hpaEvent follows an autoscaler write.
func (c *checker) hpaEvent(ev store.Event) {
	if !c.enabled["hpa-bounds"] && !c.enabled["hpa-stabilization"] && !c.enabled["hpa-tolerance"] && !c.enabled["hpa-missing-metrics"] {
		return
	}
	if c.hpa.hpas == nil {
		c.hpa.hpas = map[string]*hpaFacts{}
	}
	if ev.Type == store.EventDelete {
		delete(c.hpa.hpas, ev.KV.Key)
		return
	}
	var h api.HorizontalPodAutoscaler
	if err := json.Unmarshal(ev.KV.Value, &h); err != nil {
		c.err = fmt.Errorf("decoding %s: %v", ev.KV.Key, err)
		return
	}
	f := c.hpa.hpas[ev.KV.Key]
	if f == nil {
		f = &hpaFacts{bounds: map[int64][2]int32{}, window: map[int64]time.Duration{}}
		c.hpa.hpas[ev.KV.Key] = f
	}
	minR := int32(1)
	if h.Spec.MinReplicas != nil {
		minR = *h.Spec.MinReplicas
	}
	f.bounds[h.Generation] = [2]int32{minR, h.Spec.MaxReplicas}
	f.window[h.Generation] = downWindow(&h)
	st := h.Status
	if st.LastScaleTime == nil || (f.lastScale != nil && st.LastScaleTime.Time.Equal(*f.lastScale)) {
		return
	}
	t := st.LastScaleTime.Time
	f.lastScale = &t
	gen := h.Generation
	if st.ObservedGeneration != nil {
		gen = *st.ObservedGeneration
	}
	sc := hpaScale{at: t, from: st.CurrentReplicas, to: st.DesiredReplicas, ratio: utilizationRatio(&h), behavior: h.Spec.Behavior != nil,
		tol: tolerance(&h)}
	inv, msg := f.judgeRescale(h.Namespace+"/"+h.Name, sc, gen)
	if inv != "" && c.enabled[inv] {
		c.err = fmt.Errorf("%s", msg)
		return
	}
	if b, ok := f.bounds[gen]; c.enabled["hpa-missing-metrics"] && !(ok && (sc.from > b[1] || sc.from < b[0])) {
		if msg := c.missingMetrics(&h, sc); msg != "" {
			c.err = fmt.Errorf("%s", msg)
		}
	}
}

// hpaLease follows the controller manager's Lease: a new holder, or the
// same one acquiring again, forgets every autoscaler's scale history.
func (c *checker) hpaLease(ev store.Event) {
	if ev.Type == store.EventDelete {
		return
	}
	var l api.Lease
	if json.Unmarshal(ev.KV.Value, &l) != nil {
		return
	}
	id := ""
	if l.Spec.HolderIdentity != nil {
		id = *l.Spec.HolderIdentity
	}
	if l.Spec.AcquireTime != nil {
		id += "@" + l.Spec.AcquireTime.String()
	}
	if id != c.hpa.leaseHolder {
		c.hpa.leaseHolder = id
		for _, f := range c.hpa.hpas {
			f.scales = nil
		}
	}
}

// utilizationRatio is current/target of an autoscaler with exactly one
// metric, a resource utilization that its status reports; 0 otherwise.
func utilizationRatio(h *api.HorizontalPodAutoscaler) float64 {
	if len(h.Spec.Metrics) != 1 || len(h.Status.CurrentMetrics) != 1 {
		return 0
	}
	m, st := h.Spec.Metrics[0], h.Status.CurrentMetrics[0]
	if m.Resource == nil || m.Resource.Target.AverageUtilization == nil || st.Resource == nil || st.Resource.Current.AverageUtilization == nil {
		return 0
	}
	return float64(*st.Resource.Current.AverageUtilization) / float64(*m.Resource.Target.AverageUtilization)
}

// tolerance is an autoscaler's tolerance: its behavior's, else the
// controller's default.
func tolerance(h *api.HorizontalPodAutoscaler) podautoscaler.Tolerance {
	t := podautoscaler.DefaultTolerance
	if b := h.Spec.Behavior; b != nil {
		if b.ScaleUp != nil && b.ScaleUp.Tolerance != nil {
			t.Up = float64(b.ScaleUp.Tolerance.MilliValue()) / 1000
		}
		if b.ScaleDown != nil && b.ScaleDown.Tolerance != nil {
			t.Down = float64(b.ScaleDown.Tolerance.MilliValue()) / 1000
		}
	}
	return t
}

// downWindow is an autoscaler's scale-down stabilization window.
func downWindow(h *api.HorizontalPodAutoscaler) time.Duration {
	if b := h.Spec.Behavior; b != nil && b.ScaleDown != nil && b.ScaleDown.StabilizationWindowSeconds != nil {
		return time.Duration(*b.ScaleDown.StabilizationWindowSeconds) * time.Second
	}
	return podautoscaler.DefaultDownscaleStabilization
}

// autoscalersLive is the liveness of autoscalers: once the load is
// steady and faults are over, each autoscaler's last sync measured its
// metric (ScalingActive True) and kept its target where its own
// measurement says it should be — the utilization within tolerance of
// the target, or the formula's answer from it pinned at min or max to the
// current count. It reads the store, so it adds no API call.
func (c *Cluster) autoscalersLive(*liveView) error {
	res := api.ResourceByPlural("autoscaling", "horizontalpodautoscalers")
	l, err := c.Store.List(context.Background(), res.StoragePrefix(), store.ListOptions{})
	if err != nil {
		return err
	}
	for _, kv := range l.KVs {
		var h api.HorizontalPodAutoscaler
		if err := json.Unmarshal(kv.Value, &h); err != nil {
			return fmt.Errorf("%s: %v", kv.Key, err)
		}
		if err := autoscalerSettled(&h); err != nil {
			return err
		}
	}
	return nil
}

// autoscalerSettled is autoscalersLive's judgement of one autoscaler.
func autoscalerSettled(h *api.HorizontalPodAutoscaler) error {
	name := h.Namespace + "/" + h.Name
	active := false
	for _, c := range h.Status.Conditions {
		if c.Type == api.HPAScalingActive && c.Status == api.ConditionTrue {
			active = true
		}
	}
	if !active {
		return fmt.Errorf("HorizontalPodAutoscaler %s is not actively scaling (ScalingActive is not True)", name)
	}
	minR := int32(1)
	if h.Spec.MinReplicas != nil {
		minR = *h.Spec.MinReplicas
	}
	cur := h.Status.CurrentReplicas
	for i, m := range h.Spec.Metrics {
		if m.Resource == nil || m.Resource.Target.AverageUtilization == nil || i >= len(h.Status.CurrentMetrics) || h.Status.CurrentMetrics[i].Resource == nil ||
			h.Status.CurrentMetrics[i].Resource.Current.AverageUtilization == nil {
			continue
		}
		ratio := float64(*h.Status.CurrentMetrics[i].Resource.Current.AverageUtilization) / float64(*m.Resource.Target.AverageUtilization)
		if podautoscaler.DefaultTolerance.Down >= 1-ratio && ratio-1 <= podautoscaler.DefaultTolerance.Up {
			continue
		}
		want := min(max(int32(math.Ceil(ratio*float64(cur))), minR), h.Spec.MaxReplicas)
		if want != cur {
			return fmt.Errorf("HorizontalPodAutoscaler %s has settled at %d replicas, but its %s utilization of %d%% against a target of %d%% asks for %d",
				name, cur, m.Resource.Name, *h.Status.CurrentMetrics[i].Resource.Current.AverageUtilization, *m.Resource.Target.AverageUtilization, want)
		}
	}
	return nil
}
