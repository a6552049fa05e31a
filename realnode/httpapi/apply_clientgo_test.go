package httpapi

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	appsv1ac "k8s.io/client-go/applyconfigurations/apps/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	metav1ac "k8s.io/client-go/applyconfigurations/meta/v1"
)

// Server-side apply through client-go's typed Apply (the default,
// protobuf-answering clientset) and its Extract, which reads a manager's
// fields back out of managedFields with Kubernetes' own schema: so
// tinykube's managedFields must be what Kubernetes writes.
func TestClientGoServerSideApply(t *testing.T) {
	cs, _ := serveClientGo(t)
	ctx := context.Background()
	deploys := cs.AppsV1().Deployments("default")
	web := func(image string, replicas int32) *appsv1ac.DeploymentApplyConfiguration {
		return appsv1ac.Deployment("web", "default").
			WithLabels(map[string]string{"app": "web"}).
			WithSpec(appsv1ac.DeploymentSpec().
				WithReplicas(replicas).
				WithSelector(metav1ac.LabelSelector().WithMatchLabels(map[string]string{"app": "web"})).
				WithTemplate(corev1ac.PodTemplateSpec().
					WithLabels(map[string]string{"app": "web"}).
					WithSpec(corev1ac.PodSpec().WithContainers(corev1ac.Container().
						WithName("web").WithImage(image).
						WithPorts(corev1ac.ContainerPort().WithContainerPort(80))))))
	}
	d, err := deploys.Apply(ctx, web("web:1", 2), metav1.ApplyOptions{FieldManager: "team"})
	if err != nil {
		t.Fatalf("Apply (create): %v", err)
	}
	if len(d.ManagedFields) != 1 || d.ManagedFields[0].Manager != "team" || d.ManagedFields[0].Operation != metav1.ManagedFieldsOperationApply {
		t.Errorf("managedFields after the first apply = %+v", d.ManagedFields)
	}

	// Extract reads team's configuration back from managedFields.
	extracted, err := appsv1ac.ExtractDeployment(d, "team")
	if err != nil {
		t.Fatalf("ExtractDeployment: %v", err)
	}
	if diff := cmp.Diff(web("web:1", 2), extracted); diff != "" {
		t.Errorf("extracted configuration (-applied +extracted):\n%s", diff)
	}

	// kubectl scale's way: the scale subresource, as another manager.
	if _, err := deploys.Patch(ctx, "web", types.MergePatchType, []byte(`{"spec":{"replicas":5}}`), metav1.PatchOptions{FieldManager: "hpa"}, "scale"); err != nil {
		t.Fatalf("scale: %v", err)
	}
	_, err = deploys.Apply(ctx, web("web:2", 3), metav1.ApplyOptions{FieldManager: "team"})
	if !apierrors.IsConflict(err) || !strings.Contains(err.Error(), `conflict with "hpa" with subresource "scale"`) || !strings.Contains(err.Error(), ".spec.replicas") {
		t.Fatalf("apply over the scaler's replicas: err = %v, want a conflict naming hpa and .spec.replicas", err)
	}
	d, err = deploys.Apply(ctx, web("web:2", 3), metav1.ApplyOptions{FieldManager: "team", Force: true})
	if err != nil {
		t.Fatalf("forced Apply: %v", err)
	}
	if *d.Spec.Replicas != 3 || d.Spec.Template.Spec.Containers[0].Image != "web:2" {
		t.Errorf("after the forced apply: replicas %d image %s", *d.Spec.Replicas, d.Spec.Template.Spec.Containers[0].Image)
	}
	for _, e := range d.ManagedFields {
		if e.Manager == "hpa" {
			t.Errorf("the scaler still owns fields after a forced apply took its only one: %s", e.FieldsV1.Raw)
		}
	}

	// A status apply, as a controller would.
	status := appsv1ac.Deployment("web", "default").WithStatus(appsv1ac.DeploymentStatus().WithObservedGeneration(7))
	if d, err = deploys.ApplyStatus(ctx, status, metav1.ApplyOptions{FieldManager: "ctrl"}); err != nil {
		t.Fatalf("ApplyStatus: %v", err)
	}
	if d.Status.ObservedGeneration != 7 {
		t.Errorf("status after ApplyStatus = %+v", d.Status)
	}
	found := false
	for _, e := range d.ManagedFields {
		found = found || (e.Manager == "ctrl" && e.Subresource == "status" && strings.Contains(string(e.FieldsV1.Raw), "f:observedGeneration"))
	}
	if !found {
		t.Errorf("no status Apply entry for ctrl in %+v", d.ManagedFields)
	}
}
