package printers

import (
	"maps"
	"slices"
	"strings"

	"github.com/tinykube/tinykube/core/api"
)

// formatLabels prints a label map as kubectl does: "k1=v1,k2=v2", keys
// sorted, "<none>" when empty.
func formatLabels(labels map[string]string) string {
	if len(labels) == 0 {
		return "<none>"
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		parts = append(parts, k+"="+labels[k])
	}
	return strings.Join(parts, ",")
}

// selectorString prints a label selector in kubectl's syntax, requirements
// sorted by key: "app=web,tier in (back,front),!canary". It is "" for a nil
// or empty selector.
func selectorString(s *api.LabelSelector) string {
	if s == nil {
		return ""
	}
	type req struct{ key, text string }
	var reqs []req
	for k, v := range s.MatchLabels {
		reqs = append(reqs, req{k, k + "=" + v})
	}
	for _, e := range s.MatchExpressions {
		vals := slices.Clone(e.Values)
		slices.Sort(vals)
		vals = slices.Compact(vals)
		var text string
		switch e.Operator {
		case "In":
			text = e.Key + " in (" + strings.Join(vals, ",") + ")"
		case "NotIn":
			text = e.Key + " notin (" + strings.Join(vals, ",") + ")"
		case "Exists":
			text = e.Key
		case "DoesNotExist":
			text = "!" + e.Key
		default:
			text = e.Key + " " + e.Operator + " (" + strings.Join(vals, ",") + ")"
		}
		reqs = append(reqs, req{e.Key, text})
	}
	slices.SortStableFunc(reqs, func(a, b req) int { return strings.Compare(a.key, b.key) })
	var parts []string
	for _, r := range reqs {
		parts = append(parts, r.text)
	}
	return strings.Join(parts, ",")
}

// formatLabelSelector is selectorString with "<none>" for an empty selector,
// as kubectl's FormatLabelSelector prints it.
func formatLabelSelector(s *api.LabelSelector) string {
	if t := selectorString(s); t != "" {
		return t
	}
	return "<none>"
}
