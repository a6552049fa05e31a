package pki

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// CACertsPath is where every server serves its CA certificate, to anyone
// (a joining machine has nothing to prove yet).
const CACertsPath = "/cacerts"

// FetchCA gets the CA certificate a server at serverURL ("https://…")
// serves at /cacerts and checks that its hash is wantHash, the one a join
// token carries. Nothing is sent but the request line: the connection is
// not verified (there is no CA to verify it with yet), so whoever answers
// learns nothing, and an answer with another hash is refused — the caller
// stops before any secret leaves the machine. On success the returned PEM
// is the cluster's CA, to verify everything after.
func FetchCA(ctx context.Context, serverURL, wantHash string) ([]byte, error) {
	if !strings.HasPrefix(serverURL, "https://") {
		return nil, fmt.Errorf("the server URL %q is not https://: tinykube servers serve only HTTPS", serverURL)
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(serverURL, "/")+CACertsPath, nil)
	if err != nil {
		return nil, fmt.Errorf("server URL %q: %v", serverURL, err)
	}
	// Unverified on purpose: the hash check below is the verification.
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	defer hc.CloseIdleConnections()
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetching the CA from %s: %v", serverURL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("reading the CA from %s: %v", serverURL, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s%s answered %s: is it a tinykube server?", serverURL, CACertsPath, resp.Status)
	}
	if got := Hash(body); got != wantHash {
		return nil, fmt.Errorf("the server at %s presents a CA with hash %s, but the join token expects %s: it is not the cluster the token belongs to (or someone is in between); nothing was sent", serverURL, got, wantHash)
	}
	if _, err := ParseCertificate(body); err != nil {
		return nil, fmt.Errorf("the CA served by %s: %v", serverURL, err)
	}
	return body, nil
}
