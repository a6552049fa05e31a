package apiserver

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/rest"
)

// The autoscaler is served at autoscaling/v2 (stored) and autoscaling/v1
// (converted on the way in and out): these tests write through one and
// read through the other.

func hpasV1(f *fixture) client.Resource[*api.HorizontalPodAutoscalerV1] {
	return client.For[*api.HorizontalPodAutoscalerV1](f.client)
}
func hpasV2(f *fixture) client.Resource[*api.HorizontalPodAutoscaler] {
	return client.For[*api.HorizontalPodAutoscaler](f.client)
}

const hpaV1Body = `{"apiVersion":"autoscaling/v1","kind":"HorizontalPodAutoscaler",
	"metadata":{"name":"web","namespace":"default"},
	"spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"web"},"maxReplicas":5,"targetCPUUtilizationPercentage":50}}`

const hpaV1Path = "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers"

// createV1 creates the autoscaler of hpaV1Body through autoscaling/v1.
func createV1(t *testing.T, f *fixture) *api.HorizontalPodAutoscalerV1 {
	t.Helper()
	resp := f.do(http.MethodPost, hpaV1Path, rest.ContentJSON, hpaV1Body)
	if resp.Code != http.StatusCreated {
		t.Fatalf("POST autoscaling/v1 = %d %s, want 201", resp.Code, resp.Body)
	}
	var h api.HorizontalPodAutoscalerV1
	if err := json.Unmarshal(resp.Body, &h); err != nil {
		t.Fatal(err)
	}
	return &h
}

func i32p(n int32) *int32 { return &n }

func TestHPAV1CreateReadsAsV2AndBack(t *testing.T) {
	f := newFixture(t)
	created := createV1(t, f)
	if created.APIVersion != "autoscaling/v1" || created.Spec.TargetCPUUtilizationPercentage == nil || *created.Spec.TargetCPUUtilizationPercentage != 50 ||
		created.Spec.MinReplicas == nil || *created.Spec.MinReplicas != 1 || created.ResourceVersion == "" {
		t.Errorf("POST answer = %+v, want autoscaling/v1 with target 50, minReplicas 1 and a resourceVersion", created)
	}
	v2, err := hpasV2(f).Get(f.ctx, "default", "web")
	if err != nil {
		t.Fatal(err)
	}
	wantMetrics := []api.MetricSpec{{Type: api.MetricSourceResource, Resource: &api.ResourceMetricSource{Name: api.ResourceCPU,
		Target: api.MetricTarget{Type: api.MetricTargetUtilization, AverageUtilization: i32p(50)}}}}
	if diff := cmp.Diff(wantMetrics, v2.Spec.Metrics, cmp.Comparer(func(a, b api.Quantity) bool { return a.Cmp(b) == 0 })); diff != "" {
		t.Errorf("v2 read of a v1 create: metrics (-want +got):\n%s", diff)
	}
	if v2.UID != created.UID || v2.ResourceVersion != created.ResourceVersion {
		t.Errorf("v2 read uid, rv = %s %s, want the v1 create's %s %s", v2.UID, v2.ResourceVersion, created.UID, created.ResourceVersion)
	}
	// What v1 cannot hold, written through v2, survives a v1 update.
	v2.Spec.Metrics = append(v2.Spec.Metrics, api.MetricSpec{Type: api.MetricSourceResource, Resource: &api.ResourceMetricSource{Name: api.ResourceMemory,
		Target: api.MetricTarget{Type: api.MetricTargetUtilization, AverageUtilization: i32p(70)}}})
	v2.Spec.Behavior = &api.HorizontalPodAutoscalerBehavior{ScaleDown: &api.HPAScalingRules{StabilizationWindowSeconds: i32p(30)}}
	if _, err := hpasV2(f).Update(f.ctx, v2, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	v1, err := hpasV1(f).Get(f.ctx, "default", "web")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(v1.Annotations[api.HPAMetricsAnnotation], `"memory"`) || v1.Annotations[api.HPABehaviorAnnotation] == "" {
		t.Errorf("v1 read annotations = %v, want the memory metric and the behavior", v1.Annotations)
	}
	v1.Spec.MaxReplicas = 7
	v1.Spec.TargetCPUUtilizationPercentage = i32p(60)
	if _, err := hpasV1(f).Update(f.ctx, v1, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	v2, err = hpasV2(f).Get(f.ctx, "default", "web")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range v2.Spec.Metrics {
		got = append(got, string(m.Resource.Name)+"="+jsonString(m.Resource.Target.AverageUtilization))
	}
	if diff := cmp.Diff([]string{"memory=70", "cpu=60"}, got); diff != "" {
		t.Errorf("v2 metrics after a v1 update (-want +got):\n%s", diff)
	}
	if v2.Spec.MaxReplicas != 7 || v2.Spec.Behavior == nil || v2.Generation != 3 {
		t.Errorf("v2 after a v1 update: maxReplicas %d, behavior %v, generation %d; want 7, kept, 3", v2.Spec.MaxReplicas, v2.Spec.Behavior, v2.Generation)
	}
	if _, ok := v2.Annotations[api.HPAMetricsAnnotation]; ok {
		t.Errorf("stored form has the round-trip annotation %s", api.HPAMetricsAnnotation)
	}
}

func jsonString(v any) string { b, _ := json.Marshal(v); return string(b) }

func TestHPAV1ListWatchAndTable(t *testing.T) {
	f := newFixture(t)
	w, err := hpasV1(f).Watch(f.ctx, "default", client.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	createV1(t, f)
	h2 := &api.HorizontalPodAutoscaler{ObjectMeta: api.ObjectMeta{Name: "api", Namespace: "default"},
		Spec: api.HorizontalPodAutoscalerSpec{ScaleTargetRef: api.CrossVersionObjectReference{Kind: "Deployment", Name: "api"}, MaxReplicas: 3}}
	if _, err := hpasV2(f).Create(f.ctx, h2, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	var events []string
	for {
		ev, ok := w.Next()
		if !ok {
			break
		}
		if ev.Err != nil {
			t.Fatalf("watch through v1: %v", ev.Err)
		}
		h := ev.Object
		events = append(events, string(ev.Type)+" "+h.Name+" "+h.APIVersion+" "+jsonString(h.Spec.TargetCPUUtilizationPercentage))
	}
	want := []string{"ADDED web autoscaling/v1 50", "ADDED api autoscaling/v1 80"}
	if diff := cmp.Diff(want, events); diff != "" {
		t.Errorf("watch through v1 (-want +got):\n%s", diff)
	}
	resp := f.do(http.MethodGet, hpaV1Path, "", "")
	var list struct {
		APIVersion, Kind string
		Items            []api.HorizontalPodAutoscalerV1
	}
	if err := json.Unmarshal(resp.Body, &list); err != nil || resp.Code != 200 {
		t.Fatalf("list through v1 = %d %s", resp.Code, resp.Body)
	}
	if list.APIVersion != "autoscaling/v1" || list.Kind != "HorizontalPodAutoscalerList" || len(list.Items) != 2 || list.Items[0].APIVersion != "autoscaling/v1" {
		t.Errorf("list through v1 = %s, want an autoscaling/v1 HorizontalPodAutoscalerList of 2", resp.Body)
	}
	resp = f.server.Handle(f.ctx, &rest.Request{Method: http.MethodGet, Path: hpaV1Path + "/web", Accept: "application/json;as=Table;v=v1;g=meta.k8s.io"})
	var table api.Table
	if err := json.Unmarshal(resp.Body, &table); err != nil || resp.Code != 200 {
		t.Fatalf("table through v1 = %d %s", resp.Code, resp.Body)
	}
	var cols []string
	for _, c := range table.ColumnDefinitions {
		cols = append(cols, c.Name)
	}
	if len(table.Rows) != 1 || !strings.Contains(strings.Join(cols, " "), "TARGETS") || !strings.Contains(strings.Join(table.Rows[0].Cells, " "), "50%") {
		t.Errorf("table through v1: columns %v, rows %v; want TARGETS with cpu .../50%%", cols, table.Rows)
	}
}

func TestHPAV1Patches(t *testing.T) {
	tests := []struct {
		name, contentType, patch string
	}{
		{"merge", rest.ContentMergePatch, `{"spec":{"targetCPUUtilizationPercentage":65}}`},
		{"strategic", rest.ContentStrategicPatch, `{"spec":{"targetCPUUtilizationPercentage":65}}`},
		{"json", rest.ContentJSONPatch, `[{"op":"replace","path":"/spec/targetCPUUtilizationPercentage","value":65}]`},
		{"apply", rest.ContentApplyPatch, `{"apiVersion":"autoscaling/v1","kind":"HorizontalPodAutoscaler","metadata":{"name":"web","namespace":"default"},
			"spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"web"},"maxReplicas":5,"targetCPUUtilizationPercentage":65}}`},
	}
	for _, tt := range tests {
		f := newFixture(t)
		createV1(t, f)
		// force: the creator (manager "unknown") owns the target, and an
		// apply of another value conflicts with it otherwise.
		query := []string{"fieldManager", "tester"}
		if tt.contentType == rest.ContentApplyPatch {
			query = append(query, "force", "true")
		}
		resp := f.do(http.MethodPatch, hpaV1Path+"/web", tt.contentType, tt.patch, query...)
		if resp.Code != http.StatusOK {
			t.Errorf("%s patch through v1 = %d %s, want 200", tt.name, resp.Code, resp.Body)
			continue
		}
		var h api.HorizontalPodAutoscalerV1
		if err := json.Unmarshal(resp.Body, &h); err != nil || h.APIVersion != "autoscaling/v1" {
			t.Errorf("%s patch answer = %s, want an autoscaling/v1 object", tt.name, resp.Body)
		}
		v2, err := hpasV2(f).Get(f.ctx, "default", "web")
		if err != nil {
			t.Fatal(err)
		}
		if got := jsonString(v2.Spec.Metrics); got != `[{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":65}}}]` {
			t.Errorf("%s patch through v1: stored metrics = %s, want cpu at 65", tt.name, got)
		}
		var managers []string
		for _, m := range v2.ManagedFields {
			managers = append(managers, m.Manager+" "+m.APIVersion)
		}
		if !strings.Contains(strings.Join(managers, ","), "tester autoscaling/v1") {
			t.Errorf("%s patch through v1: managers %v, want tester at autoscaling/v1", tt.name, managers)
		}
	}
}

func TestHPAV1Status(t *testing.T) {
	f := newFixture(t)
	createV1(t, f)
	// The controller writes status through v2: conditions and a second metric.
	v2, _ := hpasV2(f).Get(f.ctx, "default", "web")
	v2.Status = api.HorizontalPodAutoscalerStatus{CurrentReplicas: 2, DesiredReplicas: 3,
		CurrentMetrics: []api.MetricStatus{{Type: api.MetricSourceResource, Resource: &api.ResourceMetricStatus{Name: api.ResourceCPU,
			Current: api.MetricValueStatus{AverageUtilization: i32p(90)}}}},
		Conditions: []api.HorizontalPodAutoscalerCondition{{Type: api.HPAAbleToScale, Status: "True", Reason: "ReadyForNewScale"}}}
	if _, err := hpasV2(f).UpdateStatus(f.ctx, v2, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	v1, _ := hpasV1(f).Get(f.ctx, "default", "web")
	if c := v1.Status.CurrentCPUUtilizationPercentage; c == nil || *c != 90 || v1.Status.DesiredReplicas != 3 {
		t.Errorf("v1 status = %+v, want current cpu 90, desired 3", v1.Status)
	}
	// A v1 spec update without the status annotations keeps the status.
	delete(v1.Annotations, api.HPAConditionsAnnotation)
	delete(v1.Annotations, api.HPACurrentMetricsAnnotation)
	v1.Spec.MaxReplicas = 6
	if _, err := hpasV1(f).Update(f.ctx, v1, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	v2, _ = hpasV2(f).Get(f.ctx, "default", "web")
	if len(v2.Status.Conditions) != 1 || len(v2.Status.CurrentMetrics) != 1 {
		t.Errorf("v2 status after a v1 spec update = %s, want its condition and metric kept", jsonString(v2.Status))
	}
	// A status write through v1 changes status alone.
	v1, _ = hpasV1(f).Get(f.ctx, "default", "web")
	v1.Status.DesiredReplicas = 4
	v1.Spec.MaxReplicas = 9
	if _, err := hpasV1(f).UpdateStatus(f.ctx, v1, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	v2, _ = hpasV2(f).Get(f.ctx, "default", "web")
	if v2.Status.DesiredReplicas != 4 || v2.Spec.MaxReplicas != 6 || len(v2.Status.Conditions) != 1 {
		t.Errorf("after a v1 status write: desired %d, max %d, conditions %d; want 4, 6, 1", v2.Status.DesiredReplicas, v2.Spec.MaxReplicas, len(v2.Status.Conditions))
	}
	resp := f.do(http.MethodPatch, hpaV1Path+"/web/status", rest.ContentMergePatch, `{"status":{"desiredReplicas":5}}`)
	if resp.Code != http.StatusOK {
		t.Fatalf("status patch through v1 = %d %s", resp.Code, resp.Body)
	}
	v2, _ = hpasV2(f).Get(f.ctx, "default", "web")
	if v2.Status.DesiredReplicas != 5 {
		t.Errorf("after a v1 status patch desired = %d, want 5", v2.Status.DesiredReplicas)
	}
}

func TestHPAV1ValidationNamesV1Fields(t *testing.T) {
	f := newFixture(t)
	body := strings.Replace(hpaV1Body, `"targetCPUUtilizationPercentage":50`, `"targetCPUUtilizationPercentage":0`, 1)
	resp := f.do(http.MethodPost, hpaV1Path, rest.ContentJSON, body)
	st := status(t, resp)
	if resp.Code != http.StatusUnprocessableEntity || st.Details == nil || len(st.Details.Causes) != 1 || st.Details.Causes[0].Field != "spec.targetCPUUtilizationPercentage" {
		t.Errorf("POST v1 with target 0 = %d %s, want 422 naming spec.targetCPUUtilizationPercentage", resp.Code, resp.Body)
	}
	if !strings.Contains(st.Message, `HorizontalPodAutoscaler.autoscaling "web" is invalid`) {
		t.Errorf("message = %q, want Kubernetes' wording", st.Message)
	}
}

func TestHPAV1DeleteAndDiscovery(t *testing.T) {
	f := newFixture(t)
	createV1(t, f)
	resp := f.do(http.MethodGet, "/apis/autoscaling", "", "")
	var g struct {
		Versions         []struct{ Version string }
		PreferredVersion struct{ Version string }
	}
	if err := json.Unmarshal(resp.Body, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Versions) != 2 || g.Versions[0].Version != "v2" || g.Versions[1].Version != "v1" || g.PreferredVersion.Version != "v2" {
		t.Errorf("GET /apis/autoscaling = %s, want versions v2 then v1, v2 preferred", resp.Body)
	}
	// v1 lists the autoscaler and its status as v2 does, names and all.
	type resource struct {
		Name, SingularName, Kind string
		Namespaced               bool
		Verbs, ShortNames        []string
		Categories               []string
	}
	listed := func(gv string) []resource {
		var l struct{ Resources []resource }
		if err := json.Unmarshal(f.do(http.MethodGet, "/apis/"+gv, "", "").Body, &l); err != nil {
			t.Fatal(err)
		}
		return l.Resources
	}
	v1 := listed("autoscaling/v1")
	if diff := cmp.Diff(listed("autoscaling/v2"), v1); diff != "" || len(v1) != 2 || v1[0].Name != "horizontalpodautoscalers" || v1[1].Name != "horizontalpodautoscalers/status" {
		t.Errorf("GET /apis/autoscaling/v1 resources = %+v, want v2's (-v2 +v1):\n%s", v1, diff)
	}
	resp = f.do(http.MethodDelete, hpaV1Path+"/web", "", "")
	if resp.Code != http.StatusOK || !strings.Contains(string(resp.Body), `"autoscaling/v1"`) {
		t.Fatalf("DELETE through v1 = %d %s, want 200 with the v1 object", resp.Code, resp.Body)
	}
	if l, err := hpasV2(f).List(f.ctx, "default", client.ListOptions{}); err != nil || len(l.Items) != 0 {
		t.Errorf("after a delete through v1: %d left, %v", len(l.Items), err)
	}
}
