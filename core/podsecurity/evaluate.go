package podsecurity

import (
	"strings"

	"github.com/tinykube/tinykube/core/api"
)

// Violation is one check a pod fails: Reason names the rule ("host
// namespaces"), Detail says what in the pod breaks it ("hostPID=true").
type Violation struct {
	Reason string
	Detail string
}

// checkFunc looks at a pod and returns its violation of one rule, or nil.
type checkFunc func(meta *api.ObjectMeta, spec *api.PodSpec) *Violation

// versioned is one revision of a check: it applies from policy version
// v1.Since until the next revision's Since. A restricted revision may
// stand in for baseline checks (Overrides), as restricted's
// "unrestricted capabilities" replaces baseline's "non-default
// capabilities".
type versioned struct {
	Since     int
	Check     checkFunc
	Overrides []string
}

// check is one rule of the standards at its level, with its revisions in
// increasing Since order.
type check struct {
	ID       string
	Level    Level // Baseline or Restricted
	Versions []versioned
}

// maxMinor is the newest policy version any check has a revision for:
// "latest", and any newer numbered version, mean this one.
var maxMinor = func() int {
	m := 0
	for _, c := range checks {
		if s := c.Versions[len(c.Versions)-1].Since; s > m {
			m = s
		}
	}
	return m
}()

// at returns the revision of c that applies at minor version v, or nil
// when c is newer than v.
func (c *check) at(v int) *versioned {
	var out *versioned
	for i := range c.Versions {
		if c.Versions[i].Since <= v {
			out = &c.Versions[i]
		}
	}
	return out
}

// Evaluate checks a pod (or a pod template: its metadata and spec) against
// level at version, and returns every violation in Kubernetes' order:
// baseline checks by id, then restricted ones by id. Privileged allows
// everything; a version newer than the checks, or latest, is the newest
// policy. nil means the pod is allowed.
func Evaluate(level Level, version Version, meta *api.ObjectMeta, spec *api.PodSpec) []Violation {
	if level == Privileged {
		return nil
	}
	v := maxMinor
	if !version.Latest && version.Minor < v {
		v = version.Minor
	}
	overridden := map[string]bool{}
	if level == Restricted {
		for i := range checks {
			if r := checks[i].at(v); r != nil && checks[i].Level == Restricted {
				for _, id := range r.Overrides {
					overridden[id] = true
				}
			}
		}
	}
	if meta == nil {
		meta = &api.ObjectMeta{}
	}
	var out []Violation
	for i := range checks {
		c := &checks[i]
		if c.Level.strictness() > level.strictness() || overridden[c.ID] {
			continue
		}
		if r := c.at(v); r != nil {
			if viol := r.Check(meta, spec); viol != nil {
				out = append(out, *viol)
			}
		}
	}
	return out
}

// Detail prints violations as Kubernetes' messages do: each reason, with
// its detail in parentheses, separated by ", ". This is what follows
// `violates PodSecurity "restricted:latest": `.
func Detail(vs []Violation) string {
	var b strings.Builder
	for i, v := range vs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(v.Reason)
		if v.Detail != "" {
			b.WriteString(" (" + v.Detail + ")")
		}
	}
	return b.String()
}

// Reasons prints the reasons alone, ", "-separated: the summary Kubernetes
// gives per existing pod when a namespace's enforce level is tightened.
func Reasons(vs []Violation) string {
	rs := make([]string, len(vs))
	for i, v := range vs {
		rs[i] = v.Reason
	}
	return strings.Join(rs, ", ")
}
