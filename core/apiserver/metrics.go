package apiserver

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tinykube/tinykube/core/metrics"
	"github.com/tinykube/tinykube/core/rest"
)

// requestBuckets are Kubernetes' buckets for request latencies (and etcd's).
var requestBuckets = []float64{0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3,
	4, 5, 6, 8, 10, 15, 20, 30, 45, 60}

// The API server's metrics, named and labelled as kube-apiserver's.
var (
	requestTotal = &metrics.Desc{Name: "apiserver_request_total", Kind: metrics.Counter,
		Help:   "Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.",
		Labels: []string{"verb", "dry_run", "group", "version", "resource", "subresource", "scope", "component", "code"}}
	requestDuration = &metrics.Desc{Name: "apiserver_request_duration_seconds", Kind: metrics.Histogram,
		Help:    "Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.",
		Labels:  []string{"verb", "dry_run", "group", "version", "resource", "subresource", "scope", "component"},
		Buckets: requestBuckets}
	longRunning = &metrics.Desc{Name: "apiserver_longrunning_requests", Kind: metrics.Gauge,
		Help:   "Gauge of all active long-running apiserver requests broken out by verb, group, version, resource, scope and component.",
		Labels: []string{"verb", "group", "version", "resource", "subresource", "scope", "component"}}
	watchEvents = &metrics.Desc{Name: "apiserver_watch_events_total", Kind: metrics.Counter,
		Help:   "Number of events sent in watch clients",
		Labels: []string{"group", "version", "resource"}}
)

// requestLabels are what the request metrics tell requests apart by.
type requestLabels struct {
	verb, dryRun, group, version, resource, subresource, scope, component string
}

// Handle answers one request (see handle) and records it in the server's
// Recorder: apiserver_request_total and apiserver_request_duration_seconds
// once it is answered, measured with the server's clock, so the
// simulator sees them in virtual time. A watch is answered when its
// stream ends (as Kubernetes counts it); while it runs it counts in
// apiserver_longrunning_requests, and each event it sends in
// apiserver_watch_events_total.
func (s *Server) Handle(ctx context.Context, req *rest.Request) *rest.Response {
	if s.recorder == metrics.Discard {
		return s.handle(ctx, req)
	}
	start := s.clock.Now()
	resp := s.handle(ctx, req)
	l := s.labelsOf(req, resp)
	if resp.Stream != nil {
		s.recorder.Add(longRunning, 1, l.verb, l.group, l.version, l.resource, l.subresource, l.scope, l.component)
		out := *resp
		out.Stream = &measuredStream{Stream: resp.Stream, s: s, labels: l, start: start, code: resp.Code}
		return &out
	}
	s.observeRequest(l, resp.Code, start)
	return resp
}

// observeRequest records one answered request.
func (s *Server) observeRequest(l requestLabels, code int, start time.Time) {
	s.recorder.Add(requestTotal, 1, l.verb, l.dryRun, l.group, l.version, l.resource, l.subresource, l.scope, l.component, strconv.Itoa(code))
	s.recorder.Observe(requestDuration, s.clock.Now().Sub(start).Seconds(), l.verb, l.dryRun, l.group, l.version, l.resource, l.subresource, l.scope, l.component)
}

// measuredStream is a watch's stream that counts its events and, when it
// is stopped, the request it answers.
type measuredStream struct {
	rest.Stream
	s      *Server
	labels requestLabels
	start  time.Time
	code   int
	once   sync.Once
}

// Next returns the next event and counts it.
func (m *measuredStream) Next() (rest.WatchEvent, bool) {
	ev, ok := m.Stream.Next()
	if ok {
		m.s.recorder.Add(watchEvents, 1, m.labels.group, m.labels.version, m.labels.resource)
	}
	return ev, ok
}

// Stop ends the stream; the first call records the request.
func (m *measuredStream) Stop() {
	m.Stream.Stop()
	m.once.Do(func() {
		l := m.labels
		m.s.recorder.Add(longRunning, -1, l.verb, l.group, l.version, l.resource, l.subresource, l.scope, l.component)
		m.s.observeRequest(l, m.code, m.start)
	})
}

// nonResourcePaths are the paths outside the resource tree whose
// requests the metrics tell apart (by subresource, as Kubernetes does);
// others are counted with an empty one, so that a scanner's made-up paths
// do not grow the number of series.
var nonResourcePaths = map[string]bool{"/healthz": true, "/livez": true, "/readyz": true, "/version": true,
	"/api": true, "/apis": true, "/openapi/v2": true, "/openapi/v3": true}

// labelsOf names req as kube-apiserver's metrics do: the verb as
// reported (GET of one object, LIST of a collection, WATCH, APPLY for a
// server-side apply patch, CONNECT for the node subresources), the
// resource's group, version, name and subresource, the scope (resource,
// namespace or cluster) and component "apiserver"; a non-resource request
// has only its verb and its path as subresource. A path that names no
// served resource keeps its verb alone.
func (s *Server) labelsOf(req *rest.Request, resp *rest.Response) requestLabels {
	l := requestLabels{verb: req.Method, dryRun: dryRunLabel(req)}
	path := strings.TrimSuffix(req.Path, "/")
	if nonResourcePaths[path] || isDiscoveryPath(path) {
		l.subresource = path
		return l
	}
	t, err := route(s.resources(), req.Path)
	if err != nil {
		return l
	}
	l.group, l.version, l.resource, l.subresource = t.res.Group, t.res.Version, t.res.Plural, t.subresource
	l.component = "apiserver"
	switch {
	case t.name != "" || req.Method == http.MethodPost:
		l.scope = "resource"
	case t.namespace != "":
		l.scope = "namespace"
	default:
		l.scope = "cluster"
	}
	switch {
	case req.Method == http.MethodGet && isWatch(req):
		l.verb = "WATCH"
	case req.Method == http.MethodGet && l.scope != "resource":
		l.verb = "LIST"
	case req.Method == http.MethodPatch && strings.HasPrefix(req.ContentType, rest.ContentApplyPatch):
		l.verb = "APPLY"
	}
	switch t.subresource {
	case "log", "exec", "attach", "portforward", "proxy":
		l.verb = "CONNECT"
	}
	if resp != nil && resp.Stream != nil {
		l.verb = "WATCH"
	}
	return l
}

// isDiscoveryPath reports whether path is a group's or a group version's
// discovery document: /api/v1, /apis/apps, /apis/apps/v1.
func isDiscoveryPath(path string) bool {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	return (len(parts) == 2 && parts[0] == "api") || ((len(parts) == 2 || len(parts) == 3) && parts[0] == "apis")
}

// dryRunLabel is the request's dryRun values, sorted, without repeats,
// joined by commas ("" without any).
func dryRunLabel(req *rest.Request) string {
	v := req.Query["dryRun"]
	if len(v) == 0 {
		return ""
	}
	v = slices.Clone(v)
	slices.Sort(v)
	return strings.Join(slices.Compact(v), ",")
}
