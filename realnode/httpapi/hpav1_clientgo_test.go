package httpapi

import (
	"context"
	"testing"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	restclient "k8s.io/client-go/rest"
)

// TestClientGoAutoscalingV1: client-go's AutoscalingV1 typed client runs
// the controller's steps on autoscalers served at autoscaling/v1 (stored
// as v2), in protobuf (the default) and in JSON, and reads back a CPU
// target and status written through v1.
func TestClientGoAutoscalingV1(t *testing.T) {
	pb, log := serveClientGo(t)
	newHPA := func(name string) *autoscalingv1.HorizontalPodAutoscaler {
		target := int32(50)
		return &autoscalingv1.HorizontalPodAutoscaler{ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec: autoscalingv1.HorizontalPodAutoscalerSpec{
				ScaleTargetRef: autoscalingv1.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: "web"},
				MaxReplicas:    5, TargetCPUUtilizationPercentage: &target}}
	}
	t.Run("protobuf", func(t *testing.T) {
		crudSteps(t, pb.AutoscalingV1().HorizontalPodAutoscalers("default"), newHPA)
	})
	log.mu.Lock()
	if log.sent[ContentProtobuf] == 0 || log.got[ContentProtobuf] == 0 {
		t.Errorf("requests by Content-Type %v, answers %v: want protobuf both ways", log.sent, log.got)
	}
	log.mu.Unlock()

	js, err := kubernetes.NewForConfig(&restclient.Config{Host: pbHost(pb), ContentConfig: restclient.ContentConfig{ContentType: "application/json"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("json", func(t *testing.T) {
		crudSteps(t, js.AutoscalingV1().HorizontalPodAutoscalers("kube-public"), newHPA)
	})

	ctx := context.Background()
	for name, cs := range map[string]*kubernetes.Clientset{"protobuf": pb, "json": js} {
		c := cs.AutoscalingV1().HorizontalPodAutoscalers("default")
		h, err := c.Create(ctx, newHPA("status-"+name), metav1.CreateOptions{})
		if err != nil {
			t.Fatalf("%s: Create: %v", name, err)
		}
		if h.Spec.MinReplicas == nil || *h.Spec.MinReplicas != 1 || h.Spec.TargetCPUUtilizationPercentage == nil || *h.Spec.TargetCPUUtilizationPercentage != 50 {
			t.Errorf("%s: created spec = %+v, want minReplicas 1 (defaulted), target 50", name, h.Spec)
		}
		cpu := int32(73)
		h.Status = autoscalingv1.HorizontalPodAutoscalerStatus{CurrentReplicas: 1, DesiredReplicas: 2, CurrentCPUUtilizationPercentage: &cpu}
		if _, err := c.UpdateStatus(ctx, h, metav1.UpdateOptions{}); err != nil {
			t.Fatalf("%s: UpdateStatus: %v", name, err)
		}
		v2, err := cs.AutoscalingV2().HorizontalPodAutoscalers("default").Get(ctx, h.Name, metav1.GetOptions{})
		if err != nil {
			t.Fatalf("%s: v2 Get: %v", name, err)
		}
		if len(v2.Status.CurrentMetrics) != 1 || v2.Status.CurrentMetrics[0].Resource == nil || *v2.Status.CurrentMetrics[0].Resource.Current.AverageUtilization != 73 || v2.Status.DesiredReplicas != 2 {
			t.Errorf("%s: v2 status after a v1 status write = %+v, want cpu at 73%%, 2 desired", name, v2.Status)
		}
	}
}

// pbHost is the address the clientset talks to.
func pbHost(cs *kubernetes.Clientset) string {
	return cs.AutoscalingV1().RESTClient().Get().URL().Scheme + "://" + cs.AutoscalingV1().RESTClient().Get().URL().Host
}
