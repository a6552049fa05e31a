package deployment

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// rsSummary is "name rev=N spec=N" per ReplicaSet, oldest first.
func (e *env) rsSummary() []string {
	var out []string
	for _, rs := range e.replicaSets() {
		out = append(out, fmt.Sprintf("%s rev=%d spec=%d", rs.Name, Revision(rs), replicasOf(rs)))
	}
	return out
}

func TestCreate(t *testing.T) {
	e := newEnv(t, 2*time.Second)
	e.create(deployment("web", 3, "nginx:1", nil))
	e.RunFor(10 * time.Second)

	d := e.get("web")
	hash := TemplateHash(&d.Spec.Template)
	if diff := cmp.Diff([]string{"web-" + hash + " rev=1 spec=3"}, e.rsSummary()); diff != "" {
		t.Fatalf("replica sets (-want +got):\n%s", diff)
	}
	rs := e.replicaSets()[0]
	if rs.Labels[PodTemplateHashLabel] != hash || rs.Spec.Selector.MatchLabels[PodTemplateHashLabel] != hash || rs.Spec.Template.Labels[PodTemplateHashLabel] != hash {
		t.Errorf("replica set %s: labels %v, selector %v, template labels %v; want %s=%s in each", rs.Name, rs.Labels, rs.Spec.Selector.MatchLabels, rs.Spec.Template.Labels, PodTemplateHashLabel, hash)
	}
	if !rs.IsControlledBy(d.UID) {
		t.Errorf("replica set %s is not controlled by deployment web: %+v", rs.Name, rs.OwnerReferences)
	}
	for _, c := range hash {
		if !strings.ContainsRune(safeAlphabet, c) {
			t.Errorf("hash %q has %q, outside the safe alphabet", hash, c)
		}
	}
	if Revision(d) != 1 {
		t.Errorf("deployment revision annotation = %q, want 1", d.Annotations[RevisionAnnotation])
	}
	want := api.DeploymentStatus{ObservedGeneration: d.Generation, Replicas: 3, UpdatedReplicas: 3, ReadyReplicas: 3, AvailableReplicas: 3}
	got := d.Status
	got.Conditions = nil
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("status (-want +got):\n%s", diff)
	}
	conds := map[string]string{}
	for _, c := range d.Status.Conditions {
		conds[c.Type] = string(c.Status) + "/" + c.Reason
	}
	if diff := cmp.Diff(map[string]string{Available: "True/" + ReasonMinimumReplicasAvailable, Progressing: "True/" + ReasonNewReplicaSetAvailable}, conds); diff != "" {
		t.Errorf("conditions (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"Scaled up replica set web-" + hash + " to 3 from 0"}, e.Events("ScalingReplicaSet")); diff != "" {
		t.Errorf("ScalingReplicaSet events (-want +got):\n%s", diff)
	}
	if e.conflicts != 0 {
		t.Errorf("the controller got %d Conflict answers in a quiet cluster: it writes a Deployment from a stale copy of its own last write", e.conflicts)
	}
}

func TestTemplateHashIsStable(t *testing.T) {
	a := deployment("web", 1, "nginx:1", nil).Spec.Template
	b := deployment("web", 1, "nginx:1", nil).Spec.Template
	c := deployment("web", 1, "nginx:2", nil).Spec.Template
	if TemplateHash(&a) != TemplateHash(&b) {
		t.Errorf("equal templates hash to %s and %s", TemplateHash(&a), TemplateHash(&b))
	}
	if TemplateHash(&a) == TemplateHash(&c) {
		t.Errorf("templates with different images both hash to %s", TemplateHash(&a))
	}
}

func TestBounds(t *testing.T) {
	tests := []struct {
		replicas               int32
		surge, unavail         api.IntOrString
		wantSurge, wantUnavail int32
	}{
		{10, api.FromString("25%"), api.FromString("25%"), 3, 2},
		{4, api.FromString("25%"), api.FromString("25%"), 1, 1},
		{1, api.FromString("25%"), api.FromString("25%"), 1, 0},
		{3, api.FromInt(0), api.FromInt(1), 0, 1},
		{3, api.FromString("0%"), api.FromString("10%"), 0, 1}, // both 0: unavailable 1
		{2, api.FromInt(5), api.FromInt(5), 5, 2},
	}
	for _, tt := range tests {
		d := deployment("web", tt.replicas, "x", func(d *api.Deployment) {
			d.Spec.Strategy = api.DeploymentStrategy{Type: api.StrategyRollingUpdate, RollingUpdate: &api.RollingUpdateDeployment{MaxSurge: intOrStr(tt.surge), MaxUnavailable: intOrStr(tt.unavail)}}
		})
		s, u := bounds(d)
		if s != tt.wantSurge || u != tt.wantUnavail {
			t.Errorf("bounds(replicas %d, maxSurge %v, maxUnavailable %v) = %d, %d; want %d, %d", tt.replicas, tt.surge, tt.unavail, s, u, tt.wantSurge, tt.wantUnavail)
		}
	}
}

// TestRollingUpdate changes the image and checks after every step of the
// loop that the rollout stays within its bounds.
func TestRollingUpdate(t *testing.T) {
	tests := []struct {
		name                       string
		replicas                   int32
		surge, unavail             api.IntOrString
		wantMaxTotal, wantMinAvail int
	}{
		{"surge 1 unavailable 1", 4, api.FromInt(1), api.FromInt(1), 5, 3},
		{"surge 0 unavailable 1", 3, api.FromInt(0), api.FromInt(1), 3, 2},
		{"surge 2 unavailable 0", 3, api.FromInt(2), api.FromInt(0), 5, 3},
		{"percentages 25%", 10, api.FromString("25%"), api.FromString("25%"), 13, 8},
		{"percentages of few", 3, api.FromString("50%"), api.FromString("10%"), 5, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, 3*time.Second)
			e.create(deployment("web", tt.replicas, "nginx:1", func(d *api.Deployment) {
				d.Spec.Strategy.RollingUpdate = &api.RollingUpdateDeployment{MaxSurge: intOrStr(tt.surge), MaxUnavailable: intOrStr(tt.unavail)}
			}))
			e.RunFor(20 * time.Second)
			if d := e.get("web"); d.Status.AvailableReplicas != tt.replicas {
				t.Fatalf("before the update: %d available, want %d", d.Status.AvailableReplicas, tt.replicas)
			}
			worstTotal, worstAvail := 0, 1<<30
			e.AfterStep = func() {
				pods := e.livePods()
				avail := 0
				for _, p := range pods {
					if api.IsPodReady(p) {
						avail++
					}
				}
				worstTotal, worstAvail = max(worstTotal, len(pods)), min(worstAvail, avail)
				if len(pods) > tt.wantMaxTotal {
					t.Fatalf("at %v: %d pods, want at most %d (replicas+maxSurge)", e.v.Now().Sub(t0), len(pods), tt.wantMaxTotal)
				}
				if avail < tt.wantMinAvail {
					t.Fatalf("at %v: %d pods available, want at least %d (replicas-maxUnavailable)", e.v.Now().Sub(t0), avail, tt.wantMinAvail)
				}
			}
			e.update("web", setImage("nginx:2"))
			e.RunFor(3 * time.Minute)
			e.AfterStep = nil

			d := e.get("web")
			hash := TemplateHash(&d.Spec.Template)
			rss := e.replicaSets()
			if len(rss) != 2 {
				t.Fatalf("replica sets %v, want the old and the new", e.rsSummary())
			}
			want := []string{rss[0].Name + " rev=1 spec=0", "web-" + hash + fmt.Sprintf(" rev=2 spec=%d", tt.replicas)}
			if diff := cmp.Diff(want, e.rsSummary()); diff != "" {
				t.Errorf("replica sets after the rollout (-want +got):\n%s", diff)
			}
			if Revision(d) != 2 || d.Status.UpdatedReplicas != tt.replicas || d.Status.AvailableReplicas != tt.replicas || d.Status.Replicas != tt.replicas {
				t.Errorf("deployment after the rollout: revision %d, status %+v; want revision 2 and %d replicas updated and available", Revision(d), d.Status, tt.replicas)
			}
			if c := findCondition(d.Status.Conditions, Progressing); c == nil || c.Reason != ReasonNewReplicaSetAvailable {
				t.Errorf("Progressing condition %+v, want reason %s", c, ReasonNewReplicaSetAvailable)
			}
			for _, p := range e.livePods() {
				if p.Spec.Containers[0].Image != "nginx:2" {
					t.Errorf("pod %s still runs %s", p.Name, p.Spec.Containers[0].Image)
				}
			}
			t.Logf("worst moment: %d pods, %d available", worstTotal, worstAvail)
		})
	}
}

func TestRecreateNeverOverlaps(t *testing.T) {
	e := newEnv(t, 2*time.Second)
	e.create(deployment("web", 3, "nginx:1", func(d *api.Deployment) {
		d.Spec.Strategy = api.DeploymentStrategy{Type: api.StrategyRecreate}
	}))
	e.RunFor(10 * time.Second)
	// Count every existing pod, terminating ones too.
	e.AfterStep = func() {
		images := map[string]int{}
		l := e.allPods()
		for _, p := range l {
			images[p.Spec.Containers[0].Image]++
		}
		if images["nginx:1"] > 0 && images["nginx:2"] > 0 {
			t.Fatalf("at %v: old and new pods side by side: %v", e.v.Now().Sub(t0), images)
		}
	}
	e.update("web", setImage("nginx:2"))
	e.RunFor(time.Minute)
	e.AfterStep = nil
	d := e.get("web")
	if Revision(d) != 2 || d.Status.AvailableReplicas != 3 || d.Status.UpdatedReplicas != 3 {
		t.Errorf("after Recreate: revision %d, status %+v; want revision 2, 3 updated and available", Revision(d), d.Status)
	}
}

func TestRollbackReusesOldReplicaSet(t *testing.T) {
	e := newEnv(t, time.Second)
	e.create(deployment("web", 2, "nginx:1", nil))
	e.RunFor(10 * time.Second)
	first := e.replicaSets()[0]
	e.update("web", setImage("nginx:2"))
	e.RunFor(time.Minute)
	// rollout undo: revision 1's template, without the hash label.
	e.update("web", func(d *api.Deployment) {
		d.Spec.Template = api.DeepCopy(first).Spec.Template
		delete(d.Spec.Template.Labels, PodTemplateHashLabel)
	})
	e.RunFor(time.Minute)
	rss := e.replicaSets()
	if len(rss) != 2 {
		t.Fatalf("replica sets after the rollback: %v, want the two that existed", e.rsSummary())
	}
	want := []string{first.Name + " rev=3 spec=2", rss[1].Name + " rev=2 spec=0"}
	if diff := cmp.Diff(want, e.rsSummary()); diff != "" {
		t.Errorf("replica sets after the rollback (-want +got):\n%s", diff)
	}
	if d := e.get("web"); Revision(d) != 3 {
		t.Errorf("deployment revision %d, want 3", Revision(d))
	}
}

func TestRevisionHistoryLimit(t *testing.T) {
	e := newEnv(t, time.Second)
	one := int32(1)
	e.create(deployment("web", 2, "nginx:1", func(d *api.Deployment) { d.Spec.RevisionHistoryLimit = &one }))
	e.RunFor(10 * time.Second)
	for _, img := range []string{"nginx:2", "nginx:3", "nginx:4"} {
		e.update("web", setImage(img))
		e.RunFor(time.Minute)
	}
	var revs []int64
	for _, rs := range e.replicaSets() {
		revs = append(revs, Revision(rs))
	}
	if diff := cmp.Diff([]int64{3, 4}, revs); diff != "" {
		t.Errorf("revisions kept with revisionHistoryLimit 1 (-want +got):\n%s\n%v", diff, e.rsSummary())
	}
}

func TestProgressDeadline(t *testing.T) {
	e := newEnv(t, -1) // pods never become ready
	deadline := int32(30)
	e.create(deployment("web", 2, "nginx:1", func(d *api.Deployment) { d.Spec.ProgressDeadlineSeconds = &deadline }))
	e.RunFor(10 * time.Second)
	if c := findCondition(e.get("web").Status.Conditions, Progressing); c == nil || c.Status != api.ConditionTrue {
		t.Fatalf("at 10s: Progressing %+v, want True", c)
	}
	e.RunFor(time.Minute)
	c := findCondition(e.get("web").Status.Conditions, Progressing)
	if c == nil || c.Status != api.ConditionFalse || c.Reason != ReasonProgressDeadlineExceeded {
		t.Fatalf("after the deadline: Progressing %+v, want False/%s", c, ReasonProgressDeadlineExceeded)
	}
	if a := findCondition(e.get("web").Status.Conditions, Available); a == nil || a.Status != api.ConditionFalse {
		t.Errorf("Available %+v, want False", a)
	}
}

func TestPausedMakesNoProgress(t *testing.T) {
	e := newEnv(t, time.Second)
	e.create(deployment("web", 2, "nginx:1", nil))
	e.RunFor(10 * time.Second)
	e.update("web", func(d *api.Deployment) { d.Spec.Paused = true; setImage("nginx:2")(d) })
	e.RunFor(time.Minute)
	if got := len(e.replicaSets()); got != 1 {
		t.Errorf("paused deployment: %d replica sets (%v), want 1", got, e.rsSummary())
	}
	if c := findCondition(e.get("web").Status.Conditions, Progressing); c == nil || c.Reason != ReasonDeploymentPaused {
		t.Errorf("Progressing %+v, want reason %s", c, ReasonDeploymentPaused)
	}
	e.update("web", func(d *api.Deployment) { d.Spec.Paused = false })
	e.RunFor(time.Minute)
	if d := e.get("web"); Revision(d) != 2 || d.Status.UpdatedReplicas != 2 {
		t.Errorf("resumed: revision %d, status %+v; want revision 2 with 2 updated", Revision(d), d.Status)
	}
}

func TestAdoptAndRelease(t *testing.T) {
	e := newEnv(t, time.Second)
	zero := int32(0)
	orphan := &api.ReplicaSet{
		ObjectMeta: api.ObjectMeta{Name: "web-by-hand", Namespace: "default", Labels: map[string]string{"app": "web"}},
		Spec: api.ReplicaSetSpec{
			Replicas: &zero,
			Selector: &api.LabelSelector{MatchLabels: map[string]string{"app": "web", "by": "hand"}},
			Template: api.PodTemplateSpec{
				ObjectMeta: api.ObjectMeta{Labels: map[string]string{"app": "web", "by": "hand"}},
				Spec:       api.PodSpec{Containers: []api.Container{{Name: "c", Image: "nginx:0"}}},
			},
		},
	}
	if _, err := client.For[*api.ReplicaSet](e.api).Create(context.Background(), orphan, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.create(deployment("web", 2, "nginx:1", nil))
	e.RunFor(10 * time.Second)
	d := e.get("web")
	byHand := func() *api.ReplicaSet {
		rs, err := client.For[*api.ReplicaSet](e.api).Get(context.Background(), "default", "web-by-hand")
		if err != nil {
			t.Fatal(err)
		}
		return rs
	}
	if !byHand().IsControlledBy(d.UID) {
		t.Fatalf("orphan replica set with matching labels not adopted: %+v", byHand().OwnerReferences)
	}
	if Revision(d) != 1 || d.Status.AvailableReplicas != 2 {
		t.Errorf("deployment: revision %d, status %+v; want revision 1 (the orphan has none) and 2 available", Revision(d), d.Status)
	}
	rs := byHand()
	rs.Labels = map[string]string{"app": "other"}
	if _, err := client.For[*api.ReplicaSet](e.api).Update(context.Background(), rs, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.RunFor(10 * time.Second)
	if ref := byHand().ControllerRef(); ref != nil {
		t.Errorf("replica set whose labels stopped matching was not released: controller %+v", ref)
	}
}

// The Deployment's change cause follows each revision onto its ReplicaSet,
// where `rollout history` reads it.
func TestChangeCauseFollowsTheRevision(t *testing.T) {
	e := newEnv(t, time.Second)
	e.create(deployment("web", 2, "nginx:1", func(d *api.Deployment) {
		d.Annotations = map[string]string{ChangeCauseAnnotation: "first version"}
	}))
	e.RunFor(10 * time.Second)
	e.update("web", func(d *api.Deployment) {
		d.Spec.Template.Spec.Containers[0].Image = "nginx:2"
		d.Annotations[ChangeCauseAnnotation] = "tinykube set image deploy/web c=nginx:2"
	})
	e.RunFor(time.Minute)
	causes := map[int64]string{}
	for _, rs := range e.replicaSets() {
		causes[Revision(rs)] = rs.Annotations[ChangeCauseAnnotation]
	}
	want := map[int64]string{1: "first version", 2: "tinykube set image deploy/web c=nginx:2"}
	if diff := cmp.Diff(want, causes); diff != "" {
		t.Errorf("change causes by revision (-want +got):\n%s", diff)
	}
}

// Scaling in the middle of a rollout shares the new replicas out in
// proportion, as Kubernetes does, instead of giving them all to one
// revision; a paused Deployment still scales.
func TestProportionalScalingAndPausedScale(t *testing.T) {
	e := newEnv(t, time.Hour) // pods never become ready: the rollout stalls half way
	e.create(deployment("web", 10, "nginx:1", func(d *api.Deployment) {
		two := api.FromInt(2)
		d.Spec.Strategy.RollingUpdate = &api.RollingUpdateDeployment{MaxSurge: &two, MaxUnavailable: &two}
	}))
	e.RunFor(2 * time.Hour) // revision 1 all ready
	e.update("web", setImage("nginx:2"))
	e.RunFor(10 * time.Second) // stalled: new pods are not ready for an hour
	before := map[string]int32{}
	for _, rs := range e.replicaSets() {
		before[rs.Labels[PodTemplateHashLabel]] = replicasOf(rs)
	}
	e.update("web", func(d *api.Deployment) { n := int32(20); d.Spec.Replicas = &n; d.Spec.Paused = true })
	e.RunFor(10 * time.Second)
	var total int32
	for _, rs := range e.replicaSets() {
		h := rs.Labels[PodTemplateHashLabel]
		total += replicasOf(rs)
		if before[h] > 0 && replicasOf(rs) < before[h]*3/2 {
			t.Errorf("replica set %s went from %d to %d: want its share of the growth", rs.Name, before[h], replicasOf(rs))
		}
	}
	if total != 22 { // 20 + maxSurge 2
		t.Errorf("replica sets add up to %d after scaling to 20 while paused, want 22 (replicas + maxSurge): %v", total, e.rsSummary())
	}
}
