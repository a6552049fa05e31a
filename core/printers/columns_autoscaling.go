package printers

import (
	"fmt"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
)

var autoscalerColumns = []Column{
	{Name: "NAME"}, {Name: "REFERENCE"}, {Name: "TARGETS"}, {Name: "MINPODS"}, {Name: "MAXPODS"}, {Name: "REPLICAS"}, {Name: "AGE"},
}

// autoscalerRow: the target as Kind/name, each metric's current value
// against its target (see autoscalerTargets), the bounds ("<unset>" for
// a minReplicas never defaulted) and the replicas last seen.
func autoscalerRow(h *api.HorizontalPodAutoscaler, now time.Time) Row {
	minPods := "<unset>"
	if h.Spec.MinReplicas != nil {
		minPods = itoa(*h.Spec.MinReplicas)
	}
	ref := h.Spec.ScaleTargetRef.Kind + "/" + h.Spec.ScaleTargetRef.Name
	return Row{Cells: []string{
		h.Name, ref, autoscalerTargets(h.Spec.Metrics, h.Status.CurrentMetrics), minPods,
		itoa(h.Spec.MaxReplicas), itoa(h.Status.CurrentReplicas), Age(h.CreationTimestamp, now),
	}}
}

// autoscalerTargets is kubectl's TARGETS cell: for each metric (the i-th
// status answering the i-th spec) "current/target", prefixed with the
// resource's name for resource metrics ("cpu: 45%/50%"), "<unknown>" for a
// value not measured yet, "(avg)" after per-pod averages of object and
// external metrics; at most two, then "+ N more...". No metrics: "<none>".
func autoscalerTargets(specs []api.MetricSpec, statuses []api.MetricStatus) string {
	if len(specs) == 0 {
		return "<none>"
	}
	const shown = 2
	qty := func(q *api.Quantity) string {
		if q == nil {
			return "<unknown>"
		}
		return q.String()
	}
	pct := func(p *int32) string {
		if p == nil {
			return "<unknown>"
		}
		return fmt.Sprintf("%d%%", *p)
	}
	var list []string
	for i, spec := range specs {
		var st *api.MetricStatus
		if i < len(statuses) {
			st = &statuses[i]
		}
		var cell string
		switch {
		case spec.Type == api.MetricSourceExternal && spec.External != nil:
			cell = valueOrAverage(spec.External.Target, func() *api.MetricValueStatus {
				if st == nil || st.External == nil {
					return nil
				}
				return &st.External.Current
			}(), qty)
		case spec.Type == api.MetricSourceObject && spec.Object != nil:
			cell = valueOrAverage(spec.Object.Target, func() *api.MetricValueStatus {
				if st == nil || st.Object == nil {
					return nil
				}
				return &st.Object.Current
			}(), qty)
		case spec.Type == api.MetricSourcePods && spec.Pods != nil:
			cur := "<unknown>"
			if st != nil && st.Pods != nil {
				cur = qty(st.Pods.Current.AverageValue)
			}
			cell = cur + "/" + qty(spec.Pods.Target.AverageValue)
		case spec.Type == api.MetricSourceResource && spec.Resource != nil:
			var cur *api.MetricValueStatus
			if st != nil && st.Resource != nil {
				cur = &st.Resource.Current
			}
			cell = string(spec.Resource.Name) + ": " + resourceCell(spec.Resource.Target, cur, qty, pct)
		case spec.Type == api.MetricSourceContainerResource && spec.ContainerResource != nil:
			var cur *api.MetricValueStatus
			if st != nil && st.ContainerResource != nil {
				cur = &st.ContainerResource.Current
			}
			cell = string(spec.ContainerResource.Name) + ": " + resourceCell(spec.ContainerResource.Target, cur, qty, pct)
		default:
			cell = "<unknown type>"
		}
		list = append(list, cell)
	}
	if len(list) > shown {
		return fmt.Sprintf("%s + %d more...", strings.Join(list[:shown], ", "), len(list)-shown)
	}
	return strings.Join(list, ", ")
}

// resourceCell is a resource metric's "current/target": average values
// when the target is one, else utilizations ("<auto>" for no target).
func resourceCell(t api.MetricTarget, cur *api.MetricValueStatus, qty func(*api.Quantity) string, pct func(*int32) string) string {
	if t.AverageValue != nil {
		c := "<unknown>"
		if cur != nil {
			c = qty(cur.AverageValue)
		}
		return c + "/" + qty(t.AverageValue)
	}
	c := "<unknown>"
	if cur != nil {
		c = pct(cur.AverageUtilization)
	}
	target := "<auto>"
	if t.AverageUtilization != nil {
		target = pct(t.AverageUtilization)
	}
	return c + "/" + target
}

// valueOrAverage is an object or external metric's cell: "cur/avg (avg)"
// for a per-pod average target, else "cur/value".
func valueOrAverage(t api.MetricTarget, cur *api.MetricValueStatus, qty func(*api.Quantity) string) string {
	if t.AverageValue != nil {
		c := "<unknown>"
		if cur != nil {
			c = qty(cur.AverageValue)
		}
		return c + "/" + qty(t.AverageValue) + " (avg)"
	}
	c := "<unknown>"
	if cur != nil {
		c = qty(cur.Value)
	}
	return c + "/" + qty(t.Value)
}
