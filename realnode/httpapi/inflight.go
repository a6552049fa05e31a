package httpapi

import (
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/rest"
)

// InflightLimits bound how much of the server clients may hold at once.
// Every limit is checked without waiting: a request over one is answered
// 429 TooManyRequests with Retry-After at once, as kube-apiserver's
// max-in-flight filter does, so that a crowd of requests costs the server
// what the limits allow and no more.
type InflightLimits struct {
	// Requests and MutatingRequests cap the short requests being served:
	// reads, and writes (POST, PUT, PATCH, DELETE). Long-running ones
	// (watches, pod logs, exec, attach, port-forward) and the health
	// checks are not counted. kube-apiserver's --max-requests-inflight
	// and --max-mutating-requests-inflight; 0 is no limit.
	Requests, MutatingRequests int
	// BodyBytes caps the request bodies held at once, each counted at its
	// Content-Length (rest.MaxBodyBytes when it has none) from before it
	// is read until its answer is written. A body is decoded into several
	// times its size, so this, more than the request counts, is what
	// keeps a crowd of large writes within the server's memory. 0 is no
	// limit.
	BodyBytes int64
}

// DefaultInflightLimits are kube-apiserver's request limits (400 and 200),
// and bodies of 8 MiB: two of the largest bodies at once (a 3 MiB body
// costs some ten times its size while it is decoded and checked).
var DefaultInflightLimits = InflightLimits{Requests: 400, MutatingRequests: 200, BodyBytes: 8 << 20}

// LimitInflight serves h within limits.
func LimitInflight(h http.Handler, limits InflightLimits) http.Handler {
	l := &inflight{limits: limits}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if exemptFromInflight(r) {
			h.ServeHTTP(w, r)
			return
		}
		mutating := r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodOptions
		body := int64(0)
		if r.Body != nil && r.Body != http.NoBody {
			body = r.ContentLength
			if body < 0 || body > rest.MaxBodyBytes {
				body = rest.MaxBodyBytes // unknown, or too large: it will be cut there
			}
		}
		if why := l.acquire(mutating, body); why != "" {
			w.Header().Set("Retry-After", "1")
			writeStatus(w, api.NewStatusError(http.StatusTooManyRequests, api.ReasonTooManyRequests, &api.StatusDetails{RetryAfterSeconds: 1},
				"Too many requests, please try again later (%s).", why))
			return
		}
		defer l.release(mutating, body)
		h.ServeHTTP(w, r)
	})
}

// inflight counts what is being served.
type inflight struct {
	limits InflightLimits

	mu                 sync.Mutex
	requests, mutating int
	bodyBytes          int64
}

// acquire counts one more request of body bytes, or returns why it may
// not be served now (and counts nothing).
func (l *inflight) acquire(mutating bool, body int64) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case mutating && l.limits.MutatingRequests > 0 && l.mutating >= l.limits.MutatingRequests:
		return strconv.Itoa(l.limits.MutatingRequests) + " writes are being served"
	case !mutating && l.limits.Requests > 0 && l.requests >= l.limits.Requests:
		return strconv.Itoa(l.limits.Requests) + " reads are being served"
	case body > 0 && l.limits.BodyBytes > 0 && l.bodyBytes+body > l.limits.BodyBytes:
		return "the request bodies being served add up to " + strconv.FormatInt(l.bodyBytes, 10) + " bytes, the limit is " + strconv.FormatInt(l.limits.BodyBytes, 10)
	}
	if mutating {
		l.mutating++
	} else {
		l.requests++
	}
	l.bodyBytes += body
	return ""
}

// release uncounts what acquire counted.
func (l *inflight) release(mutating bool, body int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if mutating {
		l.mutating--
	} else {
		l.requests--
	}
	l.bodyBytes -= body
}

// exemptFromInflight reports whether r is one the limits do not count:
// the health checks (a crowded server must still say it is alive) and
// the long-running requests, which would otherwise hold their place for
// as long as they run.
func exemptFromInflight(r *http.Request) bool {
	switch r.URL.Path {
	case "/healthz", "/readyz", "/livez":
		return true
	}
	if strings.HasPrefix(r.URL.Path, "/healthz/") || strings.HasPrefix(r.URL.Path, "/readyz/") || strings.HasPrefix(r.URL.Path, "/livez/") {
		return true
	}
	if _, _, _, ok := podSubresource(r.URL.Path); ok {
		return true
	}
	if isUpgrade(r) {
		return true
	}
	if r.Method == http.MethodGet {
		switch strings.ToLower(r.URL.Query().Get("watch")) {
		case "true", "1":
			return true
		}
	}
	return false
}
