package apiserver

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/rest"
)

// nsView is what the namespace tests compare: what a user sees of one.
type nsView struct {
	Exists      bool
	Finalizers  []string
	Phase       string
	Terminating bool // deletionTimestamp set
}

func (f *fixture) namespace(name string) nsView {
	f.t.Helper()
	ns, err := client.For[*api.Namespace](f.client).Get(f.ctx, "", name)
	if api.IsNotFound(err) {
		return nsView{}
	}
	if err != nil {
		f.t.Fatalf("get namespace %s: %v", name, err)
	}
	return nsView{Exists: true, Finalizers: ns.Spec.Finalizers, Phase: ns.Status.Phase, Terminating: ns.DeletionTimestamp != nil}
}

// TestNamespaceLifecycle walks a namespace from creation through
// Terminating to its removal by the finalize subresource, one request per
// step, checking each answer and the namespace after it.
func TestNamespaceLifecycle(t *testing.T) {
	f := newFixture(t)
	const nsPath = "/api/v1/namespaces"
	steps := []struct {
		name             string
		method, path     string
		body             string
		query            []string
		wantCode         int
		wantMessage      string // of a failure's Status
		wantNS           nsView // of "team" after the step
		wantPodsInTeamNS int
	}{
		{name: "create: the kubernetes finalizer is added to the client's",
			method: "POST", path: nsPath, body: `{"metadata":{"name":"team"},"spec":{"finalizers":["example.com/x"]}}`,
			wantCode: 201, wantNS: nsView{Exists: true, Finalizers: []string{"example.com/x", "kubernetes"}, Phase: "Active"}},
		{name: "an update does not change spec.finalizers",
			method: "PUT", path: nsPath + "/team", body: `{"metadata":{"name":"team","labels":{"a":"b"}},"spec":{"finalizers":[]}}`,
			wantCode: 200, wantNS: nsView{Exists: true, Finalizers: []string{"example.com/x", "kubernetes"}, Phase: "Active"}},
		{name: "content goes in",
			method: "POST", path: nsPath + "/team/pods", body: `{"metadata":{"name":"a"},"spec":{"containers":[{"name":"c","image":"busybox"}]}}`,
			wantCode: 201, wantNS: nsView{Exists: true, Finalizers: []string{"example.com/x", "kubernetes"}, Phase: "Active"}, wantPodsInTeamNS: 1},
		{name: "protected: default", method: "DELETE", path: nsPath + "/default",
			wantCode: 403, wantMessage: `namespaces "default" is forbidden: this namespace may not be deleted`,
			wantNS: nsView{Exists: true, Finalizers: []string{"example.com/x", "kubernetes"}, Phase: "Active"}, wantPodsInTeamNS: 1},
		{name: "protected: kube-system", method: "DELETE", path: nsPath + "/kube-system",
			wantCode: 403, wantMessage: `namespaces "kube-system" is forbidden: this namespace may not be deleted`,
			wantNS: nsView{Exists: true, Finalizers: []string{"example.com/x", "kubernetes"}, Phase: "Active"}, wantPodsInTeamNS: 1},
		{name: "protected: kube-public", method: "DELETE", path: nsPath + "/kube-public",
			wantCode: 403, wantMessage: `namespaces "kube-public" is forbidden: this namespace may not be deleted`,
			wantNS: nsView{Exists: true, Finalizers: []string{"example.com/x", "kubernetes"}, Phase: "Active"}, wantPodsInTeamNS: 1},
		{name: "a dry-run delete changes nothing", method: "DELETE", path: nsPath + "/team", query: []string{"dryRun", "All"},
			wantCode: 200, wantNS: nsView{Exists: true, Finalizers: []string{"example.com/x", "kubernetes"}, Phase: "Active"}, wantPodsInTeamNS: 1},
		{name: "delete with content: Terminating, content stays (the controller deletes it)",
			method: "DELETE", path: nsPath + "/team",
			wantCode: 200, wantNS: nsView{Exists: true, Finalizers: []string{"example.com/x", "kubernetes"}, Phase: "Terminating", Terminating: true}, wantPodsInTeamNS: 1},
		{name: "a second delete is told deletion is under way", method: "DELETE", path: nsPath + "/team",
			wantCode: 409, wantMessage: `Operation cannot be fulfilled on namespaces "team": ` + namespaceBeingPurged,
			wantNS: nsView{Exists: true, Finalizers: []string{"example.com/x", "kubernetes"}, Phase: "Terminating", Terminating: true}, wantPodsInTeamNS: 1},
		{name: "no new content in a terminating namespace",
			method: "POST", path: nsPath + "/team/configmaps", body: `{"metadata":{"name":"cm"}}`,
			wantCode: 403, wantMessage: `configmaps "cm" is forbidden: unable to create new content in namespace team because it is being terminated`,
			wantNS: nsView{Exists: true, Finalizers: []string{"example.com/x", "kubernetes"}, Phase: "Terminating", Terminating: true}, wantPodsInTeamNS: 1},
		{name: "the content can still be deleted", method: "DELETE", path: nsPath + "/team/pods/a",
			wantCode: 200, wantNS: nsView{Exists: true, Finalizers: []string{"example.com/x", "kubernetes"}, Phase: "Terminating", Terminating: true}},
		{name: "finalize is PUT only", method: "PATCH", path: nsPath + "/team/finalize", body: `{}`,
			wantCode: 405, wantNS: nsView{Exists: true, Finalizers: []string{"example.com/x", "kubernetes"}, Phase: "Terminating", Terminating: true}},
		{name: "finalize: a dry run changes nothing", method: "PUT", path: nsPath + "/team/finalize", query: []string{"dryRun", "All"},
			body:     `{"metadata":{"name":"team"},"spec":{"finalizers":["example.com/x"]}}`,
			wantCode: 200, wantNS: nsView{Exists: true, Finalizers: []string{"example.com/x", "kubernetes"}, Phase: "Terminating", Terminating: true}},
		{name: "finalize removes one finalizer; the other keeps it",
			method: "PUT", path: nsPath + "/team/finalize", body: `{"metadata":{"name":"team","labels":{"ignored":"yes"}},"spec":{"finalizers":["example.com/x"]},"status":{"phase":"Active"}}`,
			wantCode: 200, wantNS: nsView{Exists: true, Finalizers: []string{"example.com/x"}, Phase: "Terminating", Terminating: true}},
		{name: "finalize removes the last: the namespace goes",
			method: "PUT", path: nsPath + "/team/finalize", body: `{"metadata":{"name":"team"},"spec":{}}`,
			wantCode: 200, wantNS: nsView{}},
		{name: "finalize of other kinds is not served", method: "PUT", path: nsPath + "/default/pods/a/finalize", body: `{}`,
			wantCode: 404, wantNS: nsView{}},
	}
	for _, s := range steps {
		resp := f.do(s.method, s.path, rest.ContentJSON, s.body, s.query...)
		if resp.Code != s.wantCode {
			t.Fatalf("%s: %s %s = %d %s, want %d", s.name, s.method, s.path, resp.Code, resp.Body, s.wantCode)
		}
		if s.wantMessage != "" {
			if got := status(t, resp).Message; got != s.wantMessage {
				t.Errorf("%s: message %q, want %q", s.name, got, s.wantMessage)
			}
		}
		if diff := cmp.Diff(s.wantNS, f.namespace("team")); diff != "" {
			t.Errorf("%s: namespace team (-want +got):\n%s", s.name, diff)
		}
		l, err := pods(f).List(f.ctx, "team", client.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(l.Items) != s.wantPodsInTeamNS {
			t.Errorf("%s: %d pods in team, want %d", s.name, len(l.Items), s.wantPodsInTeamNS)
		}
	}
}

// TestTerminatingCause: the refusal of new content names its cause as
// Kubernetes does, so clients can tell it from an authorization failure.
func TestTerminatingCause(t *testing.T) {
	f := newFixture(t)
	if resp := f.do("POST", "/api/v1/namespaces", rest.ContentJSON, `{"metadata":{"name":"gone"}}`); resp.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", resp.Code, resp.Body)
	}
	if resp := f.do("DELETE", "/api/v1/namespaces/gone", "", ""); resp.Code != http.StatusOK {
		t.Fatalf("delete: %d %s", resp.Code, resp.Body)
	}
	resp := f.do("POST", "/api/v1/namespaces/gone/secrets", rest.ContentJSON, `{"metadata":{"name":"s"}}`)
	var st api.Status
	if err := json.Unmarshal(resp.Body, &st); err != nil {
		t.Fatal(err)
	}
	want := &api.StatusDetails{Name: "s", Kind: "secrets", Causes: []api.StatusCause{{Type: "NamespaceTerminating", Message: "namespace gone is being terminated", Field: "metadata.namespace"}}}
	if diff := cmp.Diff(want, st.Details); diff != "" || st.Reason != api.ReasonForbidden {
		t.Errorf("refusal %s: details (-want +got):\n%s", st.Reason, diff)
	}
}
