package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tinykube/tinykube/core/apiserver"
	"github.com/tinykube/tinykube/core/audit"
	"github.com/tinykube/tinykube/core/auth"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/clock"
	"github.com/tinykube/tinykube/core/rest"
	"github.com/tinykube/tinykube/core/store"
	realaudit "github.com/tinykube/tinykube/realnode/audit"
)

// eventLog keeps the events it is given.
type eventLog struct {
	mu     sync.Mutex
	events []*audit.Event
}

func (l *eventLog) Log(ev *audit.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, ev)
}

// of returns the events of one audit ID.
func (l *eventLog) of(id string) []*audit.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []*audit.Event
	for _, ev := range l.events {
		if ev.AuditID == id {
			out = append(out, ev)
		}
	}
	return out
}

// serveAudited starts an API server with RBAC behind an authenticating
// edge that audits with policy: the bearer token "admin" is
// kubernetes-admin, "jane" may edit in ns1, any other name is a user
// without rights.
func serveAudited(t testing.TB, policy *audit.Policy) (*httptest.Server, *eventLog, *apiserver.Server) {
	t.Helper()
	log := &eventLog{}
	hs, srv := serveAuditedTo(t, policy, log)
	return hs, log, srv
}

// serveAuditedTo is serveAudited writing the events to log.
func serveAuditedTo(t testing.TB, policy *audit.Policy, log AuditLog) (*httptest.Server, *apiserver.Server) {
	t.Helper()
	srv := apiserver.New(apiserver.Config{Store: store.NewMemory(), Clock: &clock.Fixed{T: time.Unix(1e9, 0)},
		Rand: rand.New(rand.NewPCG(1, 1)), Version: "test", Authorization: &apiserver.Authorization{}})
	ctx := context.Background()
	if err := srv.Bootstrap(ctx); err != nil {
		t.Fatal(err)
	}
	for _, obj := range []struct{ path, body string }{
		{"/api/v1/namespaces", `{"metadata":{"name":"ns1"}}`},
		{"/apis/rbac.authorization.k8s.io/v1/namespaces/ns1/rolebindings", `{"metadata":{"name":"jane-edit"},"subjects":[{"kind":"User","name":"jane"}],"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"edit"}}`},
	} {
		if resp := srv.Handle(ctx, &rest.Request{Method: http.MethodPost, Path: obj.path, ContentType: rest.ContentJSON, Body: []byte(obj.body)}); resp.Code != http.StatusCreated {
			t.Fatalf("POST %s = %d %s", obj.path, resp.Code, resp.Body)
		}
	}
	tokens := func(_ context.Context, token string) (*rest.UserInfo, bool, error) {
		if token == "admin" {
			return auth.AdminUser(), true, nil
		}
		return &rest.UserInfo{Name: token, Groups: []string{auth.AllAuthenticated}}, true, nil
	}
	hs := httptest.NewServer(Handler(srv.Handle, Options{
		Authenticator:       &Authenticator{Token: tokens},
		Authorize:           srv.Authorize,
		AuthorizeAttributes: srv.AuthorizeAttributes,
		Audit:               &Audit{Policy: policy, Log: log},
	}))
	t.Cleanup(hs.Close)
	return hs, srv
}

// auditedCall sends one request as token and returns its code and Audit-ID.
func auditedCall(t testing.TB, hs *httptest.Server, token, method, path, contentType, body string, header ...string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, hs.URL+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get(audit.HeaderAuditID)
}

// summary is what the test checks of an event.
type summary struct {
	Stage      audit.Stage
	User       string
	Impersonee string
	Verb       string
	Ref        audit.ObjectRef
	Code       int
	Reason     string
	Decision   string
	HasRequest bool
}

func summarize(ev *audit.Event) summary {
	s := summary{Stage: ev.Stage, User: ev.User.Username, Verb: ev.Verb, Decision: ev.Annotations["authorization.k8s.io/decision"], HasRequest: len(ev.RequestObject) > 0}
	if ev.ImpersonatedUser != nil {
		s.Impersonee = ev.ImpersonatedUser.Username
	}
	if ev.ObjectRef != nil {
		s.Ref = *ev.ObjectRef
	}
	if ev.ResponseStatus != nil {
		s.Code, s.Reason = ev.ResponseStatus.Code, ev.ResponseStatus.Reason
	}
	return s
}

func TestAuditRecordsChanges(t *testing.T) {
	policy := &audit.Policy{Rules: []audit.PolicyRule{
		{Level: audit.LevelNone, Verbs: []string{"get", "list"}},
		{Level: audit.LevelRequest, Resources: []audit.GroupResources{{Resources: []string{"configmaps"}}}},
		{Level: audit.LevelMetadata},
	}}
	hs, log, _ := serveAudited(t, policy)
	cm := audit.ObjectRef{Resource: "configmaps", Namespace: "ns1", Name: "cfg", APIVersion: "v1"}
	type step struct {
		token, method, path, contentType, body string
		header                                 []string
		want                                   []summary // nil: no events
	}
	withCode := func(s summary, code int, reason string) summary {
		s.Stage, s.Code, s.Reason = audit.StageResponseComplete, code, reason
		return s
	}
	received := func(s summary) summary {
		s.Stage, s.Decision, s.HasRequest = audit.StageRequestReceived, "", false
		return s
	}
	jane := summary{User: "jane", Ref: cm, Decision: "allow", HasRequest: true}
	create, patch, del := jane, jane, jane
	create.Verb, patch.Verb, del.Verb = "create", "patch", "delete"
	del.HasRequest = false
	forbidden := summary{User: "bob", Verb: "delete", Ref: cm, Decision: "forbid"}
	impersonated := summary{User: auth.Admin, Impersonee: "jane", Verb: "patch", Ref: cm, Decision: "allow", HasRequest: true}
	unauthenticated := summary{Verb: "create", Ref: audit.ObjectRef{Resource: "configmaps", Namespace: "ns1", APIVersion: "v1"}}
	for _, s := range []step{
		{"jane", "POST", "/api/v1/namespaces/ns1/configmaps", "application/json", `{"metadata":{"name":"cfg"},"data":{"a":"1"}}`, nil,
			[]summary{received(create), withCode(create, 201, "")}},
		{"jane", "PATCH", "/api/v1/namespaces/ns1/configmaps/cfg", "application/merge-patch+json", `{"data":{"a":"2"}}`, nil,
			[]summary{received(patch), withCode(patch, 200, "")}},
		{"jane", "GET", "/api/v1/namespaces/ns1/configmaps/cfg", "", "", nil, nil},
		{"bob", "DELETE", "/api/v1/namespaces/ns1/configmaps/cfg", "", "", nil,
			[]summary{received(forbidden), withCode(forbidden, 403, "Forbidden")}},
		{"admin", "PATCH", "/api/v1/namespaces/ns1/configmaps/cfg", "application/merge-patch+json", `{"data":{"b":"3"}}`, []string{"Impersonate-User", "jane"},
			// RequestReceived is written before impersonation is decided.
			[]summary{received(summary{User: auth.Admin, Verb: "patch", Ref: cm}), withCode(impersonated, 200, "")}},
		{"jane", "DELETE", "/api/v1/namespaces/ns1/configmaps/cfg", "", "", nil,
			[]summary{received(del), withCode(del, 200, "")}},
		{"", "POST", "/api/v1/namespaces/ns1/configmaps", "application/json", `{}`, nil,
			[]summary{received(unauthenticated), withCode(unauthenticated, 401, "Unauthorized")}},
	} {
		code, id := auditedCall(t, hs, s.token, s.method, s.path, s.contentType, s.body, s.header...)
		if id == "" {
			t.Errorf("%s %s as %q: no Audit-ID header", s.method, s.path, s.token)
		}
		var got []summary
		for _, ev := range log.of(id) {
			got = append(got, summarize(ev))
		}
		if diff := cmp.Diff(s.want, got); diff != "" {
			t.Errorf("%s %s as %q (%d): events mismatch (-want +got):\n%s", s.method, s.path, s.token, code, diff)
		}
	}
}

func TestAuditEventDetails(t *testing.T) {
	hs, log, _ := serveAudited(t, &audit.Policy{OmitStages: []audit.Stage{audit.StageRequestReceived},
		Rules: []audit.PolicyRule{{Level: audit.LevelRequestResponse}}})
	code, id := auditedCall(t, hs, "jane", "POST", "/api/v1/namespaces/ns1/configmaps?fieldManager=t", "application/json",
		`{"metadata":{"name":"c2"}}`, "User-Agent", "audit-test/1", "X-Forwarded-For", "10.9.8.7, junk", "Audit-ID", "my-trace-1")
	if code != http.StatusCreated || id != "my-trace-1" {
		t.Fatalf("POST = %d, Audit-ID %q; want 201 and the client's ID my-trace-1", code, id)
	}
	evs := log.of(id)
	if len(evs) != 1 {
		t.Fatalf("events of a create with RequestReceived omitted = %d, want 1", len(evs))
	}
	ev := evs[0]
	if ev.RequestURI != "/api/v1/namespaces/ns1/configmaps?fieldManager=t" || ev.UserAgent != "audit-test/1" ||
		!cmp.Equal(ev.SourceIPs, []string{"10.9.8.7", "127.0.0.1"}) || ev.Level != audit.LevelRequestResponse {
		t.Errorf("event = uri %q, agent %q, sourceIPs %q, level %s; want the request's, with the forwarded IP first",
			ev.RequestURI, ev.UserAgent, ev.SourceIPs, ev.Level)
	}
	var obj struct {
		Metadata struct{ Name, UID string }
	}
	if err := json.Unmarshal(ev.ResponseObject, &obj); err != nil || obj.Metadata.Name != "c2" || obj.Metadata.UID == "" {
		t.Errorf("responseObject = %s, want the created ConfigMap", ev.ResponseObject)
	}
	if ev.StageTimestamp.Before(ev.RequestReceivedTimestamp.Time) {
		t.Errorf("stageTimestamp %v before requestReceivedTimestamp %v", ev.StageTimestamp, ev.RequestReceivedTimestamp)
	}
	// A bad Audit-ID is replaced by a fresh UUID.
	_, id = auditedCall(t, hs, "jane", "GET", "/api/v1/namespaces/ns1/configmaps", "", "", "Audit-ID", strings.Repeat("x", 200))
	if len(id) != 36 {
		t.Errorf("Audit-ID for a 200-byte client ID = %q, want a new UUID", id)
	}
}

func TestAuditWatchStages(t *testing.T) {
	hs, log, _ := serveAudited(t, &audit.Policy{Rules: []audit.PolicyRule{{Level: audit.LevelMetadata}}})
	code, id := auditedCall(t, hs, "jane", "GET", "/api/v1/namespaces/ns1/configmaps?watch=true&timeoutSeconds=1", "", "")
	if code != http.StatusOK {
		t.Fatalf("watch = %d, want 200", code)
	}
	var stages []audit.Stage
	for _, ev := range log.of(id) {
		stages = append(stages, ev.Stage)
		if ev.Verb != "watch" {
			t.Errorf("watch event verb = %q, want watch", ev.Verb)
		}
	}
	want := []audit.Stage{audit.StageRequestReceived, audit.StageResponseStarted, audit.StageResponseComplete}
	if diff := cmp.Diff(want, stages); diff != "" {
		t.Errorf("stages of a watch (-want +got):\n%s", diff)
	}
}

func TestSourceIPs(t *testing.T) {
	for _, tc := range []struct {
		remote, forwarded, real string
		want                    []string
	}{
		{"127.0.0.1:5000", "", "", []string{"127.0.0.1"}},
		{"127.0.0.1:5000", "1.2.3.4, bogus, 5.6.7.8", "", []string{"1.2.3.4", "5.6.7.8", "127.0.0.1"}},
		{"127.0.0.1:5000", "1.2.3.4", "1.2.3.4", []string{"1.2.3.4", "127.0.0.1"}},
		{"127.0.0.1:5000", "", "9.9.9.9", []string{"9.9.9.9", "127.0.0.1"}},
		{"127.0.0.1:5000", "127.0.0.1", "", []string{"127.0.0.1"}},
		{"[::1]:5000", "", "", []string{"::1"}},
		{"127.0.0.1:5000", strings.Repeat("1.1.1.1,", 1000), "", []string{"1.1.1.1", "1.1.1.1", "1.1.1.1", "1.1.1.1", "1.1.1.1", "1.1.1.1", "1.1.1.1", "1.1.1.1", "127.0.0.1"}},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tc.remote
		if tc.forwarded != "" {
			r.Header.Set("X-Forwarded-For", tc.forwarded)
		}
		if tc.real != "" {
			r.Header.Set("X-Real-Ip", tc.real)
		}
		if got := sourceIPs(r); !cmp.Equal(got, tc.want) {
			t.Errorf("sourceIPs(remote %s, forwarded %.40q, real %q) = %q, want %q", tc.remote, tc.forwarded, tc.real, got, tc.want)
		}
	}
}

func TestAuditRelayedSubresources(t *testing.T) {
	hs, log, srv := serveAudited(t, &audit.Policy{Rules: []audit.PolicyRule{{Level: audit.LevelMetadata}}})
	nodeWithKubelet(t, client.New(client.Local(srv.Handle)))
	for _, tc := range []struct {
		token    string
		want     []audit.Stage
		code     int
		decision string
	}{
		{"admin", []audit.Stage{audit.StageRequestReceived, audit.StageResponseStarted, audit.StageResponseComplete}, 200, "allow"},
		{"bob", []audit.Stage{audit.StageRequestReceived, audit.StageResponseStarted, audit.StageResponseComplete}, 403, "forbid"},
	} {
		code, id := auditedCall(t, hs, tc.token, "GET", "/api/v1/namespaces/default/pods/one/log", "", "")
		evs := log.of(id)
		var stages []audit.Stage
		for _, ev := range evs {
			stages = append(stages, ev.Stage)
		}
		if code != tc.code || !cmp.Equal(stages, tc.want) {
			t.Errorf("pods/log as %s = %d with stages %q, want %d with %q", tc.token, code, stages, tc.code, tc.want)
			continue
		}
		last := evs[len(evs)-1]
		if last.Verb != "get" || last.ObjectRef.Subresource != "log" || last.ResponseStatus.Code != tc.code ||
			last.Annotations["authorization.k8s.io/decision"] != tc.decision {
			t.Errorf("pods/log as %s: event verb %q, objectRef %+v, code %d, annotations %v; want get pods/log, %d, decision %s",
				tc.token, last.Verb, *last.ObjectRef, last.ResponseStatus.Code, last.Annotations, tc.code, tc.decision)
		}
	}
}

// BenchmarkAuditedCreate measures HTTP creates with the audit log off and
// on (Metadata and RequestResponse, to a file through realnode/audit).
func BenchmarkAuditedCreate(b *testing.B) {
	for _, level := range []audit.Level{"off", audit.LevelMetadata, audit.LevelRequestResponse} {
		b.Run(string(level), func(b *testing.B) {
			var policy *audit.Policy
			var log AuditLog
			if level != "off" {
				policy = &audit.Policy{OmitStages: []audit.Stage{audit.StageRequestReceived}, Rules: []audit.PolicyRule{{Level: level}}}
				l, err := realaudit.Open(realaudit.Config{Path: filepath.Join(b.TempDir(), "audit.log")})
				if err != nil {
					b.Fatal(err)
				}
				defer l.Close()
				log = l
			}
			hs, _ := serveAuditedTo(b, policy, log)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if code, _ := auditedCall(b, hs, "admin", "POST", "/api/v1/namespaces/ns1/configmaps", "application/json",
					fmt.Sprintf(`{"metadata":{"name":"c%d"},"data":{"k":"v"}}`, i)); code != http.StatusCreated {
					b.Fatalf("create = %d", code)
				}
			}
		})
	}
}

func TestAuditPanic(t *testing.T) {
	log := &eventLog{}
	h := Handler(func(context.Context, *rest.Request) *rest.Response { panic("boom") },
		Options{Audit: &Audit{Policy: &audit.Policy{Rules: []audit.PolicyRule{{Level: audit.LevelMetadata}}}, Log: log}})
	rec := httptest.NewRecorder()
	func() {
		defer func() { recover() }()
		h.ServeHTTP(rec, httptest.NewRequest("DELETE", "/api/v1/namespaces/a/pods/p", nil))
	}()
	id := rec.Header().Get(audit.HeaderAuditID)
	var got []summary
	for _, ev := range log.of(id) {
		got = append(got, summarize(ev))
	}
	ref := audit.ObjectRef{Resource: "pods", Namespace: "a", Name: "p", APIVersion: "v1"}
	want := []summary{{Stage: audit.StageRequestReceived, Verb: "delete", Ref: ref},
		{Stage: audit.StagePanic, Verb: "delete", Ref: ref, Code: 500, Reason: "InternalError"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events of a panicking handler (-want +got):\n%s", diff)
	}
}
