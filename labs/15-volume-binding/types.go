package volumelab

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tinykube/tinykube/core/api"
)

// MatchFunc is an answer to the lab: student.Match.
type MatchFunc func(c *api.PersistentVolumeClaim, volumes []*api.PersistentVolume, node *api.Node) *api.PersistentVolume

// NotWritten is what the starter's Match returns: nil is an answer ("no
// volume fits"), so the starter needs a volume of its own to say it is
// not written yet.
var NotWritten = &api.PersistentVolume{ObjectMeta: api.ObjectMeta{Name: "not-written-yet"}}

// describeClaim is c in one line, as failures print it.
func describeClaim(c *api.PersistentVolumeClaim) string {
	var b strings.Builder
	q := c.Spec.Resources.Requests[api.ResourceStorage]
	fmt.Fprintf(&b, "claim %s/%s (uid %s): %s, class %q, modes %s, %s", c.Namespace, c.Name, c.UID, q.String(), api.ClaimClass(c),
		modes(c.Spec.AccessModes), volumeMode(c.Spec.VolumeMode))
	if s := c.Spec.Selector; s != nil {
		fmt.Fprintf(&b, ", selector %s", describeSelector(s))
	}
	return b.String()
}

// describeVolume is pv in one line.
func describeVolume(pv *api.PersistentVolume) string {
	var b strings.Builder
	q := pv.Spec.Capacity[api.ResourceStorage]
	fmt.Fprintf(&b, "%s: %s, class %q, modes %s, %s", pv.Name, q.String(), pv.Spec.StorageClassName, modes(pv.Spec.AccessModes), volumeMode(pv.Spec.VolumeMode))
	if len(pv.Labels) > 0 {
		fmt.Fprintf(&b, ", labels %s", describeLabels(pv.Labels))
	}
	if a := pv.Spec.NodeAffinity; a != nil && a.Required != nil {
		var terms []string
		for _, t := range a.Required.NodeSelectorTerms {
			var reqs []string
			for _, r := range t.MatchExpressions {
				reqs = append(reqs, fmt.Sprintf("%s %s %v", r.Key, r.Operator, r.Values))
			}
			terms = append(terms, strings.Join(reqs, " and "))
		}
		fmt.Fprintf(&b, ", nodes where %s", strings.Join(terms, " or "))
	}
	if r := pv.Spec.ClaimRef; r != nil {
		fmt.Fprintf(&b, ", claimRef %s/%s", r.Namespace, r.Name)
		if r.UID != "" {
			fmt.Fprintf(&b, " (uid %s)", r.UID)
		}
	}
	if pv.Status.Phase != "" {
		fmt.Fprintf(&b, ", %s", pv.Status.Phase)
	}
	if pv.DeletionTimestamp != nil {
		b.WriteString(", being deleted")
	}
	return b.String()
}

func describeNode(n *api.Node) string {
	if n == nil {
		return "no node (an Immediate claim)"
	}
	return fmt.Sprintf("node %s, labels %s", n.Name, describeLabels(n.Labels))
}

// describeCall is Match's arguments, as failures print them.
func describeCall(c *api.PersistentVolumeClaim, volumes []*api.PersistentVolume, node *api.Node) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Match(\n    %s,\n    %s,\n    volumes:", describeClaim(c), describeNode(node))
	if len(volumes) == 0 {
		b.WriteString(" none")
	}
	for _, pv := range volumes {
		fmt.Fprintf(&b, "\n      %s", describeVolume(pv))
	}
	b.WriteString(")")
	return b.String()
}

func name(pv *api.PersistentVolume) string {
	if pv == nil {
		return "nil"
	}
	return pv.Name
}

func modes(ms []string) string {
	short := map[string]string{api.ReadWriteOnce: "RWO", api.ReadOnlyMany: "ROX", api.ReadWriteMany: "RWX", api.ReadWriteOncePod: "RWOP"}
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = short[m]
		if out[i] == "" {
			out[i] = m
		}
	}
	return "[" + strings.Join(out, " ") + "]"
}

func volumeMode(m *string) string {
	if m == nil {
		return api.VolumeFilesystem
	}
	return *m
}

func describeLabels(l map[string]string) string {
	keys := make([]string, 0, len(l))
	for k := range l {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + l[k]
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func describeSelector(s *api.LabelSelector) string {
	var parts []string
	if len(s.MatchLabels) > 0 {
		parts = append(parts, describeLabels(s.MatchLabels))
	}
	for _, r := range s.MatchExpressions {
		parts = append(parts, fmt.Sprintf("%s %s %v", r.Key, r.Operator, r.Values))
	}
	return strings.Join(parts, " and ")
}
