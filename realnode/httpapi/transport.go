package httpapi

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/rest"
)

// Transport sends API requests to a server at BaseURL
// ("https://127.0.0.1:6443"), or to one of several Servers.
//
// With several servers it sticks to the last one that answered and moves
// on to the next when a server cannot be reached (the connection is
// refused or times out) or answers 503 (its etcd member has lost its
// quorum, see controlplane; a write only when the 503 carries
// UnprocessedHeader). A write whose connection broke after it was
// sent is not sent again: it may have been applied, and only the caller
// can tell (a conditional write makes the retry safe); reads are. A watch
// that ends with its server is re-opened by its informer, and so goes to
// the next server.
type Transport struct {
	BaseURL string
	// Servers, when not empty, replaces BaseURL: every API server of the
	// cluster.
	Servers []string
	Client  *http.Client // DefaultClient when nil
	// Token, when set, is sent as "Authorization: Bearer TOKEN".
	Token string

	cur atomic.Int32 // index in Servers of the server that answered last
}

// UnprocessedHeader marks an answer given without looking at the request
// (a server whose etcd has no quorum refuses everything at the door), so
// that a write may safely go to another server. A write answered 503
// without it may have been applied (etcd timed out, say) and is not
// resent.
const UnprocessedHeader = "X-Tinykube-Unprocessed"

// NewTransport returns a Transport to the servers of a comma-separated
// list of URLs ("http://10.0.0.1:6443,http://10.0.0.2:6443", or one URL).
func NewTransport(servers string) *Transport {
	var list []string
	for _, s := range strings.Split(servers, ",") {
		if s = strings.TrimSpace(s); s != "" {
			list = append(list, s)
		}
	}
	if len(list) == 1 {
		return &Transport{BaseURL: list[0]}
	}
	return &Transport{Servers: list}
}

// ClientConfig is how a client proves the servers are the cluster's and
// who it is: the cluster CA, a client certificate, a bearer token.
type ClientConfig struct {
	// CAData is the PEM CA that must have signed the servers'
	// certificates. Required for https servers: a client never talks to a
	// server it cannot verify.
	CAData []byte
	// CertData and KeyData are a PEM client certificate and its key.
	CertData, KeyData []byte
	// Token is a bearer token (a ServiceAccount's, say).
	Token string
}

// TLS returns the client TLS configuration of cc: its CA as the only
// roots, its client certificate if any.
func (cc ClientConfig) TLS() (*tls.Config, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(cc.CAData) {
		return nil, errors.New("the CA data holds no PEM certificate")
	}
	tc := &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	if len(cc.CertData) > 0 || len(cc.KeyData) > 0 {
		cert, err := tls.X509KeyPair(cc.CertData, cc.KeyData)
		if err != nil {
			return nil, fmt.Errorf("the client certificate and key: %v", err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	return tc, nil
}

// NewTransportConfig is NewTransport with credentials: https servers are
// verified with cc's CA (an https server without a CA is an error, never
// an unverified connection), and every request carries cc's client
// certificate and token.
func NewTransportConfig(servers string, cc ClientConfig) (*Transport, error) {
	t := NewTransport(servers)
	t.Token = cc.Token
	https := false
	for _, s := range t.servers() {
		https = https || strings.HasPrefix(s, "https://")
	}
	if !https {
		return t, nil
	}
	if len(cc.CAData) == 0 {
		return nil, fmt.Errorf("%s serves HTTPS and no CA was given to verify it", strings.Join(t.servers(), ","))
	}
	tc, err := cc.TLS()
	if err != nil {
		return nil, err
	}
	t.Client = NewHTTPClient(tc)
	return t, nil
}

// NewHTTPClient is DefaultClient's configuration with tc for TLS.
func NewHTTPClient(tc *tls.Config) *http.Client {
	tr := DefaultClient.Transport.(*http.Transport).Clone()
	tr.TLSClientConfig = tc
	return &http.Client{Transport: tr}
}

// DefaultClient is the HTTP client of a Transport without one: it gives
// up connecting to a server after 3s and waiting for an answer's head
// after 30s, so that a dead or hung server is left for the next one.
var DefaultClient = &http.Client{Transport: &http.Transport{
	Proxy:                 http.ProxyFromEnvironment,
	DialContext:           (&net.Dialer{Timeout: 3 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
	ResponseHeaderTimeout: 30 * time.Second,
	MaxIdleConnsPerHost:   16,
	IdleConnTimeout:       90 * time.Second,
}}

func (t *Transport) servers() []string {
	if len(t.Servers) > 0 {
		return t.Servers
	}
	return []string{t.BaseURL}
}

// Do sends req. A watch request returns at once with a Stream that a
// goroutine fills as lines arrive; Stop it to close the connection.
func (t *Transport) Do(ctx context.Context, req *rest.Request) (*rest.Response, error) {
	watch := req.Query.Get("watch") == "true" || req.Query.Get("watch") == "1"
	var cancel context.CancelFunc = func() {}
	if watch {
		ctx, cancel = context.WithCancel(ctx)
	}
	hresp, resp, err := t.send(ctx, req)
	if err != nil {
		cancel()
		return nil, err
	}
	if watch && hresp.StatusCode == http.StatusOK {
		resp.Stream = newLineStream(hresp.Body, cancel)
		return resp, nil
	}
	defer cancel()
	return t.readAll(hresp, resp)
}

// Stream sends req and, when the answer is 2xx, returns its body unread,
// for the caller to read as it arrives and close (a followed log). Any
// other answer comes back whole as a Response.
func (t *Transport) Stream(ctx context.Context, req *rest.Request) (io.ReadCloser, *rest.Response, error) {
	hresp, resp, err := t.send(ctx, req)
	if err != nil {
		return nil, nil, err
	}
	if hresp.StatusCode >= 200 && hresp.StatusCode <= 299 {
		return hresp.Body, nil, nil
	}
	resp, err = t.readAll(hresp, resp)
	return nil, resp, err
}

// send makes the HTTP request, to each server in turn as long as one
// cannot be reached or answers 503, and returns the response with its
// head (code, content type, warnings) already copied into a
// rest.Response.
func (t *Transport) send(ctx context.Context, req *rest.Request) (*http.Response, *rest.Response, error) {
	list := t.servers()
	start := int(t.cur.Load()) % len(list)
	var errs []string
	for i := range list {
		n := (start + i) % len(list)
		hresp, resp, err := t.sendTo(ctx, list[n], req)
		if err != nil {
			if ctx.Err() != nil || !retriable(err, req.Method) || len(list) == 1 {
				return nil, nil, err
			}
			errs = append(errs, err.Error())
			continue
		}
		if hresp.StatusCode == http.StatusServiceUnavailable && i < len(list)-1 &&
			(hresp.Header.Get(UnprocessedHeader) != "" || req.Method == http.MethodGet || req.Method == http.MethodHead) {
			io.Copy(io.Discard, io.LimitReader(hresp.Body, 1<<16))
			hresp.Body.Close()
			errs = append(errs, fmt.Sprintf("%s answered 503", list[n]))
			continue
		}
		t.cur.Store(int32(n))
		return hresp, resp, nil
	}
	return nil, nil, fmt.Errorf("no API server answered: %s", strings.Join(errs, "; "))
}

// retriable reports whether a request that failed with err may go to
// another server: always when no connection was made, and for reads
// whatever happened.
func retriable(err error, method string) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	return method == http.MethodGet || method == http.MethodHead
}

func (t *Transport) sendTo(ctx context.Context, base string, req *rest.Request) (*http.Response, *rest.Response, error) {
	u := strings.TrimSuffix(base, "/") + req.Path
	if len(req.Query) > 0 {
		u += "?" + req.Query.Encode()
	}
	hreq, err := http.NewRequestWithContext(ctx, req.Method, u, bytes.NewReader(req.Body))
	if err != nil {
		return nil, nil, err
	}
	if req.ContentType != "" {
		hreq.Header.Set("Content-Type", req.ContentType)
	}
	hreq.Header.Set("Accept", cmp.Or(req.Accept, rest.ContentJSON))
	hreq.Header.Set("User-Agent", cmp.Or(req.UserAgent, "tinykube"))
	if t.Token != "" {
		hreq.Header.Set("Authorization", "Bearer "+t.Token)
	}
	c := t.Client
	if c == nil {
		c = DefaultClient
	}
	hresp, err := c.Do(hreq)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot reach the API server at %s: %w", base, err)
	}
	resp := &rest.Response{Code: hresp.StatusCode, ContentType: hresp.Header.Get("Content-Type")}
	for _, h := range hresp.Header.Values("Warning") {
		resp.Warnings = append(resp.Warnings, warningText(h))
	}
	return hresp, resp, nil
}

// readAll reads and closes hresp's body into resp.
func (t *Transport) readAll(hresp *http.Response, resp *rest.Response) (*rest.Response, error) {
	defer hresp.Body.Close()
	var err error
	resp.Body, err = io.ReadAll(hresp.Body)
	if err != nil {
		return nil, fmt.Errorf("reading the answer from %s: %w", hresp.Request.URL.Host, err)
	}
	return resp, nil
}

// lineStream reads newline-delimited watch events from a response body.
type lineStream struct {
	mu     sync.Mutex
	events []rest.WatchEvent
	ended  bool
	ready  chan struct{}
	cancel context.CancelFunc
}

func newLineStream(body io.ReadCloser, cancel context.CancelFunc) *lineStream {
	s := &lineStream{ready: make(chan struct{}, 1), cancel: cancel}
	go s.read(body)
	return s
}

func (s *lineStream) read(body io.ReadCloser) {
	defer body.Close()
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 64<<10), rest.MaxBodyBytes*2)
	for sc.Scan() {
		var ev rest.WatchEvent
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			s.fail(fmt.Sprintf("the server sent a malformed watch event: %v", err))
			return
		}
		s.mu.Lock()
		s.events = append(s.events, ev)
		s.mu.Unlock()
		s.signal()
	}
	if err := sc.Err(); err != nil && !errors.Is(err, context.Canceled) {
		s.fail(fmt.Sprintf("reading the watch stream: %v", err))
		return
	}
	s.mu.Lock()
	s.ended = true
	s.mu.Unlock()
	s.signal()
}

// fail ends the stream with an ERROR event carrying a Status, so the
// client learns the stream broke instead of seeing a clean end.
func (s *lineStream) fail(msg string) {
	st, _ := json.Marshal(api.NewStatusError(http.StatusInternalServerError, api.ReasonInternalError, nil, "%s", msg).Status)
	s.mu.Lock()
	s.events = append(s.events, rest.WatchEvent{Type: rest.Error, Object: st})
	s.ended = true
	s.mu.Unlock()
	s.signal()
}

func (s *lineStream) signal() {
	select {
	case s.ready <- struct{}{}:
	default:
	}
}

func (s *lineStream) Next() (rest.WatchEvent, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.events) == 0 {
		return rest.WatchEvent{}, false
	}
	ev := s.events[0]
	s.events = s.events[1:]
	return ev, true
}

func (s *lineStream) Ready() <-chan struct{} { return s.ready }

func (s *lineStream) Done() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ended && len(s.events) == 0
}

func (s *lineStream) Stop() { s.cancel() }
