package main

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Reading a process' Prometheus /metrics in tests as a user would: with
// the certificates `up` leaves in its data directory, and the Prometheus
// client library's own text parser.

// pkiClient is an HTTPS client that trusts the cluster CA in dir/pki and
// shows the certificate dir/pki/NAME.crt: what `curl --cacert ca.crt
// --cert NAME.crt --key NAME.key` does.
func pkiClient(t *testing.T, dir, name string) *http.Client {
	t.Helper()
	pool := x509.NewCertPool()
	caPEM, err := os.ReadFile(filepath.Join(dir, "pki", "ca.crt"))
	if err != nil || !pool.AppendCertsFromPEM(caPEM) {
		t.Fatalf("reading the cluster CA in %s/pki: %v", dir, err)
	}
	cfg := &tls.Config{RootCAs: pool}
	if name != "" {
		cert, err := tls.LoadX509KeyPair(filepath.Join(dir, "pki", name+".crt"), filepath.Join(dir, "pki", name+".key"))
		if err != nil {
			t.Fatal(err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: cfg}}
}

// promScrape GETs url as c and parses the answer with the Prometheus text
// parser; a status other than 200 is returned with a nil map.
func promScrape(t *testing.T, c *http.Client, url string) (int, map[string]*dto.MetricFamily) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, nil
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("GET %s: the Prometheus text parser rejects the answer: %v", url, err)
	}
	return resp.StatusCode, fams
}

// promSum adds up the counter, or the histogram's sample count, of every
// series of fam whose labels include want.
func promSum(fam *dto.MetricFamily, want map[string]string) float64 {
	total := 0.0
	for _, m := range fam.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		match := true
		for k, v := range want {
			match = match && have[k] == v
		}
		if match {
			total += m.GetCounter().GetValue() + float64(m.GetHistogram().GetSampleCount())
		}
	}
	return total
}
