package kubelet

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/rest"
)

// tokenServer stands in for the API server's serviceaccounts/token
// subresource (another part of the API server), passing every other
// request on: it signs "tok-1", "tok-2", ... living as long as asked, and
// remembers each request.
type tokenServer struct {
	inner    client.Transport
	now      func() time.Time
	requests []api.TokenRequest
	paths    []string
	fail     bool // answer 404, as for a missing ServiceAccount
}

func (s *tokenServer) Do(ctx context.Context, req *rest.Request) (*rest.Response, error) {
	if req.Method != http.MethodPost || !strings.HasSuffix(req.Path, "/token") {
		return s.inner.Do(ctx, req)
	}
	parts := strings.Split(req.Path, "/") // "", api, v1, namespaces, NS, serviceaccounts, NAME, token
	if s.fail {
		st := api.NewStatusError(404, api.ReasonNotFound, nil, "serviceaccounts %q not found", parts[6]).Status
		body, _ := json.Marshal(st)
		return &rest.Response{Code: 404, Body: body}, nil
	}
	var tr api.TokenRequest
	if err := json.Unmarshal(req.Body, &tr); err != nil {
		return nil, err
	}
	s.requests = append(s.requests, tr)
	s.paths = append(s.paths, req.Path)
	tr.Status.Token = fmt.Sprintf("tok-%d", len(s.requests))
	tr.Status.ExpirationTimestamp = *api.NewTime(s.now().Add(secondsDuration(*tr.Spec.ExpirationSeconds)))
	body, _ := json.Marshal(tr)
	return &rest.Response{Code: 201, Body: body}, nil
}

func newTokenWorld(t *testing.T) (*configWorld, *tokenServer) {
	ts := &tokenServer{}
	w := newConfigWorldVia(t, func(inner client.Transport) client.Transport { ts.inner = inner; return ts })
	ts.now = w.v.Now
	return w, ts
}

// tokenPod is webPod with the volume Kubernetes' admission gives pods: a
// token, the cluster's CA and the namespace, projected together.
func tokenPod(src api.ServiceAccountTokenProjection) *api.Pod {
	return webPod(func(p *api.Pod) {
		p.Spec.Volumes = []api.Volume{{Name: "kube-api-access", VolumeSource: api.VolumeSource{Projected: &api.ProjectedVolumeSource{
			DefaultMode: ptr[int32](0o644),
			Sources: []api.VolumeProjection{
				{ServiceAccountToken: &src},
				{DownwardAPI: &api.DownwardAPIProjection{Items: []api.DownwardAPIVolumeFile{{Path: "namespace", FieldRef: &api.ObjectFieldSelector{FieldPath: "metadata.namespace"}}}}},
			}}}}}
		p.Spec.Containers[0].VolumeMounts = []api.VolumeMount{{Name: "kube-api-access", MountPath: "/var/run/secrets/kubernetes.io/serviceaccount", ReadOnly: true}}
	})
}

// tokenFile returns the token file of the pod's only volume, or "".
func (w *configWorld) tokenFile(uid string) string {
	vols := w.rt.volumes[uid]
	if len(vols) != 1 || vols[0].Files == nil {
		return ""
	}
	return string(vols[0].Files.Files["token"].Data)
}

func TestTokenProjectionIsRequestedBoundToThePod(t *testing.T) {
	w, ts := newTokenWorld(t)
	w.create(tokenPod(api.ServiceAccountTokenProjection{Path: "token", Audience: "vault"}))
	w.v.RunFor(2 * time.Second)
	p := w.pod()
	if p.Status.Phase != api.PodRunning {
		t.Fatalf("phase = %s, want Running (events %q)", p.Status.Phase, w.events())
	}
	three := int64(3600)
	want := []api.TokenRequest{{TypeMeta: api.TypeMeta{APIVersion: "authentication.k8s.io/v1", Kind: "TokenRequest"},
		ObjectMeta: api.ObjectMeta{Name: "robot", Namespace: "default"},
		Spec: api.TokenRequestSpec{Audiences: []string{"vault"}, ExpirationSeconds: &three,
			BoundObjectRef: &api.BoundObjectReference{Kind: "Pod", APIVersion: "v1", Name: "web", UID: p.UID}}}}
	if diff := cmp.Diff(want, ts.requests); diff != "" {
		t.Errorf("token requests (-want +got):\n%s", diff)
	}
	if got, want := ts.paths, []string{"/api/v1/namespaces/default/serviceaccounts/robot/token"}; !cmp.Equal(got, want) {
		t.Errorf("token request paths = %q, want %q", got, want)
	}
	vols := w.rt.volumes[p.UID]
	wantVol := []PodVolume{{Name: "kube-api-access", Files: &FilesVolume{Secret: true, Files: map[string]File{
		"token": {Data: []byte("tok-1"), Mode: 0o644}, "namespace": {Data: []byte("default"), Mode: 0o644}}}}}
	if diff := cmp.Diff(wantVol, vols); diff != "" {
		t.Errorf("volumes (-want +got):\n%s", diff)
	}
}

func TestTokenIsRefreshedAtEightyPercentOfItsLife(t *testing.T) {
	tests := []struct {
		name     string
		seconds  *int64
		early    time.Duration // the first token is still there
		late     time.Duration // a second one has replaced it
		requests int
	}{
		{"default hour: at 48m", nil, 47 * time.Minute, 49 * time.Minute, 2},
		{"ten minutes: at 8m", ptr[int64](600), 7 * time.Minute, 9 * time.Minute, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, ts := newTokenWorld(t)
			w.create(tokenPod(api.ServiceAccountTokenProjection{Path: "token", ExpirationSeconds: tt.seconds}))
			w.v.RunFor(tt.early)
			uid := w.pod().UID
			if got := w.tokenFile(uid); got != "tok-1" {
				t.Fatalf("token file after %s = %q, want tok-1", tt.early, got)
			}
			w.v.RunFor(tt.late - tt.early)
			if got := w.tokenFile(uid); got != "tok-2" {
				t.Fatalf("token file after %s = %q, want tok-2", tt.late, got)
			}
			if len(ts.requests) != tt.requests {
				t.Errorf("token requests after %s = %d, want %d (one per refresh, none per sync)", tt.late, len(ts.requests), tt.requests)
			}
		})
	}
}

func TestTokenRefreshAt(t *testing.T) {
	exp := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		lifetime time.Duration
		want     time.Time // when the token is due, counted from its issue
	}{
		{time.Hour, exp.Add(-time.Hour).Add(48 * time.Minute)},
		{10 * time.Minute, exp.Add(-10 * time.Minute).Add(8 * time.Minute)},
		{24 * time.Hour, exp.Add(-24 * time.Hour).Add(time.Duration(0.8 * float64(24*time.Hour)))},
		{48 * time.Hour, exp.Add(-48 * time.Hour).Add(24 * time.Hour)}, // capped at a day
		{365 * 24 * time.Hour, exp.Add(-365 * 24 * time.Hour).Add(24 * time.Hour)},
	}
	for _, tt := range tests {
		if got := tokenRefreshAt(exp, tt.lifetime); !got.Equal(tt.want) {
			t.Errorf("tokenRefreshAt(%s, %s) = %s, want %s", exp, tt.lifetime, got, tt.want)
		}
	}
}

func TestFailedTokenRequestIsFailedMountAndThePodWaits(t *testing.T) {
	w, ts := newTokenWorld(t)
	ts.fail = true
	w.create(tokenPod(api.ServiceAccountTokenProjection{Path: "token"}))
	w.v.RunFor(3 * time.Second)
	p := w.pod()
	if p.Status.Phase != api.PodPending || len(w.rt.configs) != 0 {
		t.Fatalf("without a token: phase %s, %d containers created, want Pending and none", p.Status.Phase, len(w.rt.configs))
	}
	want := `Warning FailedMount: MountVolume.SetUp failed for volume "kube-api-access" : failed to fetch token: serviceaccounts "robot" not found`
	if ev := w.events(); !contains(ev, want) {
		t.Errorf("events = %q, want one %q", ev, want)
	}
	ts.fail = false
	w.v.RunFor(mountRetry + time.Second)
	if p := w.pod(); p.Status.Phase != api.PodRunning || w.tokenFile(p.UID) != "tok-1" {
		t.Errorf("once the token can be had: phase %s, token %q, want Running with tok-1", p.Status.Phase, w.tokenFile(p.UID))
	}
}

func TestFailedRefreshKeepsTheUnexpiredToken(t *testing.T) {
	w, ts := newTokenWorld(t)
	w.create(tokenPod(api.ServiceAccountTokenProjection{Path: "token"}))
	w.v.RunFor(time.Second)
	uid := w.pod().UID
	ts.fail = true
	w.v.RunFor(50 * time.Minute) // past the refresh, before the end
	if got := w.tokenFile(uid); got != "tok-1" {
		t.Errorf("token file after a failed refresh = %q, want tok-1 (still valid)", got)
	}
	if p := w.pod(); p.Status.Phase != api.PodRunning {
		t.Errorf("phase after a failed refresh = %s, want Running", p.Status.Phase)
	}
	ts.fail = false
	w.v.RunFor(mountRetry + time.Second)
	if got := w.tokenFile(uid); got != "tok-2" {
		t.Errorf("token file once the server answers again = %q, want tok-2", got)
	}
}

func TestDeletedPodForgetsItsTokens(t *testing.T) {
	w, _ := newTokenWorld(t)
	w.create(tokenPod(api.ServiceAccountTokenProjection{Path: "token"}))
	w.v.RunFor(time.Second)
	if n := len(w.k.tokens.tokens); n != 1 {
		t.Fatalf("tokens cached for a running pod = %d, want 1", n)
	}
	zero := int64(0)
	if _, err := client.For[*api.Pod](w.c).Delete(context.Background(), "default", "web", client.DeleteOptions{GracePeriodSeconds: &zero}); err != nil {
		t.Fatal(err)
	}
	w.v.RunFor(2 * time.Second)
	if n := len(w.k.tokens.tokens); n != 0 {
		t.Errorf("tokens cached after the pod is gone = %d, want 0", n)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
