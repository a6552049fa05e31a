package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/metricsserver"
	"github.com/tinykube/tinykube/core/store"
)

// hpa-missing-metrics: a pod the metrics API had no numbers for must not
// argue for a scale-down. Kubernetes counts such a pod as using its whole
// request when the formula points down, so a gap in the metrics (a node
// whose stats fail, a partitioned kubelet) can only hold the count, never
// lower it.
//
// The judgement needs what the autoscaler saw when it decided. A simulated
// API call is atomic in virtual time, and a sync reads the metrics, writes
// the scale and writes its status within one step of the loop: so the
// metrics API's last answer, if it was given at the very instant of the
// status write, is the one the controller read (observedMetrics records
// it). From it the checker takes the target's pods that were running, not
// being deleted, started at least missingMetricsSettle before the rescale
// (the controller's cache has seen them Running, so it counts them as
// missing rather than pending), and absent from the answer: the missing
// pods M.
//
// The bound is the formula's own floor with every measured pod idle: the
// missing pods at their full use F (request × max(100, target)/100) out of
// at most n counted pods, whose requests are at most r each, need
//
//	B = ⌈(100·F/r − n) / target%⌉
//
// pods (the −n is the utilization truncated to a whole percent, at most
// one point per pod). The controller's stabilization, policies and min
// only keep it higher. A scale-down below B was argued by the gap.

// missingMetricsSettle is how long a pod must have run before the
// judgement counts it as missing: the controller's informer must have
// seen it Running.
const missingMetricsSettle = 10 * time.Second

// metricsAnswer is the metrics API's last answer for pods: when, for
// which namespace ("" all), and the pods it measured (namespace/name).
type metricsAnswer struct {
	at        time.Duration
	namespace string
	measured  map[string]bool
}

// observedMetrics is an API server's metrics source that records each
// answer for pods into the checker (hpa-missing-metrics reads it).
type observedMetrics struct {
	*metricsserver.Scraper
	c *Cluster
}

// PodMetrics answers as the scraper does and records which pods it
// measured, at the loop's virtual time.
func (o observedMetrics) PodMetrics(namespace string) []api.PodMetrics {
	out := o.Scraper.PodMetrics(namespace)
	if o.c.checker != nil {
		a := &metricsAnswer{at: o.c.W.Elapsed(), namespace: namespace, measured: make(map[string]bool, len(out))}
		for _, m := range out {
			a.measured[m.Namespace+"/"+m.Name] = true
		}
		o.c.checker.lastMetrics = a
	}
	return out
}

// missingMetrics judges hpa-missing-metrics for a scale-down sc of h
// (written at virtual time now) and returns the violation's statement, or
// "" when it holds or cannot be judged: no single utilization metric, no
// answer given at this instant, or no missing pod.
func (c *checker) missingMetrics(h *api.HorizontalPodAutoscaler, sc hpaScale) string {
	a := c.lastMetrics
	if sc.to >= sc.from || a == nil || a.at != c.now() || (a.namespace != "" && a.namespace != h.Namespace) ||
		len(h.Spec.Metrics) != 1 || h.Spec.Metrics[0].Resource == nil || h.Spec.Metrics[0].Resource.Target.AverageUtilization == nil {
		return ""
	}
	resource := h.Spec.Metrics[0].Resource.Name
	target := int64(*h.Spec.Metrics[0].Resource.Target.AverageUtilization)
	pods, err := c.targetPods(h)
	if err != nil || len(pods) == 0 {
		return ""
	}
	var full, maxReq int64 // milli-units
	var missing []string
	for _, p := range pods {
		req := podResourceRequest(p, resource)
		maxReq = max(maxReq, req)
		settled := p.Status.StartTime != nil && !p.Status.StartTime.Time.Add(missingMetricsSettle).After(sc.at)
		if p.Status.Phase != api.PodRunning || !settled || a.measured[p.Namespace+"/"+p.Name] {
			continue
		}
		missing = append(missing, p.Name)
		full += req * max(100, target) / 100
	}
	if len(missing) == 0 || maxReq == 0 {
		return ""
	}
	n := max(int64(len(pods)), int64(sc.from))
	bound := int32(math.Ceil((100*float64(full)/float64(maxReq) - float64(n)) / float64(target)))
	if sc.to >= bound {
		return ""
	}
	sort.Strings(missing)
	return fmt.Sprintf("hpa-missing-metrics: HorizontalPodAutoscaler %s/%s scaled down from %d to %d at %s while %d of its target's pods had no metrics (%s): at their full request they alone need %d pods at its %d%% %s target, so the gap argued for the scale-down",
		h.Namespace, h.Name, sc.from, sc.to, sc.at.Format(time.TimeOnly), len(missing), strings.Join(missing, ", "), bound, target, resource)
}

// targetPods are the pods of h's scale target in the store, as its
// selector picks them, but for those being deleted or finished.
func (c *checker) targetPods(h *api.HorizontalPodAutoscaler) ([]*api.Pod, error) {
	ref := h.Spec.ScaleTargetRef
	res := api.ResourceFor(ref.APIVersion, ref.Kind)
	if res == nil || c.store == nil {
		return nil, fmt.Errorf("no resource for %s %s", ref.APIVersion, ref.Kind)
	}
	ctx := context.Background()
	kv, err := c.store.Get(ctx, res.StoragePrefix()+h.Namespace+"/"+ref.Name)
	if err != nil {
		return nil, err
	}
	var obj struct {
		Spec struct {
			Selector *api.LabelSelector `json:"selector"`
		} `json:"spec"`
	}
	if err := json.Unmarshal(kv.Value, &obj); err != nil || obj.Spec.Selector == nil {
		return nil, fmt.Errorf("%s has no selector", kv.Key)
	}
	sel, err := api.SelectorFromLabelSelector(obj.Spec.Selector)
	if err != nil {
		return nil, err
	}
	l, err := c.store.List(ctx, api.ResourceByPlural("", "pods").StoragePrefix()+h.Namespace+"/", store.ListOptions{})
	if err != nil {
		return nil, err
	}
	var out []*api.Pod
	for _, kv := range l.KVs {
		var p api.Pod
		if json.Unmarshal(kv.Value, &p) != nil || p.DeletionTimestamp != nil || api.IsPodTerminal(&p) || !sel.Matches(p.Labels) {
			continue
		}
		out = append(out, &p)
	}
	return out, nil
}

// podResourceRequest sums a pod's containers' requests of resource,
// milli-units.
func podResourceRequest(p *api.Pod, resource api.ResourceName) int64 {
	var sum int64
	for _, ctr := range p.Spec.Containers {
		q := ctr.Resources.Requests[resource]
		sum += q.MilliValue()
	}
	return sum
}
