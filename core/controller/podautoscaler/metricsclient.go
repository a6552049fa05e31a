package podautoscaler

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/rest"
)

// MetricsClient reads the latest measured use of pods. The controller
// uses the resource metrics API (NewResourceMetrics); tests use a fake.
type MetricsClient interface {
	// PodMetrics returns the metrics of the pods of namespace that
	// selector picks; a pod the pipeline has not measured is absent.
	PodMetrics(ctx context.Context, namespace string, selector api.Selector) ([]api.PodMetrics, error)
}

// NewResourceMetrics returns the MetricsClient that asks the API server's
// metrics.k8s.io/v1beta1 (served from the metrics pipeline) through c:
// GET /apis/metrics.k8s.io/v1beta1/namespaces/NS/pods?labelSelector=….
func NewResourceMetrics(c *client.Client) MetricsClient { return resourceMetrics{c} }

type resourceMetrics struct{ c *client.Client }

func (m resourceMetrics) PodMetrics(ctx context.Context, namespace string, selector api.Selector) ([]api.PodMetrics, error) {
	q := url.Values{}
	if !selector.Empty() {
		q.Set("labelSelector", selector.String())
	}
	path := "/apis/" + api.MetricsGroup + "/v1beta1/namespaces/" + url.PathEscape(namespace) + "/pods"
	resp, err := m.c.Do(ctx, &rest.Request{Method: http.MethodGet, Path: path, Query: q})
	if err != nil {
		return nil, fmt.Errorf("unable to fetch metrics from resource metrics API: %v", err)
	}
	var list struct {
		Items []api.PodMetrics `json:"items"`
	}
	if err := json.Unmarshal(resp.Body, &list); err != nil {
		return nil, fmt.Errorf("unable to fetch metrics from resource metrics API: decoding PodMetricsList: %v", err)
	}
	return list.Items, nil
}
