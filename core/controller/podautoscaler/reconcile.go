package podautoscaler

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// notSyncedDelay is how long a key waits while the caches load.
const notSyncedDelay = 100 * time.Millisecond

// Reconcile runs one sync of the autoscaler named by key
// ("namespace/name"), as Kubernetes' reconcileAutoscaler does: read the
// target's scale; pin it into [min, max] if it is outside; otherwise
// compute each metric's recommendation (the highest wins), stabilize it
// and limit it (normalize); write the scale when it changes; then write
// the status when it changed. It queues the key again one sync period
// later, whatever happened, and returns nil: a failure is recorded in the
// conditions and events and retried at the next period, as Kubernetes
// does, rather than hammered.
//
// Contract: called on the controller's loop, one key at a time (by the
// queue, or directly by tests).
func (c *Controller) Reconcile(key string) error {
	if !c.hpas.HasSynced() || !c.pods.HasSynced() {
		c.queue.AddAfter(key, notSyncedDelay)
		return nil
	}
	ns, name := client.SplitKey(key)
	hpa, ok := c.hpas.Get(ns, name)
	if !ok || hpa.DeletionTimestamp != nil {
		delete(c.history, key)
		return nil
	}
	c.queue.AddAfter(key, c.period)
	ctx := context.Background()
	now := c.loop.Now()
	next := api.DeepCopy(hpa)
	ref := hpa.Spec.ScaleTargetRef

	scale, err := c.scales.GetScale(ctx, ns, ref)
	if err != nil {
		c.event(hpa, client.EventWarning, "FailedGetScale", "%v", err)
		setCondition(next, api.HPAAbleToScale, api.ConditionFalse, "FailedGetScale", now, "the HPA controller was unable to get the target's current scale: %v", err)
		return c.writeStatus(hpa, next)
	}
	setCondition(next, api.HPAAbleToScale, api.ConditionTrue, "SucceededGetScale", now, "the HPA controller was able to get the target's current scale")
	current := scale.Spec.Replicas
	h := c.history[key]
	if h == nil {
		h = &history{recommendations: []timedReplicas{{current, now}}}
		c.history[key] = h
	}
	minReplicas := int32(1)
	if hpa.Spec.MinReplicas != nil {
		minReplicas = *hpa.Spec.MinReplicas
	}

	var desired int32
	var reason string
	var statuses []api.MetricStatus
	rescale := true
	switch {
	case current == 0 && minReplicas != 0:
		// Someone scaled the target to zero: that turns the
		// autoscaler off until they scale it back.
		rescale = false
		setCondition(next, api.HPAScalingActive, api.ConditionFalse, "ScalingDisabled", now, "scaling is disabled since the replica count of the target is zero")
	case current > hpa.Spec.MaxReplicas:
		desired, reason = hpa.Spec.MaxReplicas, "Current number of replicas above Spec.MaxReplicas"
	case current < minReplicas:
		desired, reason = minReplicas, "Current number of replicas below Spec.MinReplicas"
	default:
		var metric string
		var proposal int32
		proposal, metric, statuses, err = c.computeReplicas(ctx, next, scale, now)
		if err != nil {
			next.Status.CurrentReplicas = current
			next.Status.CurrentMetrics = statuses
			c.event(hpa, client.EventWarning, "FailedComputeMetricsReplicas", "%v", err)
			return c.writeStatus(hpa, next)
		}
		desired = c.normalize(next, h, current, proposal, minReplicas, now)
		// The reason follows the change made, not the proposal alone:
		// a stabilized recommendation from earlier in the window can
		// scale up while this sync's proposal stays put (Kubernetes
		// then logs an empty reason).
		switch {
		case desired > current:
			reason = metric + " above target"
		case desired < current:
			reason = "All metrics below target"
		}
		rescale = desired != current
	}

	if rescale {
		scale.Spec.Replicas = desired
		if err := c.scales.UpdateScale(ctx, ns, ref, scale); err != nil {
			c.event(hpa, client.EventWarning, "FailedRescale", "New size: %d; reason: %s; error: %v", desired, reason, err)
			setCondition(next, api.HPAAbleToScale, api.ConditionFalse, "FailedUpdateScale", now, "the HPA controller was unable to update the target scale: %v", err)
			next.Status.CurrentReplicas = current
			next.Status.CurrentMetrics = statuses
			return c.writeStatus(hpa, next)
		}
		setCondition(next, api.HPAAbleToScale, api.ConditionTrue, "SucceededRescale", now, "the HPA controller was able to update the target scale to %d", desired)
		c.event(hpa, client.EventNormal, "SuccessfulRescale", "New size: %d; reason: %s", desired, reason)
		h.recordScale(behaviorOf(hpa, c.downDelay), current, desired, now)
		next.Status.LastScaleTime = api.NewTime(now)
	} else {
		desired = current
	}
	next.Status.CurrentReplicas = current
	next.Status.DesiredReplicas = desired
	next.Status.CurrentMetrics = statuses
	gen := hpa.Generation
	next.Status.ObservedGeneration = &gen
	return c.writeStatus(hpa, next)
}

// computeReplicas is the recommendation over all of next's metrics: the
// highest any metric proposes, with the name of that metric for events.
// A metric that cannot be computed is skipped; if all fail, or some fail
// and the rest would scale down (which the failed ones might forbid), it
// returns the first failure and sets its condition. It sets ScalingActive.
func (c *Controller) computeReplicas(ctx context.Context, next *api.HorizontalPodAutoscaler, scale *api.Scale, now time.Time) (int32, string, []api.MetricStatus, error) {
	if scale.Status.Selector == "" {
		c.event(next, client.EventWarning, "SelectorRequired", "selector is required")
		setCondition(next, api.HPAScalingActive, api.ConditionFalse, "InvalidSelector", now, "the HPA target's scale is missing a selector")
		return 0, "", nil, fmt.Errorf("selector is required")
	}
	sel, err := api.ParseSelector(scale.Status.Selector)
	if err != nil {
		c.event(next, client.EventWarning, "InvalidSelector", "couldn't convert selector into a corresponding internal selector object: %v", err)
		setCondition(next, api.HPAScalingActive, api.ConditionFalse, "InvalidSelector", now, "the HPA target's scale has an invalid selector: %v", err)
		return 0, "", nil, fmt.Errorf("couldn't convert selector into a corresponding internal selector object: %v", err)
	}
	statuses := make([]api.MetricStatus, len(next.Spec.Metrics))
	var best int32
	var bestName string
	var firstErr error
	var firstCond condition
	invalid := 0
	for i, m := range next.Spec.Metrics {
		r, name, st, cond, err := c.computeMetric(ctx, next, m, scale, sel, now)
		if err != nil {
			if invalid == 0 {
				firstErr, firstCond = err, cond
			}
			invalid++
			continue
		}
		statuses[i] = st
		if best == 0 || r > best {
			best, bestName = r, name
		}
	}
	if invalid >= len(next.Spec.Metrics) || (invalid > 0 && best < scale.Spec.Replicas) {
		setCondition(next, api.HPAScalingActive, api.ConditionFalse, firstCond.reason, now, "%s", firstCond.message)
		return 0, "", statuses, fmt.Errorf("invalid metrics (%d invalid out of %d), first error is: %v", invalid, len(next.Spec.Metrics), firstErr)
	}
	setCondition(next, api.HPAScalingActive, api.ConditionTrue, "ValidMetricFound", now, "the HPA was able to successfully calculate a replica count from %s", bestName)
	return best, bestName, statuses, nil
}

// condition is a reason and message for a condition still to be set.
type condition struct{ reason, message string }

// computeMetric is one metric's recommendation, its name in events ("cpu
// resource utilization (percentage of request)") and its status. Only
// resource metrics are measured here: tinykube serves no custom or
// external metrics API, so the other types fail as they do in a
// Kubernetes cluster without one.
func (c *Controller) computeMetric(ctx context.Context, hpa *api.HorizontalPodAutoscaler, m api.MetricSpec, scale *api.Scale, sel api.Selector, now time.Time) (int32, string, api.MetricStatus, condition, error) {
	var resource api.ResourceName
	var target api.MetricTarget
	var container string
	switch {
	case m.Type == api.MetricSourceResource && m.Resource != nil:
		resource, target = m.Resource.Name, m.Resource.Target
	case m.Type == api.MetricSourceContainerResource && m.ContainerResource != nil:
		resource, target, container = m.ContainerResource.Name, m.ContainerResource.Target, m.ContainerResource.Container
	default:
		reason := map[string]string{api.MetricSourcePods: "FailedGetPodsMetric", api.MetricSourceObject: "FailedGetObjectMetric",
			api.MetricSourceExternal: "FailedGetExternalMetric"}[m.Type]
		if reason == "" {
			reason = "InvalidMetricSourceType"
		}
		err := fmt.Errorf("unable to get metric of type %s: tinykube serves no custom or external metrics API (custom.metrics.k8s.io, external.metrics.k8s.io); scale on a Resource or ContainerResource metric", m.Type)
		return 0, "", api.MetricStatus{}, c.unableToCompute(hpa, reason, err), err
	}
	t := Target{}
	if target.AverageUtilization != nil {
		t.Utilization = *target.AverageUtilization
	} else if target.AverageValue != nil {
		t.AverageValue = target.AverageValue.MilliValue()
	}
	name := string(resource) + " resource"
	if container != "" {
		name = string(resource) + " container resource"
	}
	if t.Utilization > 0 {
		name += " utilization (percentage of request)"
	}

	rec, err := c.recommend(ctx, hpa.Namespace, sel, resource, container, scale.Spec.Replicas, t, hpa, now)
	if err != nil {
		err = fmt.Errorf("failed to get %s utilization: %v", resource, err)
		reason := "FailedGetResourceMetric"
		if container != "" {
			reason = "FailedGetContainerResourceMetric"
		}
		return 0, "", api.MetricStatus{}, c.unableToCompute(hpa, reason, err), err
	}
	cur := api.MetricValueStatus{AverageValue: ptr(api.NewMilliQuantity(rec.AverageUsage, api.DecimalSI))}
	if t.Utilization > 0 {
		cur.AverageUtilization = ptr(rec.Utilization)
	}
	st := api.MetricStatus{Type: m.Type}
	if container != "" {
		st.ContainerResource = &api.ContainerResourceMetricStatus{Name: resource, Container: container, Current: cur}
	} else {
		st.Resource = &api.ResourceMetricStatus{Name: resource, Current: cur}
	}
	return rec.Replicas, name, st, condition{}, nil
}

// recommend reads the pods and their metrics and runs Recommend (or the
// hook that replaces it).
func (c *Controller) recommend(ctx context.Context, ns string, sel api.Selector, resource api.ResourceName, container string, current int32, t Target, hpa *api.HorizontalPodAutoscaler, now time.Time) (Recommendation, error) {
	ms, err := c.metrics.PodMetrics(ctx, ns, sel)
	if err != nil {
		return Recommendation{}, fmt.Errorf("unable to get metrics for resource %s: %v", resource, err)
	}
	byName := make(map[string]api.PodMetrics, len(ms))
	for _, m := range ms {
		byName[m.Name] = m
	}
	pods := Classify(c.pods.ListNamespace(ns, sel), byName, resource, container, now)
	recommend := Recommend
	if c.hooks.Recommend != nil {
		recommend = c.hooks.Recommend
	}
	return recommend(current, pods, t, toleranceOf(hpa.Spec.Behavior, c.tolerance))
}

// unableToCompute records a metric's failure: a Warning event now, and
// the ScalingActive condition it would set.
func (c *Controller) unableToCompute(hpa *api.HorizontalPodAutoscaler, reason string, err error) condition {
	c.event(hpa, client.EventWarning, reason, "%v", err)
	return condition{reason, fmt.Sprintf("the HPA was unable to compute the replica count: %v", err)}
}

// normalize turns a recommendation into the replicas to write: stabilized
// over the window, then limited by the policies (or, without behavior,
// the legacy rate) and by min and max. It sets AbleToScale (whether the
// window held the recommendation back) and ScalingLimited (whether a
// limit did).
func (c *Controller) normalize(next *api.HorizontalPodAutoscaler, h *history, current, recommended, minReplicas int32, now time.Time) int32 {
	b := behaviorOf(next, c.downDelay)
	var stabilized, limited int32
	var why, stab limit
	if b == nil {
		stabilized = h.stabilizeLegacy(recommended, now, c.downDelay)
		stab = downStabilzed
	} else {
		stabilized, stab = h.stabilize(current, recommended, window(b.ScaleUp), window(b.ScaleDown), now)
	}
	if c.hooks.Stabilize != nil {
		stabilized = c.hooks.Stabilize(current, recommended, stabilized)
	}
	if stabilized != recommended {
		setCondition(next, api.HPAAbleToScale, api.ConditionTrue, stab.reason, now, "%s", stab.message)
	} else {
		setCondition(next, api.HPAAbleToScale, api.ConditionTrue, readyForScale.reason, now, "%s", readyForScale.message)
	}
	if b == nil {
		limited, why = limitLegacy(current, stabilized, minReplicas, next.Spec.MaxReplicas)
	} else {
		limited, why = h.limitByPolicies(current, stabilized, minReplicas, next.Spec.MaxReplicas, b, now)
	}
	if c.hooks.Limit != nil {
		limited = c.hooks.Limit(current, stabilized, limited, minReplicas, next.Spec.MaxReplicas)
	}
	status := api.ConditionFalse
	if limited != stabilized {
		status = api.ConditionTrue
	}
	setCondition(next, api.HPAScalingLimited, status, why.reason, now, "%s", why.message)
	return limited
}

// setCondition sets condition typ of h's status, moving its transition
// time to now only when its status changes.
func setCondition(h *api.HorizontalPodAutoscaler, typ string, status api.ConditionStatus, reason string, now time.Time, format string, args ...any) {
	c := api.HorizontalPodAutoscalerCondition{Type: typ, Status: status, Reason: reason, Message: fmt.Sprintf(format, args...), LastTransitionTime: *api.NewTime(now)}
	for i := range h.Status.Conditions {
		if h.Status.Conditions[i].Type == typ {
			if h.Status.Conditions[i].Status == status {
				c.LastTransitionTime = h.Status.Conditions[i].LastTransitionTime
			}
			h.Status.Conditions[i] = c
			return
		}
	}
	h.Status.Conditions = append(h.Status.Conditions, c)
}

// writeStatus writes next's status when it differs from hpa's. A
// conflict (someone changed the autoscaler since the cache saw it) is
// left to the next sync.
func (c *Controller) writeStatus(hpa, next *api.HorizontalPodAutoscaler) error {
	a, err1 := json.Marshal(hpa.Status)
	b, err2 := json.Marshal(next.Status)
	if err1 == nil && err2 == nil && string(a) == string(b) {
		return nil
	}
	if _, err := client.For[*api.HorizontalPodAutoscaler](c.client).UpdateStatus(context.Background(), next, client.WriteOptions{}); err != nil {
		c.event(hpa, client.EventWarning, "FailedUpdateStatus", "%v", err)
	}
	return nil
}

// event records an event when the controller has a recorder.
func (c *Controller) event(obj api.Object, typ, reason, format string, args ...any) {
	if c.recorder != nil {
		c.recorder.Eventf(obj, typ, reason, format, args...)
	}
}

func ptr[T any](v T) *T { return &v }
