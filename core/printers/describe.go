package printers

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tinykube/tinykube/core/api"
)

// Describe writes kubectl describe's text for obj: its name, namespace,
// labels and annotations, the fields that matter for its kind (containers
// and their states for a Pod, conditions and capacity for a Node, replica
// counts and strategy for a Deployment, ports for a Service; a generic
// rendering of every field for other kinds), then the events, oldest first,
// in an "Events:" table with ages measured from now.
//
// events are the events about obj (kubectl selects them by involved
// object); Describe sorts a copy and does not filter them. A Service's
// "Endpoints:" lines need the Endpoints object: use DescribeService to pass
// it. It returns the first write error.
func Describe(w io.Writer, obj api.Object, events []api.Event, now time.Time) error {
	d := newDescriber(w, now)
	switch o := obj.(type) {
	case *api.Pod:
		d.pod(o)
	case *api.Node:
		d.node(o)
	case *api.ReplicaSet:
		d.replicaSet(o)
	case *api.Deployment:
		d.deployment(o)
	case *api.StatefulSet:
		d.statefulSet(o)
	case *api.DaemonSet:
		d.daemonSet(o)
	case *api.Job:
		d.job(o)
	case *api.CronJob:
		d.cronJob(o)
	case *api.Service:
		d.service(o, nil)
	case *api.Namespace:
		d.namespace(o)
	case *api.ConfigMap:
		d.configMap(o)
	case *api.Secret:
		d.secret(o)
	case *api.Unstructured:
		d.customResource(o)
	default:
		d.generic(obj)
	}
	d.events(events)
	return d.tw.Flush()
}

// DescribeService is Describe for a Service together with its Endpoints
// (nil when there are none), which fill the "Endpoints:" line of each port.
func DescribeService(w io.Writer, s *api.Service, endpoints *api.Endpoints, events []api.Event, now time.Time) error {
	d := newDescriber(w, now)
	d.service(s, endpoints)
	d.events(events)
	return d.tw.Flush()
}

// describer writes through one tab writer, as kubectl does: a label and its
// value are separated by a tab, and consecutive lines with tabs line up.
// Levels indent by two spaces.
type describer struct {
	tw  *tabwriter.Writer
	now time.Time
}

func newDescriber(w io.Writer, now time.Time) *describer {
	return &describer{tw: tabwriter.NewWriter(w, 0, 8, 2, ' ', 0), now: now}
}

// line writes format at the given indentation level.
func (d *describer) line(level int, format string, args ...any) {
	fmt.Fprintf(d.tw, strings.Repeat("  ", level)+format, args...)
}

// nameAndNamespace writes the Name/Namespace lines every describe starts with.
func (d *describer) nameAndNamespace(m *api.ObjectMeta) {
	d.line(0, "Name:\t%s\n", m.Name)
	if m.Namespace != "" {
		d.line(0, "Namespace:\t%s\n", m.Namespace)
	}
}

// labels writes "Title:\tk=v" then one "\tk=v" line per further label, or
// "<none>". title may carry leading spaces to indent it.
func (d *describer) labels(title string, labels map[string]string) {
	d.line(0, "%s:\t", title)
	if len(labels) == 0 {
		d.line(0, "<none>\n")
		return
	}
	for i, k := range slices.Sorted(maps.Keys(labels)) {
		if i > 0 {
			d.line(0, "\t")
		}
		d.line(0, "%s=%s\n", k, labels[k])
	}
}

// maxAnnotationLen is where kubectl moves an annotation's value to its own
// lines and shortens it.
const maxAnnotationLen = 140

// annotations writes annotations as "key: value", skipping
// last-applied-configuration; a long or multi-line value goes on its own
// indented lines, each cut at maxAnnotationLen.
func (d *describer) annotations(title string, annotations map[string]string) {
	d.line(0, "%s:\t", title)
	var keys []string
	for _, k := range slices.Sorted(maps.Keys(annotations)) {
		if k != "kubectl.kubernetes.io/last-applied-configuration" {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		d.line(0, "<none>\n")
		return
	}
	for i, k := range keys {
		if i > 0 {
			d.line(0, "\t")
		}
		v := strings.TrimSuffix(annotations[k], "\n")
		if len(v)+len(k)+2 > maxAnnotationLen || strings.Contains(v, "\n") {
			d.line(0, "%s:\n", k)
			for _, s := range strings.Split(v, "\n") {
				if len(s) > maxAnnotationLen-2 {
					s = s[:maxAnnotationLen-2] + "..."
				}
				d.line(0, "\t  %s\n", s)
			}
			continue
		}
		d.line(0, "%s: %s\n", k, v)
	}
}

// events writes the Events table, oldest (by last timestamp) first. AGE is
// "5m" for a single event and "30s (x4 over 5m)" for a repeated one.
func (d *describer) events(events []api.Event) {
	if len(events) == 0 {
		d.line(0, "Events:\t<none>\n")
		return
	}
	d.tw.Flush() // the events table aligns on its own
	sorted := slices.Clone(events)
	slices.SortStableFunc(sorted, func(a, b api.Event) int {
		return timeOf(a.LastTimestamp).Compare(timeOf(b.LastTimestamp))
	})
	d.line(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n")
	d.line(1, "----\t------\t----\t----\t-------\n")
	for _, e := range sorted {
		age := Age(e.FirstTimestamp, d.now)
		if e.Count > 1 {
			age = fmt.Sprintf("%s (x%d over %s)", Age(e.LastTimestamp, d.now), e.Count, age)
		}
		from := cmp.Or(e.Source.Component, e.ReportingComponent)
		d.line(1, "%s\t%s\t%s\t%s\t%s\n", e.Type, e.Reason, age, from, strings.TrimSpace(e.Message))
	}
}

// tolerations writes a pod's tolerations, sorted by key, as
// "key=value:Effect op=Exists for 300s".
func (d *describer) tolerations(title string, ts []api.Toleration) {
	d.line(0, "%s:\t", title)
	if len(ts) == 0 {
		d.line(0, "<none>\n")
		return
	}
	ts = slices.Clone(ts)
	slices.SortStableFunc(ts, func(a, b api.Toleration) int { return strings.Compare(a.Key, b.Key) })
	for i, t := range ts {
		if i > 0 {
			d.line(0, "\t")
		}
		s := t.Key
		if t.Value != "" {
			s += "=" + t.Value
		}
		if t.Effect != "" {
			s += ":" + t.Effect
		}
		if t.Operator == "Exists" && t.Value == "" {
			if t.Key != "" || t.Effect != "" {
				s += " "
			}
			s += "op=Exists"
		}
		if t.TolerationSeconds != nil {
			s += fmt.Sprintf(" for %ds", *t.TolerationSeconds)
		}
		d.line(0, "%s\n", s)
	}
}

// controlledBy is "Kind/name" of obj's controller, or "".
func controlledBy(m *api.ObjectMeta) string {
	if ref := m.ControllerRef(); ref != nil {
		return ref.Kind + "/" + ref.Name
	}
	return ""
}

// timestamp prints a time as kubectl describe does (RFC 1123 with a
// numeric zone), or "<unset>".
func timestamp(t *api.Time) string {
	if t == nil || t.IsZero() {
		return "<unset>"
	}
	return t.Format(time.RFC1123Z)
}

// timeOf is t's time, zero for nil.
func timeOf(t *api.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.Time
}

// resourceList writes "name:\tquantity" lines, names sorted.
func (d *describer) resourceList(level int, rl api.ResourceList) {
	names := make([]string, 0, len(rl))
	for n := range rl {
		names = append(names, string(n))
	}
	slices.Sort(names)
	for _, n := range names {
		d.line(level, "%s:\t%s\n", n, rl[api.ResourceName(n)].String())
	}
}
