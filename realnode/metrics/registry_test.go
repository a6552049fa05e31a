package metrics

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	core "github.com/tinykube/tinykube/core/metrics"
)

var (
	testCounter = &core.Desc{Name: "test_requests_total", Help: "Requests.", Kind: core.Counter, Labels: []string{"verb", "code"}}
	testGauge   = &core.Desc{Name: "test_depth", Help: "Depth.", Kind: core.Gauge, Labels: []string{"name"}}
	testHist    = &core.Desc{Name: "test_duration_seconds", Help: "Durations.", Kind: core.Histogram, Labels: []string{"verb"}, Buckets: []float64{0.1, 1}}
	testPlain   = &core.Desc{Name: "test_running", Help: "No labels.", Kind: core.Gauge}
)

// scrape serves r's Handler and parses the text it answers with the
// client library's parser.
func scrape(t *testing.T, r *Registry) map[string]*dto.MetricFamily {
	t.Helper()
	rec := httptest.NewRecorder()
	r.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("GET /metrics = %d, want 200: %s", rec.Code, rec.Body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(rec.Body.String()))
	if err != nil {
		t.Fatalf("parsing /metrics: %v\n%s", err, rec.Body)
	}
	return fams
}

// series returns the metric of fam whose labels are labels, or nil.
func series(fam *dto.MetricFamily, labels map[string]string) *dto.Metric {
	if fam == nil {
		return nil
	}
	for _, m := range fam.Metric {
		got := map[string]string{}
		for _, l := range m.Label {
			got[l.GetName()] = l.GetValue()
		}
		if cmp.Equal(got, labels) {
			return m
		}
	}
	return nil
}

func TestRegistryKinds(t *testing.T) {
	r := NewRegistry()
	r.Add(testCounter, 1, "GET", "200")
	r.Add(testCounter, 2, "GET", "200")
	r.Add(testCounter, 1, "POST", "201")
	r.Set(testGauge, 5, "deployment")
	r.Add(testGauge, -2, "deployment")
	r.Observe(testHist, 0.05, "GET")
	r.Observe(testHist, 0.5, "GET")
	r.Observe(testHist, 5, "GET")
	r.Set(testPlain, 3)
	fams := scrape(t, r)

	for _, tc := range []struct {
		name   string
		labels map[string]string
		get    func(*dto.Metric) float64
		want   float64
	}{
		{"test_requests_total", map[string]string{"verb": "GET", "code": "200"}, func(m *dto.Metric) float64 { return m.GetCounter().GetValue() }, 3},
		{"test_requests_total", map[string]string{"verb": "POST", "code": "201"}, func(m *dto.Metric) float64 { return m.GetCounter().GetValue() }, 1},
		{"test_depth", map[string]string{"name": "deployment"}, func(m *dto.Metric) float64 { return m.GetGauge().GetValue() }, 3},
		{"test_running", map[string]string{}, func(m *dto.Metric) float64 { return m.GetGauge().GetValue() }, 3},
		{"test_duration_seconds", map[string]string{"verb": "GET"}, func(m *dto.Metric) float64 { return float64(m.GetHistogram().GetSampleCount()) }, 3},
		{"test_duration_seconds", map[string]string{"verb": "GET"}, func(m *dto.Metric) float64 { return m.GetHistogram().GetSampleSum() }, 5.55},
		{"test_duration_seconds", map[string]string{"verb": "GET"}, func(m *dto.Metric) float64 { return float64(m.GetHistogram().GetBucket()[1].GetCumulativeCount()) }, 2},
	} {
		m := series(fams[tc.name], tc.labels)
		if m == nil {
			t.Errorf("%s%v: no such series in /metrics", tc.name, tc.labels)
			continue
		}
		if got := tc.get(m); got != tc.want {
			t.Errorf("%s%v = %v, want %v", tc.name, tc.labels, got, tc.want)
		}
	}
	for _, name := range []string{"go_goroutines", "process_cpu_seconds_total"} {
		if fams[name] == nil {
			t.Errorf("/metrics has no %s, want the Go and process collectors' metrics", name)
		}
	}
	if fams[testHist.Name].GetType() != dto.MetricType_HISTOGRAM || fams[testCounter.Name].GetType() != dto.MetricType_COUNTER || fams[testGauge.Name].GetType() != dto.MetricType_GAUGE {
		t.Errorf("types = %v %v %v, want HISTOGRAM COUNTER GAUGE", fams[testHist.Name].GetType(), fams[testCounter.Name].GetType(), fams[testGauge.Name].GetType())
	}
	if got := fams[testCounter.Name].GetHelp(); got != testCounter.Help {
		t.Errorf("help of %s = %q, want %q", testCounter.Name, got, testCounter.Help)
	}
}

func TestRegistryConcurrent(t *testing.T) {
	r := NewRegistry()
	const workers, each = 8, 500
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				r.Add(testCounter, 1, "GET", fmt.Sprint(200+w%2))
				r.Set(testGauge, float64(i), "q")
				r.Observe(testHist, 0.01, "GET")
			}
		}()
	}
	wg.Wait()
	fams := scrape(t, r)
	total := 0.0
	for _, m := range fams[testCounter.Name].GetMetric() {
		total += m.GetCounter().GetValue()
	}
	if total != workers*each {
		t.Errorf("sum of %s = %v, want %v", testCounter.Name, total, workers*each)
	}
	if got := series(fams[testHist.Name], map[string]string{"verb": "GET"}).GetHistogram().GetSampleCount(); got != workers*each {
		t.Errorf("count of %s = %d, want %d", testHist.Name, got, workers*each)
	}
}

func TestRegistryMisuse(t *testing.T) {
	for _, tc := range []struct {
		name string
		do   func(r *Registry)
	}{
		{"Observe on a counter", func(r *Registry) { r.Observe(testCounter, 1, "GET", "200") }},
		{"Add on a histogram", func(r *Registry) { r.Add(testHist, 1, "GET") }},
		{"Set on a counter", func(r *Registry) { r.Set(testCounter, 1, "GET", "200") }},
		{"two Descs of one name", func(r *Registry) {
			r.Add(testCounter, 1, "GET", "200")
			dup := *testCounter
			r.Add(&dup, 1, "GET", "200")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("%s did not panic, want a panic naming the misuse", tc.name)
				}
			}()
			tc.do(NewRegistry())
		})
	}
}
