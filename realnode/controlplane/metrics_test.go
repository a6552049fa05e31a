package controlplane

import (
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// httpsAs is an HTTP client of s as the user name in groups.
func httpsAs(t *testing.T, s *Server, name string, groups ...string) *http.Client {
	t.Helper()
	cc, err := s.ClientConfig(name, groups...)
	if err != nil {
		t.Fatal(err)
	}
	tc, err := cc.TLS()
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: tc}, Timeout: 10 * time.Second}
}

// scrapeMetrics GETs /metrics as c and parses it with the Prometheus
// client library's text parser.
func scrapeMetrics(t *testing.T, c *http.Client, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := c.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET /metrics = %d, want 200: %s", resp.StatusCode, body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("parsing /metrics: %v", err)
	}
	return fams
}

// counterValue sums fam's series whose labels include want.
func counterValue(fam *dto.MetricFamily, want map[string]string) float64 {
	total := 0.0
	for _, m := range fam.GetMetric() {
		have := map[string]string{}
		for _, l := range m.Label {
			have[l.GetName()] = l.GetValue()
		}
		match := true
		for k, v := range want {
			match = match && have[k] == v
		}
		if match {
			total += m.GetCounter().GetValue()
		}
	}
	return total
}

// The server serves its metrics (API server, etcd, scheduler and
// controllers, Go runtime) at /metrics to system:masters and the
// system:monitoring group only, in text the Prometheus parser reads, and
// apiserver_request_total moves with the requests made.
func TestServerMetrics(t *testing.T) {
	if testing.Short() {
		t.Skip("starts etcd")
	}
	cfg := serverConfig(t, "metrics", filepath.Join(t.TempDir(), "metrics"))
	s := start(t, cfg)
	admin := httpsAs(t, s, "kubernetes-admin", "system:masters")
	posts := map[string]string{"verb": "POST", "resource": "configmaps", "code": "201", "component": "apiserver", "scope": "resource"}

	before := counterValue(scrapeMetrics(t, admin, s.URL)["apiserver_request_total"], posts)
	for i := range 3 {
		body := fmt.Sprintf(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"m%d"}}`, i)
		resp, err := admin.Post(s.URL+"/api/v1/namespaces/default/configmaps", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 201 {
			t.Fatalf("creating configmap m%d = %d, want 201", i, resp.StatusCode)
		}
	}
	// The monitoring group may read /metrics too.
	fams := scrapeMetrics(t, httpsAs(t, s, "prometheus", "system:monitoring"), s.URL)
	if got := counterValue(fams["apiserver_request_total"], posts); got != before+3 {
		t.Errorf("apiserver_request_total%v = %v after 3 creates, want %v", posts, got, before+3)
	}
	// The controllers' queues report once the controller manager has
	// won its election and started, which may take a moment.
	for deadline := time.Now().Add(20 * time.Second); fams["workqueue_adds_total"] == nil && time.Now().Before(deadline); {
		time.Sleep(200 * time.Millisecond)
		fams = scrapeMetrics(t, admin, s.URL)
	}
	// The scheduler counts its attempts: a pod on a cluster with no nodes
	// is tried and found unschedulable (the pod waits for the namespace's
	// default ServiceAccount, which the elected controllers make).
	unschedulable := map[string]string{"result": "unschedulable", "profile": "default-scheduler"}
	for deadline := time.Now().Add(20 * time.Second); counterValue(fams["scheduler_schedule_attempts_total"], unschedulable) == 0; {
		if time.Now().After(deadline) {
			t.Fatalf("scheduler_schedule_attempts_total%v is still 0 20s after creating a pod on a cluster without nodes", unschedulable)
		}
		resp, err := admin.Post(s.URL+"/api/v1/namespaces/default/pods", "application/json",
			strings.NewReader(`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"nowhere"},"spec":{"containers":[{"name":"c","image":"busybox"}]}}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		time.Sleep(200 * time.Millisecond)
		fams = scrapeMetrics(t, admin, s.URL)
	}
	for _, name := range []string{"apiserver_request_duration_seconds", "apiserver_longrunning_requests", "etcd_request_duration_seconds",
		"workqueue_adds_total", "workqueue_depth", "scheduler_scheduling_attempt_duration_seconds", "scheduler_pending_pods",
		"go_goroutines", "process_cpu_seconds_total"} {
		if fams[name] == nil {
			t.Errorf("/metrics has no %s", name)
		}
	}

	// Others may not: a user without the role, and nobody.
	for _, tc := range []struct {
		who    string
		client *http.Client
		want   int
	}{
		{"jane (no role)", httpsAs(t, s, "jane"), http.StatusForbidden},
		{"an anonymous client", &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.CA().Pool()}}}, http.StatusUnauthorized},
	} {
		resp, err := tc.client.Get(s.URL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("GET /metrics as %s = %d, want %d", tc.who, resp.StatusCode, tc.want)
		}
	}
}
