package controlplane

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// TestKubectlAutoscale runs the machine's real kubectl's `autoscale`,
// which writes an autoscaling/v1 HorizontalPodAutoscaler: the server keeps
// it as v2 (the CPU target becomes a Resource metric), kubectl reads it
// back through either version, and the controller's conditions, which v1
// has no field for, reach a v1 reader in their annotation.
func TestKubectlAutoscale(t *testing.T) {
	if testing.Short() {
		t.Skip("starts etcd")
	}
	bin := requireKubectl(t)
	s := start(t, serverConfig(t, "autoscale", filepath.Join(t.TempDir(), "autoscale")))
	k := kubectlRunner{t: t, bin: bin, kubeconfig: s.Kubeconfig}

	k.must("", "create", "deployment", "web", "--image=busybox")
	if out := k.must("", "autoscale", "deployment", "web", "--cpu-percent=50", "--min=1", "--max=5"); !strings.Contains(out, "autoscaled") {
		t.Errorf("kubectl autoscale said %q, want ...autoscaled", out)
	}
	if got := k.must("", "get", "horizontalpodautoscalers.v1.autoscaling", "web", "-o", "jsonpath={.apiVersion} {.spec.targetCPUUtilizationPercentage} {.spec.maxReplicas}"); got != "autoscaling/v1 50 5" {
		t.Errorf("kubectl get through v1 = %q, want autoscaling/v1 50 5", got)
	}
	if got := k.must("", "get", "horizontalpodautoscalers.v2.autoscaling", "web", "-o", "jsonpath={.spec.metrics[0].resource.name} {.spec.metrics[0].resource.target.averageUtilization}"); got != "cpu 50" {
		t.Errorf("kubectl get through v2 = %q, want the CPU metric at 50", got)
	}
	out := k.must("", "get", "hpa", "web")
	if header, _, _ := strings.Cut(out, "\n"); !strings.Contains(header, "TARGETS") || !strings.Contains(out, "/50%") {
		t.Errorf("kubectl get hpa:\n%s\nwant the TARGETS column showing /50%%", out)
	}

	// The controller writes its conditions through v2; a v1 reader finds
	// them in the conditions annotation.
	c := client.New(s.AdminTransport())
	deadline := time.Now().Add(60 * time.Second)
	for {
		h, err := client.For[*api.HorizontalPodAutoscaler](c).Get(context.Background(), "default", "web")
		if err != nil {
			t.Fatal(err)
		}
		if len(h.Status.Conditions) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 60s the autoscaler has no conditions: %+v", h.Status)
		}
		time.Sleep(500 * time.Millisecond)
	}
	if got := k.must("", "get", "horizontalpodautoscalers.v1.autoscaling", "web", "-o", `jsonpath={.metadata.annotations.autoscaling\.alpha\.kubernetes\.io/conditions}`); !strings.Contains(got, `"type":"AbleToScale"`) {
		t.Errorf("the v1 conditions annotation = %q, want the controller's AbleToScale condition", got)
	}
	k.must("", "delete", "hpa", "web")
}
