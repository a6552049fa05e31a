package clusterautoscaler

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// The ConfigMap the autoscaler reports to, as cluster-autoscaler names it.
const (
	StatusNamespace = "kube-system"
	StatusName      = "cluster-autoscaler-status"
	// lastUpdatedAnnotation holds when the status was last written.
	lastUpdatedAnnotation = "cluster-autoscaler.kubernetes.io/last-updated"
)

// status is what the last pass found, for the status ConfigMap.
type status struct {
	pending  int
	plan     ScaleUpPlan
	unneeded map[string]bool
	cooldown bool
	// written is the last text written (without its time), cm the
	// ConfigMap as last read or written.
	written string
	cm      *api.ConfigMap
}

// statusText renders the status in the YAML shape recent
// cluster-autoscaler versions write under data.status: the cluster-wide
// health, scale-up and scale-down, then each node group's. Times are left
// out of the body (the annotation carries the last write) so that a pass
// that changes nothing writes nothing.
func (a *Autoscaler) statusText(v *view) string {
	var b strings.Builder
	ready, total := 0, 0
	readyIn := map[string]int{}
	for _, n := range v.nodes {
		total++
		if isReady(n) {
			ready++
			readyIn[v.groupOf[n.Name]]++
		}
	}
	unregistered := 0
	for _, g := range v.groups {
		unregistered += v.upcoming[g.ID]
	}
	health := "Healthy"
	if ready < total {
		health = "Unhealthy"
	}
	scaleUp := "NoActivity"
	if unregistered > 0 {
		scaleUp = "InProgress"
	}
	scaleDown := "NoCandidates"
	if len(a.status.unneeded) > 0 {
		scaleDown = "CandidatesPresent"
	}
	fmt.Fprintf(&b, "autoscalerStatus: Running\nclusterWide:\n")
	fmt.Fprintf(&b, "  health:\n    status: %s\n    nodeCounts:\n      registered:\n        total: %d\n        ready: %d\n        notStarted: 0\n      unregistered: %d\n",
		health, total, ready, unregistered)
	fmt.Fprintf(&b, "  scaleUp:\n    status: %s\n    unschedulablePods: %d\n", scaleUp, a.status.pending)
	fmt.Fprintf(&b, "  scaleDown:\n    status: %s\n    candidates: %d\n    inCooldown: %v\n", scaleDown, len(a.status.unneeded), a.status.cooldown)
	fmt.Fprintf(&b, "nodeGroups:\n")
	for _, g := range v.groups {
		gu := "NoActivity"
		switch {
		case v.now.Before(a.backoff[g.ID].until):
			gu = "Backoff"
		case v.upcoming[g.ID] > 0:
			gu = "InProgress"
		}
		candidates := 0
		for n := range a.status.unneeded {
			if v.groupOf[n] == g.ID {
				candidates++
			}
		}
		gd := "NoCandidates"
		if candidates > 0 {
			gd = "CandidatesPresent"
		}
		fmt.Fprintf(&b, "- name: %s\n  health:\n    status: Healthy\n    nodeCounts:\n      registered:\n        total: %d\n        ready: %d\n      unregistered: %d\n",
			g.ID, v.registered[g.ID], readyIn[g.ID], v.upcoming[g.ID])
		fmt.Fprintf(&b, "    cloudProviderTarget: %d\n    minSize: %d\n    maxSize: %d\n", g.TargetSize, g.MinSize, g.MaxSize)
		fmt.Fprintf(&b, "  scaleUp:\n    status: %s\n  scaleDown:\n    status: %s\n    candidates: %d\n", gu, gd, candidates)
	}
	return b.String()
}

// writeStatus writes the ConfigMap kube-system/cluster-autoscaler-status
// when its text changed: created if missing, else updated (a conflict or
// failure is retried by the next pass, from a fresh read).
func (a *Autoscaler) writeStatus(v *view) {
	text := a.statusText(v)
	if text == a.status.written {
		return
	}
	ctx := context.Background()
	cms := client.For[*api.ConfigMap](a.cfg.Client)
	body := "time: " + v.now.UTC().Format(time.RFC3339) + "\n" + text
	stamp := v.now.UTC().Format(time.RFC3339)
	if a.status.cm == nil {
		cm, err := cms.Get(ctx, StatusNamespace, StatusName)
		switch {
		case api.IsNotFound(err):
			cm = &api.ConfigMap{ObjectMeta: api.ObjectMeta{Name: StatusName, Namespace: StatusNamespace,
				Annotations: map[string]string{lastUpdatedAnnotation: stamp}}, Data: map[string]string{"status": body}}
			created, err := cms.Create(ctx, cm, client.WriteOptions{})
			if err != nil {
				return
			}
			a.status.cm, a.status.written = created, text
			return
		case err != nil:
			return
		}
		a.status.cm = cm
	}
	cm := api.DeepCopy(a.status.cm)
	if cm.Annotations == nil {
		cm.Annotations = map[string]string{}
	}
	cm.Annotations[lastUpdatedAnnotation] = stamp
	cm.Data = map[string]string{"status": body}
	updated, err := cms.Update(ctx, cm, client.WriteOptions{})
	if err != nil {
		a.status.cm = nil // read afresh next time
		return
	}
	a.status.cm, a.status.written = updated, text
}
