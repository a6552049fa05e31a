package controlplane

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	restclient "k8s.io/client-go/rest"

	"github.com/tinykube/tinykube/realnode/httpapi"
)

// client-go's default clientset impersonating (kubectl --as): the admin
// may act as anyone and is then judged as them; a user without the
// impersonate verb is refused before anything is done.
func TestImpersonationIsAuthorizedPartByPart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts etcd")
	}
	cfg := serverConfig(t, "imp", filepath.Join(t.TempDir(), "imp"))
	cfg.NoControllers = true
	s := start(t, cfg)
	clientset := func(cc httpapi.ClientConfig, as restclient.ImpersonationConfig) *kubernetes.Clientset {
		cs, err := kubernetes.NewForConfig(&restclient.Config{Host: s.URL, Impersonate: as,
			TLSClientConfig: restclient.TLSClientConfig{CAData: cc.CAData, CertData: cc.CertData, KeyData: cc.KeyData}})
		if err != nil {
			t.Fatal(err)
		}
		return cs
	}
	ctx := context.Background()
	canI := func(cs *kubernetes.Clientset, verb, resource string) (bool, error) {
		r, err := cs.AuthorizationV1().SelfSubjectAccessReviews().Create(ctx, &authorizationv1.SelfSubjectAccessReview{
			Spec: authorizationv1.SelfSubjectAccessReviewSpec{ResourceAttributes: &authorizationv1.ResourceAttributes{Namespace: "default", Verb: verb, Resource: resource}}}, metav1.CreateOptions{})
		if err != nil {
			return false, err
		}
		return r.Status.Allowed, nil
	}

	asJane := clientset(s.Admin(), restclient.ImpersonationConfig{UserName: "jane"})
	if ok, err := canI(asJane, "list", "secrets"); err != nil || ok {
		t.Errorf("admin as jane: can-i list secrets = %v, %v; want false (jane has no role)", ok, err)
	}
	who, err := asJane.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authenticationv1.SelfSubjectReview{}, metav1.CreateOptions{})
	if err != nil || who.Status.UserInfo.Username != "jane" {
		t.Errorf("admin as jane: whoami = %+v, %v; want jane", who, err)
	}
	asMaster := clientset(s.Admin(), restclient.ImpersonationConfig{UserName: "root", Groups: []string{"system:masters"}})
	if ok, err := canI(asMaster, "list", "secrets"); err != nil || !ok {
		t.Errorf("admin as root in system:masters: can-i list secrets = %v, %v; want true", ok, err)
	}

	alice, err := s.ClientConfig("alice", "dev")
	if err != nil {
		t.Fatal(err)
	}
	_, err = canI(clientset(alice, restclient.ImpersonationConfig{UserName: "kubernetes-admin", Groups: []string{"system:masters"}}), "list", "secrets")
	if err == nil || !strings.Contains(err.Error(), `User "alice" cannot impersonate resource "users"`) {
		t.Errorf("alice impersonating the admin: error %v, want a refusal to impersonate users", err)
	}
	_, err = asJane.CoreV1().Secrets("default").List(ctx, metav1.ListOptions{})
	if err == nil || !strings.Contains(err.Error(), `User "jane" cannot list resource "secrets"`) {
		t.Errorf("admin as jane listing secrets: error %v, want jane refused", err)
	}
}
