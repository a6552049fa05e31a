package controlplane

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/tinykube/tinykube/core/apiserver"
	"github.com/tinykube/tinykube/core/auth"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/metricsserver"
	"github.com/tinykube/tinykube/realnode/httpapi"
	"github.com/tinykube/tinykube/realnode/runloop"
)

// The metrics pipeline runs in every server process (not under leader
// election: each API server answers metrics.k8s.io from its own memory,
// as each metrics-server replica would). Its scraper follows the Nodes
// through this server's API, in process, as system:apiserver — the API
// server's loopback user, in system:masters — and asks each Ready node's
// kubelet for /stats/summary over HTTPS with the kubelet-client
// certificate that logs and exec use.

// metricsPipeline is the server's scraper and the loop it runs on.
type metricsPipeline struct {
	loop    *runloop.Loop
	scraper *metricsserver.Scraper
}

// prepareMetrics builds the scraper (not yet started) and makes it the
// API's MetricsSource. It needs the CA (loaded with etcd) and issues the
// kubelet-client certificate if there is none yet.
func (s *Server) prepareMetrics(cfg *apiserver.Config) error {
	kc, err := LoadOrIssueKubeletClient(filepath.Join(s.cfg.DataDir, "pki"), s.ca)
	if err != nil {
		return fmt.Errorf("issuing the API server's kubelet-client certificate: %v", err)
	}
	l := s.newLoop()
	local := &guardedLocal{s: s, timeout: 10 * time.Second, user: auth.APIServerUser()}
	source := httpapi.NewSummaryClient(&httpapi.KubeletTLS{CA: s.ca.Pool(), Client: kc})
	s.metrics = &metricsPipeline{loop: l, scraper: metricsserver.New(metricsserver.Config{
		Loop: l, Client: client.New(local), Source: source, Resolution: s.cfg.MetricResolution, Recorder: s.recorder()})}
	cfg.Metrics = s.metrics.scraper
	return nil
}

// startMetrics runs the scraper until ctx ends.
func (s *Server) startMetrics(ctx context.Context) {
	go s.metrics.loop.Run(ctx)
	s.metrics.loop.Post(s.metrics.scraper.Start)
}
