package kubeletserver

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/tinykube/tinykube/core/metrics"
	promreg "github.com/tinykube/tinykube/realnode/metrics"
)

var testPods = &metrics.Desc{Name: "kubelet_running_pods", Help: "Pods.", Kind: metrics.Gauge}

func TestServeMetrics(t *testing.T) {
	reg := promreg.NewRegistry()
	reg.Set(testPods, 2)
	s := New(&fakeBackend{})
	s.ServeMetrics(reg.Handler())
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)

	code, body := get(t, hs.URL+"/metrics")
	if code != 200 {
		t.Fatalf("GET /metrics = %d, want 200: %s", code, body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parsing /metrics: %v", err)
	}
	if got := fams["kubelet_running_pods"].GetMetric()[0].GetGauge().GetValue(); got != 2 {
		t.Errorf("kubelet_running_pods = %v, want 2", got)
	}
	if fams["go_goroutines"] == nil {
		t.Errorf("/metrics has no go_goroutines, want the Go collector's metrics")
	}

	// Behind RequireAPIServer, as the agent serves it, nobody else reads it.
	guarded := httptest.NewServer(RequireAPIServer(s))
	t.Cleanup(guarded.Close)
	if code, _ := get(t, guarded.URL+"/metrics"); code != 401 {
		t.Errorf("GET /metrics without the API server's certificate = %d, want 401", code)
	}
}
