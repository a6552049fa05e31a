package httpapi

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	restclient "k8s.io/client-go/rest"

	"github.com/tinykube/tinykube/core/apiserver"
	"github.com/tinykube/tinykube/core/auth"
	"github.com/tinykube/tinykube/core/clock"
	"github.com/tinykube/tinykube/core/rest"
	"github.com/tinykube/tinykube/core/store"
)

// serveAuthorized starts a bootstrapped API server with RBAC on, behind
// a stand-in authenticator for tests only (there is no TLS here): the
// bearer token (or, for kubectl, the Impersonate-User header) "admin" is
// kubernetes-admin (system:masters), any other name N is the user N
// (system:authenticated), and none is system:anonymous. In ns1, bob may get and list pods.
func serveAuthorized(t *testing.T) *httptest.Server {
	t.Helper()
	srv := apiserver.New(apiserver.Config{Store: store.NewMemory(), Clock: &clock.Fixed{T: time.Unix(1e9, 0)},
		Rand: rand.New(rand.NewPCG(1, 1)), Version: "test", Authorization: &apiserver.Authorization{}})
	ctx := context.Background()
	if err := srv.Bootstrap(ctx); err != nil {
		t.Fatal(err)
	}
	for _, obj := range []struct{ path, body string }{
		{"/api/v1/namespaces", `{"metadata":{"name":"ns1"}}`},
		{"/apis/rbac.authorization.k8s.io/v1/namespaces/ns1/roles", `{"metadata":{"name":"pod-reader"},"rules":[{"verbs":["get","list"],"apiGroups":[""],"resources":["pods"]}]}`},
		{"/apis/rbac.authorization.k8s.io/v1/namespaces/ns1/rolebindings", `{"metadata":{"name":"bob"},"subjects":[{"kind":"User","name":"bob"}],"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"pod-reader"}}`},
	} {
		resp := srv.Handle(ctx, &rest.Request{Method: http.MethodPost, Path: obj.path, ContentType: rest.ContentJSON, Body: []byte(obj.body)})
		if resp.Code != http.StatusCreated {
			t.Fatalf("POST %s = %d %s", obj.path, resp.Code, resp.Body)
		}
	}
	handle := func(ctx context.Context, req *rest.Request) *rest.Response {
		req.User = rest.UserFrom(ctx)
		return srv.Handle(ctx, req)
	}
	inner := Handler(handle, Options{})
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if as := r.Header.Get("Impersonate-User"); as != "" {
			// kubectl sends no token over plain HTTP; its --as does.
			name = as
		}
		u := auth.AnonymousUser()
		switch name {
		case "":
		case "admin":
			u = auth.AdminUser()
		default:
			u = &rest.UserInfo{Name: name, Groups: []string{auth.AllAuthenticated}}
		}
		inner.ServeHTTP(w, r.WithContext(rest.WithUser(r.Context(), u)))
	}))
	t.Cleanup(hs.Close)
	return hs
}

// clientAs is a protobuf clientset authenticating with token.
func clientAs(t *testing.T, hs *httptest.Server, token string) *kubernetes.Clientset {
	t.Helper()
	cs, err := kubernetes.NewForConfig(&restclient.Config{Host: hs.URL, BearerToken: token,
		ContentConfig: restclient.ContentConfig{ContentType: ContentProtobuf, AcceptContentTypes: ContentProtobuf}})
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func TestAccessReviewsWithClientGo(t *testing.T) {
	hs := serveAuthorized(t)
	ctx := context.Background()
	bob := clientAs(t, hs, "bob")
	for _, tc := range []struct {
		attrs *authorizationv1.ResourceAttributes
		want  bool
	}{
		{&authorizationv1.ResourceAttributes{Namespace: "ns1", Verb: "list", Resource: "pods"}, true},
		{&authorizationv1.ResourceAttributes{Namespace: "ns1", Verb: "get", Resource: "secrets"}, false},
		{&authorizationv1.ResourceAttributes{Namespace: "default", Verb: "list", Resource: "pods"}, false},
	} {
		got, err := bob.AuthorizationV1().SelfSubjectAccessReviews().Create(ctx,
			&authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{ResourceAttributes: tc.attrs}}, metav1.CreateOptions{})
		if err != nil {
			t.Fatalf("SelfSubjectAccessReview %+v: %v", tc.attrs, err)
		}
		if got.Status.Allowed != tc.want {
			t.Errorf("SelfSubjectAccessReview %+v: allowed = %v, want %v", *tc.attrs, got.Status.Allowed, tc.want)
		}
	}
	sar := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{User: "bob",
		ResourceAttributes: &authorizationv1.ResourceAttributes{Namespace: "ns1", Verb: "get", Resource: "pods", Name: "web"}}}
	got, err := clientAs(t, hs, "admin").AuthorizationV1().SubjectAccessReviews().Create(ctx, sar, metav1.CreateOptions{})
	if err != nil || !got.Status.Allowed {
		t.Errorf("SubjectAccessReview as admin of bob getting a pod = %+v, %v; want allowed", got.Status, err)
	}
	if _, err := bob.AuthorizationV1().SubjectAccessReviews().Create(ctx, sar, metav1.CreateOptions{}); !apierrors.IsForbidden(err) {
		t.Errorf("SubjectAccessReview as bob: err = %v, want Forbidden (only admins ask about others)", err)
	}
	rules, err := bob.AuthorizationV1().SelfSubjectRulesReviews().Create(ctx,
		&authorizationv1.SelfSubjectRulesReview{Spec: authorizationv1.SelfSubjectRulesReviewSpec{Namespace: "ns1"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rules.Status.ResourceRules {
		found = found || (len(r.Resources) == 1 && r.Resources[0] == "pods" && strings.Join(r.Verbs, ",") == "get,list")
	}
	if !found {
		t.Errorf("SelfSubjectRulesReview of bob in ns1 = %+v, want the get,list pods rule", rules.Status.ResourceRules)
	}
	if _, err := bob.CoreV1().Secrets("ns1").List(ctx, metav1.ListOptions{}); !apierrors.IsForbidden(err) {
		t.Errorf("bob lists secrets: err = %v, want Forbidden", err)
	}
	if _, err := clientAs(t, hs, "").CoreV1().Pods("ns1").List(ctx, metav1.ListOptions{}); !apierrors.IsForbidden(err) {
		t.Errorf("anonymous lists pods: err = %v, want Forbidden", err)
	}
}

// kubectl runs the machine's kubectl as the user of token against hs.
func kubectl(t *testing.T, hs *httptest.Server, token string, args ...string) (string, int) {
	t.Helper()
	path, err := exec.LookPath("kubectl")
	if err != nil {
		t.Skip("kubectl is not installed")
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config")
	kubeconfig := `apiVersion: v1
kind: Config
clusters: [{name: test, cluster: {server: "` + hs.URL + `"}}]
users: [{name: u, user: {as: "` + token + `"}}]
contexts: [{name: test, context: {cluster: test, user: u, namespace: ns1}}]
current-context: test
`
	if err := os.WriteFile(cfg, []byte(kubeconfig), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(path, append([]string{"--kubeconfig", cfg, "--cache-dir", filepath.Join(dir, "cache")}, args...)...)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &exit):
		return string(out), exit.ExitCode()
	}
	t.Fatalf("kubectl %v: %v", args, err)
	return "", 0
}

func TestKubectlAuthCanI(t *testing.T) {
	hs := serveAuthorized(t)
	for _, tc := range []struct {
		args []string
		want string
		code int
	}{
		{[]string{"auth", "can-i", "list", "pods"}, "yes", 0},
		{[]string{"auth", "can-i", "get", "pods/web"}, "yes", 0},
		{[]string{"auth", "can-i", "get", "secrets"}, "no", 1},
		{[]string{"auth", "can-i", "list", "pods", "-n", "default"}, "no", 1},
		{[]string{"auth", "can-i", "create", "deployments.apps"}, "no", 1},
	} {
		out, code := kubectl(t, hs, "bob", tc.args...)
		if strings.TrimSpace(out) != tc.want || code != tc.code {
			t.Errorf("kubectl %s as bob = %q (exit %d), want %q (exit %d)", strings.Join(tc.args, " "), out, code, tc.want, tc.code)
		}
	}
	out, code := kubectl(t, hs, "bob", "auth", "can-i", "--list")
	if code != 0 || !strings.Contains(out, "pods ") || !strings.Contains(out, "[get list]") || strings.Contains(out, "secrets") {
		t.Errorf("kubectl auth can-i --list as bob (exit %d):\n%s\nwant pods with [get list], and no secrets", code, out)
	}
	out, _ = kubectl(t, hs, "bob", "get", "secrets")
	if want := `secrets is forbidden: User "bob" cannot list resource "secrets" in API group "" in the namespace "ns1"`; !strings.Contains(out, want) {
		t.Errorf("kubectl get secrets as bob:\n%s\nwant it to say %q", out, want)
	}
	if out, code := kubectl(t, hs, "admin", "auth", "can-i", "delete", "nodes"); !strings.HasSuffix(strings.TrimSpace(out), "\nyes") || code != 0 {
		t.Errorf("kubectl auth can-i delete nodes as admin = %q (exit %d), want yes", out, code)
	}
}
