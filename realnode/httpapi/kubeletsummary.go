package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/tinykube/tinykube/core/api"
)

// SummaryClient fetches kubelets' stats summaries (GET /stats/summary on
// the kubelet server, port status.daemonEndpoints.kubeletEndpoint of the
// node's InternalIP) for the metrics pipeline, over the same TLS as the
// relayed logs and exec: the API server's kubelet-client certificate, and
// a kubelet that must prove to be the node. It is
// metricsserver.SummarySource.
type SummaryClient struct {
	kubelets *kubeletTransports
	// Timeout bounds one request (10 s when 0): the scraper waits for it.
	Timeout time.Duration
}

// NewSummaryClient returns a SummaryClient; k nil speaks plain HTTP
// (tests).
func NewSummaryClient(k *KubeletTLS) *SummaryClient {
	return &SummaryClient{kubelets: &kubeletTransports{tls: k}}
}

// maxSummaryBytes bounds a summary: a node of 110 pods says a few hundred
// kilobytes.
const maxSummaryBytes = 16 << 20

// Summary asks node's kubelet for its stats summary.
func (c *SummaryClient) Summary(ctx context.Context, node *api.Node) (api.Summary, error) {
	addr, err := kubeletAddressOf(node)
	if err != nil {
		return api.Summary{}, err
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	u := c.kubelets.scheme() + "://" + addr + "/stats/summary"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return api.Summary{}, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := (&http.Client{Transport: c.kubelets.forNode(node.Name)}).Do(req)
	if err != nil {
		return api.Summary{}, fmt.Errorf("asking the kubelet of node %s at %s for its stats summary: %v", node.Name, addr, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxSummaryBytes))
	if err != nil {
		return api.Summary{}, fmt.Errorf("reading the stats summary of node %s: %v", node.Name, err)
	}
	if resp.StatusCode != http.StatusOK {
		return api.Summary{}, fmt.Errorf("the kubelet of node %s answered GET /stats/summary with %s: %.200s", node.Name, resp.Status, body)
	}
	var sum api.Summary
	if err := json.Unmarshal(body, &sum); err != nil {
		return api.Summary{}, fmt.Errorf("the stats summary of node %s does not decode: %v", node.Name, err)
	}
	return sum, nil
}

// kubeletAddressOf returns host:port of node's kubelet server: its
// InternalIP and the port it publishes in
// status.daemonEndpoints.kubeletEndpoint.
func kubeletAddressOf(node *api.Node) (string, error) {
	port := node.Status.DaemonEndpoints.KubeletEndpoint.Port
	if port <= 0 {
		return "", errBadRequest("node %s publishes no kubelet endpoint (it runs simulated pods?): status.daemonEndpoints.kubeletEndpoint.Port is unset", node.Name)
	}
	for _, a := range node.Status.Addresses {
		if a.Type == "InternalIP" && a.Address != "" {
			return net.JoinHostPort(a.Address, strconv.Itoa(int(port))), nil
		}
	}
	return "", errBadRequest("node %s publishes no InternalIP in status.addresses, so its kubelet cannot be reached", node.Name)
}
