package httpapi

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"math/rand/v2"
	"net/http/httptest"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	restclient "k8s.io/client-go/rest"

	"github.com/tinykube/tinykube/core/apiserver"
	"github.com/tinykube/tinykube/core/auth"
	"github.com/tinykube/tinykube/core/auth/serviceaccount"
	"github.com/tinykube/tinykube/core/clock"
	"github.com/tinykube/tinykube/core/rest"
	"github.com/tinykube/tinykube/core/store"
)

// asUser is a test-only edge: every request is from u. (The real edge
// authenticates certificates and tokens; production code never does this.)
func asUser(h Handle, u *rest.UserInfo) Handle {
	return func(ctx context.Context, req *rest.Request) *rest.Response {
		req.User = u
		return h(ctx, req)
	}
}

// TestTokensWithClientGo drives TokenRequest (kubectl create token),
// TokenReview and SelfSubjectReview (kubectl auth whoami) through
// client-go's typed clients, which speak protobuf.
func TestTokensWithClientGo(t *testing.T) {
	keys := serviceaccount.NewKeys(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, ed25519.SeedSize)))
	srv := apiserver.New(apiserver.Config{Store: store.NewMemory(), Clock: &clock.Fixed{T: time.Unix(1e9, 0)},
		Rand: rand.New(rand.NewPCG(1, 1)), Version: "test", ServiceAccountKeys: keys})
	ctx := context.Background()
	if err := srv.Bootstrap(ctx); err != nil {
		t.Fatal(err)
	}
	log := &mediaLog{sent: map[string]int{}, got: map[string]int{}}
	hs := httptest.NewServer(log.wrap(Handler(asUser(srv.Handle, auth.AdminUser()), Options{})))
	t.Cleanup(hs.Close)
	cs, err := kubernetes.NewForConfig(&restclient.Config{Host: hs.URL})
	if err != nil {
		t.Fatal(err)
	}
	sa, err := cs.CoreV1().ServiceAccounts("default").Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "robot"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create serviceaccount: %v", err)
	}
	seconds := int64(600)
	tr, err := cs.CoreV1().ServiceAccounts("default").CreateToken(ctx, "robot", &authenticationv1.TokenRequest{
		Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: &seconds}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("CreateToken: %v", err)
	}
	if tr.Status.Token == "" || !tr.Status.ExpirationTimestamp.Time.Equal(time.Unix(1e9+600, 0)) {
		t.Errorf("CreateToken status = token %q, expires %v; want a token expiring at %v", tr.Status.Token, tr.Status.ExpirationTimestamp, time.Unix(1e9+600, 0).UTC())
	}
	if _, err := cs.CoreV1().ServiceAccounts("default").CreateToken(ctx, "nobody", &authenticationv1.TokenRequest{}, metav1.CreateOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("CreateToken(nobody) error = %v, want NotFound", err)
	}

	rv, err := cs.AuthenticationV1().TokenReviews().Create(ctx, &authenticationv1.TokenReview{Spec: authenticationv1.TokenReviewSpec{Token: tr.Status.Token}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("TokenReview: %v", err)
	}
	if !rv.Status.Authenticated || rv.Status.User.Username != "system:serviceaccount:default:robot" || rv.Status.User.UID != string(sa.UID) {
		t.Errorf("TokenReview status = %+v, want authenticated as system:serviceaccount:default:robot uid %s", rv.Status, sa.UID)
	}
	rv, err = cs.AuthenticationV1().TokenReviews().Create(ctx, &authenticationv1.TokenReview{Spec: authenticationv1.TokenReviewSpec{Token: tr.Status.Token + "x"}}, metav1.CreateOptions{})
	if err != nil || rv.Status.Authenticated || rv.Status.Error == "" {
		t.Errorf("TokenReview(tampered) = %+v, %v; want unauthenticated with an error", rv.Status, err)
	}

	who, err := cs.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authenticationv1.SelfSubjectReview{}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("SelfSubjectReview: %v", err)
	}
	if who.Status.UserInfo.Username != auth.Admin {
		t.Errorf("SelfSubjectReview user = %q, want %q", who.Status.UserInfo.Username, auth.Admin)
	}
	if log.sent[ContentProtobuf] == 0 || log.got[ContentProtobuf] == 0 {
		t.Errorf("content types sent %v, answered %v; want protobuf both ways", log.sent, log.got)
	}
}
