package kubeletserver

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tinykube/tinykube/core/api"
)

// summaryBackend is fakeBackend whose node measures: one pod using a
// quarter of a core.
type summaryBackend struct {
	fakeBackend
	sum api.Summary
	err error
}

func (b *summaryBackend) Summary() (api.Summary, error) { return b.sum, b.err }

func u64(v uint64) *uint64 { return &v }

func TestStatsSummaryServesTheBackendsSummary(t *testing.T) {
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	b := &summaryBackend{sum: api.Summary{
		Node: api.NodeStats{NodeName: "n1", StartTime: at, CPU: &api.CPUStats{Time: at, UsageCoreNanoSeconds: u64(9e12)}},
		Pods: []api.PodStats{{PodRef: api.PodReference{Name: "web", Namespace: "default", UID: "u1"}, StartTime: at,
			Containers: []api.ContainerStats{{Name: "app", StartTime: at,
				CPU:    &api.CPUStats{Time: at, UsageNanoCores: u64(25e7), UsageCoreNanoSeconds: u64(3e9)},
				Memory: &api.MemoryStats{Time: at, WorkingSetBytes: u64(10 << 20), UsageBytes: u64(12 << 20)}}}}},
	}}
	hs := httptest.NewServer(New(b))
	defer hs.Close()
	for _, query := range []string{"", "?only_cpu_and_memory=true", "?only_cpu_and_memory=false"} {
		resp, err := http.Get(hs.URL + "/stats/summary" + query)
		if err != nil {
			t.Fatal(err)
		}
		var got api.Summary
		err = json.NewDecoder(resp.Body).Decode(&got)
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" || err != nil {
			t.Fatalf("GET /stats/summary%s = %d %s (%v), want 200 application/json", query, resp.StatusCode, resp.Header.Get("Content-Type"), err)
		}
		if diff := cmp.Diff(b.sum, got); diff != "" {
			t.Errorf("GET /stats/summary%s (-want +got):\n%s", query, diff)
		}
	}

	// Kubernetes' field names, and "pods": [] rather than null.
	b.sum.Pods = nil
	code, body := get(t, hs.URL+"/stats/summary")
	for _, want := range []string{`"nodeName":"n1"`, `"usageCoreNanoSeconds":9000000000`, `"pods":[]`} {
		if code != 200 || !strings.Contains(body, want) {
			t.Errorf("GET /stats/summary = %d %s, want 200 containing %s", code, body, want)
		}
	}
}

func TestStatsSummaryErrors(t *testing.T) {
	failing := &summaryBackend{err: errors.New("reading the tasks' metrics from containerd: connection refused")}
	for _, tc := range []struct {
		name     string
		backend  Backend
		method   string
		wantCode int
		want     string
	}{
		{"a node that does not measure", &fakeBackend{}, "GET", 404, "this kubelet does not measure its node and pods"},
		{"the runtime fails", failing, "GET", 500, "connection refused"},
		{"POST", failing, "POST", 405, "the kubelet does not allow POST on /stats/summary"},
	} {
		hs := httptest.NewServer(New(tc.backend))
		req, _ := http.NewRequest(tc.method, hs.URL+"/stats/summary", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var st api.Status
		json.NewDecoder(resp.Body).Decode(&st)
		resp.Body.Close()
		hs.Close()
		if resp.StatusCode != tc.wantCode || int(st.Code) != tc.wantCode || st.Kind != "Status" || !strings.Contains(st.Message, tc.want) {
			t.Errorf("%s: %s /stats/summary = %d %+v, want a %d Status saying %q", tc.name, tc.method, resp.StatusCode, st, tc.wantCode, tc.want)
		}
	}
}

// The summary is behind the same door as logs and exec: what each pod
// uses is the API server's (and its metrics pipeline's) to read, as
// Kubernetes authorizes nodes/stats.
func TestStatsSummaryNeedsTheAPIServer(t *testing.T) {
	hs := httptest.NewServer(RequireAPIServer(New(&summaryBackend{})))
	defer hs.Close()
	if code, body := get(t, hs.URL+"/stats/summary"); code != http.StatusUnauthorized {
		t.Errorf("GET /stats/summary without a client certificate = %d %s, want 401", code, body)
	}
}
