package apiserver

import (
	"cmp"
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/auth/authorizer"
	"github.com/tinykube/tinykube/core/auth/rbac"
	"github.com/tinykube/tinykube/core/auth/serviceaccount"
	"github.com/tinykube/tinykube/core/clock"
	"github.com/tinykube/tinykube/core/metrics"
	"github.com/tinykube/tinykube/core/rest"
	"github.com/tinykube/tinykube/core/store"
)

// maxBody is the largest request body accepted.
const maxBody = rest.MaxBodyBytes

// Config is what a Server needs from its world.
type Config struct {
	Store store.Store
	Clock clock.Clock
	// Rand draws uids and generated names. The simulator seeds it from the
	// run's seed; realnode seeds it from crypto/rand.
	Rand *rand.Rand
	// Version is reported by /version, e.g. "v0.1.0".
	Version string
	// ServiceCIDR is the range cluster IPs are allocated from
	// (DefaultServiceCIDR when empty), NodePortRange the node ports'
	// ("FIRST-LAST", DefaultNodePortRange when empty). Check reports a
	// bad value; a Server built from one fails Bootstrap and every
	// Service write that needs an allocation.
	ServiceCIDR   string
	NodePortRange string
	// Authorization, when set, has the server authorize every request
	// that carries a user as Kubernetes' --authorization-mode=Node,RBAC
	// does: system:masters may do anything, the node authorizer decides
	// kubelets' requests, RBAC (over a cache of the RBAC objects that
	// follows the store) the rest. nil, with no Authorizer, allows
	// everything: tests that talk to a Server in process.
	Authorization *Authorization
	// Authorizer, when set, is asked instead of the built-in chain
	// (Authorization is then ignored).
	Authorizer authorizer.Authorizer
	// ServiceAccountKeys sign the tokens TokenRequest issues and check
	// the ones TokenReview and AuthenticateToken are given. nil issues
	// none (TokenRequest answers 503) and accepts none (bootstrap tokens
	// still work: they are Secrets); it also leaves pods alone at
	// admission (no default ServiceAccount, no token volume), since
	// there is no token to mount.
	ServiceAccountKeys *serviceaccount.Keys
	// Metrics, when set, answers the resource metrics API
	// (metrics.k8s.io/v1beta1: NodeMetrics and PodMetrics), which
	// `kubectl top` and the HorizontalPodAutoscaler read: the metrics
	// pipeline (core/metricsserver) keeps the latest use of each node and
	// pod in memory. nil serves no such group.
	Metrics MetricsSource
	// Recorder is told of every request served (metrics.go); nil is
	// metrics.Discard.
	Recorder metrics.Recorder
	// ShareDecoded has watch events carry their object decoded as well
	// as encoded (rest.WatchEvent.Decoded), decoded once for every
	// watcher a write reaches: what an in-process transport (the
	// simulator) hands its clients instead of having each decode the
	// same bytes. Receivers share the object and must not modify it.
	// Off, events carry only their encoding (the HTTP edge sends no
	// more).
	ShareDecoded bool
}

// MetricsSource is the latest measured use of nodes and pods.
type MetricsSource interface {
	// NodeMetrics returns every node's, sorted by name.
	NodeMetrics() []api.NodeMetrics
	// PodMetrics returns those of the pods of namespace ("" for all),
	// sorted by namespace and name.
	PodMetrics(namespace string) []api.PodMetrics
}

// Authorization tunes the built-in authorizer.
type Authorization struct {
	// Decide replaces rbac.Decide: the lab of chapter 16 plugs a
	// student's in. nil is rbac.Decide.
	Decide rbac.DecideFunc
	// Observe, when set, is told every decision the server makes (the
	// simulator checks each against an independent model); a request
	// it could not decide, answered 503, is not a decision.
	Observe func(a authorizer.Attributes, d authorizer.Decision, reason string)
}

// Check reports whether cfg's service ranges are usable, so that a
// process can refuse a bad flag before it starts anything.
func (cfg Config) Check() error {
	_, _, err := serviceRanges(cfg)
	return err
}

// Server answers API requests from a Store. It keeps no state of its own
// apart from its random source: any number of Servers over one Store behave
// as one API. Handle is safe for concurrent use.
type Server struct {
	store   store.Store
	clock   clock.Clock
	version string

	mu   sync.Mutex // guards rand
	rand *rand.Rand

	namespaces namespaceCache
	decoded    decodeCache

	serviceIPs ipRange
	nodePorts  portRange
	rangesErr  error // a bad ServiceCIDR or NodePortRange

	authorizer authorizer.Authorizer
	authz      *Authorization // the built-in chain's knobs, nil without it
	rbac       rbacCache
	pods       podGraph // the node authorizer's index
	crds       crdCache
	custom     customEntries // compiled rules and apply shapes of custom resources
	saKeys     *serviceaccount.Keys
	metrics    MetricsSource    // nil: no metrics.k8s.io (metricsapi.go)
	recorder   metrics.Recorder // Config.Recorder, or Discard
	// shareDecoded: Config.ShareDecoded.
	shareDecoded bool
}

// New returns a Server over cfg.Store.
func New(cfg Config) *Server {
	s := &Server{store: cfg.Store, clock: cfg.Clock, rand: cfg.Rand, version: cfg.Version,
		authz: cfg.Authorization, saKeys: cfg.ServiceAccountKeys, metrics: cfg.Metrics, recorder: cmp.Or(cfg.Recorder, metrics.Discard),
		shareDecoded: cfg.ShareDecoded}
	s.authorizer = newAuthorizer(s, cfg)
	s.serviceIPs, s.nodePorts, s.rangesErr = serviceRanges(cfg)
	return s
}

// systemNamespaces exist from the start and cannot be deleted.
var systemNamespaces = []string{"default", "kube-node-lease", "kube-public", "kube-system"}

// Bootstrap creates the system namespaces, the default StorageClass and
// the default RBAC policy (bootstrapRBAC) if they are missing and repairs
// the Service allocations (see RepairServiceAllocations; the problems it
// cannot fix are left for a later repair to report, not made fatal). Call
// it once when a server starts; it is idempotent, so several servers may
// call it. It fails on a bad ServiceCIDR or NodePortRange.
func (s *Server) Bootstrap(ctx context.Context) error {
	if s.rangesErr != nil {
		return s.rangesErr
	}
	if _, err := s.repairAllocations(ctx); err != nil {
		return err
	}
	res := api.ResourceByPlural("", "namespaces")
	for _, name := range systemNamespaces {
		ns := &api.Namespace{ObjectMeta: api.ObjectMeta{Name: name}}
		if _, err := s.create(ctx, target{res: res}, ns, false, writer{manager: "tinykube-apiserver"}); err != nil && !api.IsAlreadyExists(err) {
			return err
		}
	}
	if err := s.bootstrapStorageClass(ctx); err != nil {
		return err
	}
	return s.bootstrapRBAC(ctx)
}

// handle answers one request. It never panics on bad input: every failure
// is a Response carrying a Status. The answer carries the authorizer's
// decision in its AuditAnnotations.
func (s *Server) handle(ctx context.Context, req *rest.Request) (handled *rest.Response) {
	if len(req.Body) > maxBody {
		return errorResponse(errTooLarge(len(req.Body)))
	}
	if err := checkQuery(req); err != nil {
		return errorResponse(err)
	}
	if err := checkBodyShape(req); err != nil {
		return errorResponse(err)
	}
	if req.User != nil {
		ctx = rest.WithUser(ctx, req.User)
	}
	refused, authz := s.authorize(ctx, req)
	if refused != nil {
		return refused
	}
	defer func() { handled = withAuditAnnotations(handled, authz) }()
	if s.metrics != nil && isMetricsPath(req.Path) {
		return s.handleMetrics(ctx, req)
	}
	if resp := s.handleNonResource(ctx, req); resp != nil {
		return resp
	}
	t, err := route(s.resources(), req.Path)
	if err != nil {
		return errorResponse(err)
	}
	if t.res.Namespaced && t.namespace == "" && t.name != "" {
		return errorResponse(errBadRequest("%s are namespaced: address one as /namespaces/{namespace}/%s/%s", t.res.Plural, t.res.Plural, t.name))
	}
	if t.subresource == "log" || t.subresource == "exec" {
		return errorResponse(errNoNodes(t.subresource))
	}
	if t.subresource == "finalize" && req.Method != http.MethodPut {
		return errorResponse(errMethodNotAllowed(req.Method, req.Path))
	}
	if err := checkDryRun(req); err != nil {
		return errorResponse(err)
	}
	ctx, notes := withAdmissionNotes(ctx)
	if t.res.Virtual {
		return notes.addTo(respond(s.handleVirtual(ctx, t, req)))
	}
	if h := subresourceHandlers[t.subresource]; h != nil {
		return notes.addTo(respond(h(s, ctx, t, req)))
	}
	var out response
	switch req.Method {
	case http.MethodGet:
		if t.subresource == "binding" {
			return errorResponse(errMethodNotAllowed(req.Method, req.Path))
		}
		tr, err := negotiateTable(req)
		if err != nil {
			return errorResponse(err)
		}
		switch {
		case t.name != "":
			out = s.get(ctx, t)
		case isWatch(req):
			out = s.watch(ctx, t, req)
		default:
			out = s.list(ctx, t, req)
		}
		if tr != nil {
			out = s.asTable(t, tr, out)
			out.contentType = tr.contentType()
		}
	case http.MethodPost:
		switch {
		case t.subresource == "binding":
			out = s.handleBinding(ctx, t, req)
		case t.name != "":
			return errorResponse(errMethodNotAllowed(req.Method, req.Path))
		default:
			out = s.handleCreate(ctx, t, req)
		}
	case http.MethodPut:
		if t.name == "" {
			return errorResponse(errMethodNotAllowed(req.Method, req.Path))
		}
		out = s.handleUpdate(ctx, t, req)
	case http.MethodPatch:
		if t.name == "" {
			return errorResponse(errMethodNotAllowed(req.Method, req.Path))
		}
		out = s.handlePatch(ctx, t, req)
	case http.MethodDelete:
		if t.name == "" || t.subresource != "" {
			return errorResponse(errMethodNotAllowed(req.Method, req.Path))
		}
		out = s.handleDelete(ctx, t, req)
	default:
		return errorResponse(errMethodNotAllowed(req.Method, req.Path))
	}
	return notes.addTo(respond(out))
}

// subresourceHandlers answer the subresources that take every verb
// themselves, rather than meaning "the object" to get, update and patch.
var subresourceHandlers = map[string]func(*Server, context.Context, target, *rest.Request) response{
	"scale":    (*Server).handleScale,
	"eviction": (*Server).handleEviction,
	"token":    (*Server).handleTokenRequest,
}

// respond turns a verb handler's result into the Response.
func respond(out response) *rest.Response {
	if out.err != nil {
		resp := errorResponse(out.err)
		resp.Warnings = out.warnings
		return resp
	}
	contentType := cmp.Or(out.contentType, rest.ContentJSON)
	if out.stream != nil {
		return &rest.Response{Code: http.StatusOK, ContentType: contentType, Stream: out.stream, Warnings: out.warnings}
	}
	return &rest.Response{Code: out.code, ContentType: contentType, Body: out.body, Warnings: out.warnings}
}

// response is what a verb handler produces: a body with its code, a
// stream, or an error, plus warnings in every case.
type response struct {
	code     int
	body     []byte
	stream   rest.Stream
	err      error
	warnings []string
	// contentType is the answer's media type when it is not plain JSON
	// (a Table).
	contentType string
}

func ok(code int, body []byte, warnings []string) response {
	return response{code: code, body: body, warnings: warnings}
}

func fail(err error, warnings ...string) response { return response{err: err, warnings: warnings} }

// errorResponse turns any error into a Status response. Errors that are not
// already Status errors are internal errors.
func errorResponse(err error) *rest.Response {
	se, isStatus := err.(*api.StatusError)
	if !isStatus {
		se = errInternal(err).(*api.StatusError)
	}
	body, _ := json.Marshal(se.Status)
	return &rest.Response{Code: int(se.Status.Code), ContentType: rest.ContentJSON, Body: body}
}

func isWatch(req *rest.Request) bool {
	v := strings.ToLower(req.Query.Get("watch"))
	return v == "true" || v == "1"
}

// newUID returns a random RFC 4122 version 4 UUID drawn from the server's
// random source.
func (s *Server) newUID() string {
	s.mu.Lock()
	hi, lo := s.rand.Uint64(), s.rand.Uint64()
	s.mu.Unlock()
	var b [16]byte
	for i := 0; i < 8; i++ {
		b[i] = byte(hi >> (8 * i))
		b[8+i] = byte(lo >> (8 * i))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	const hex = "0123456789abcdef"
	out := make([]byte, 0, 36)
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, hex[c>>4], hex[c&0xf])
	}
	return string(out)
}

// generatedSuffix returns the 5 characters appended to a generateName, from
// the same alphabet Kubernetes uses (no vowels, so no accidental words).
func (s *Server) generatedSuffix() string {
	const alphabet = "bcdfghjklmnpqrstvwxz2456789"
	s.mu.Lock()
	defer s.mu.Unlock()
	b := make([]byte, 5)
	for i := range b {
		b[i] = alphabet[s.rand.IntN(len(alphabet))]
	}
	return string(b)
}
