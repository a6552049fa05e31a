package kubelet

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/apiserver"
	"github.com/tinykube/tinykube/core/auth"
	"github.com/tinykube/tinykube/core/auth/authorizer"
	"github.com/tinykube/tinykube/core/auth/node"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/client/clienttest"
	"github.com/tinykube/tinykube/core/loop"
	"github.com/tinykube/tinykube/core/rest"
	"github.com/tinykube/tinykube/core/store"
)

// clientSource is the node authorizer's Source read through an
// in-process client, which goes straight to the store: as current as the
// API server's own. While hidePods is set it sees no pods, as a graph
// lagging behind the API would.
type clientSource struct {
	c        *client.Client
	hidePods bool
}

func (s *clientSource) PodsOnNode(ctx context.Context, namespace, nodeName string) ([]node.PodRefs, error) {
	if s.hidePods {
		return nil, nil
	}
	l, err := client.For[*api.Pod](s.c).List(ctx, namespace, client.ListOptions{FieldSelector: "spec.nodeName=" + nodeName})
	if err != nil {
		return nil, err
	}
	var out []node.PodRefs
	for _, p := range l.Items {
		out = append(out, node.PodRefs{Pod: p.Name, Refs: node.References(p)})
	}
	return out, nil
}

func (s *clientSource) PodsOnNodeNow(ctx context.Context, namespace, nodeName string) ([]node.PodRefs, error) {
	return s.PodsOnNode(ctx, namespace, nodeName)
}

func (s *clientSource) Volume(ctx context.Context, name string) (*api.PersistentVolume, error) {
	pv, err := client.For[*api.PersistentVolume](s.c).Get(ctx, "", name)
	if api.IsNotFound(err) {
		return nil, nil
	}
	return pv, err
}

// sentRequest is one request the kubelet sent and the code it got.
type sentRequest struct {
	verb, resource, namespace, name string
	code                            int
	message                         string
}

func (r sentRequest) String() string {
	return fmt.Sprintf("%s %s %s/%s: %d %s", r.verb, r.resource, r.namespace, r.name, r.code, r.message)
}

// authzWorld is a kubelet of node n1, authenticated as system:node:n1,
// against a server that authorizes with the node authorizer (nodes) and
// allows everyone else.
type authzWorld struct {
	t     *testing.T
	v     *loop.Virtual
	admin *client.Client // in-process, not authorized: the test's view
	rt    *volRuntime
	k     *Kubelet
	src   *clientSource
	sent  []sentRequest
}

func newAuthzWorld(t *testing.T) *authzWorld {
	t.Helper()
	w := &authzWorld{t: t, v: loop.NewVirtual(clienttest.Start)}
	var srv *apiserver.Server
	w.admin = client.New(client.Local(func(ctx context.Context, req *rest.Request) *rest.Response { return srv.Handle(ctx, req) }))
	w.src = &clientSource{c: w.admin}
	others := authorizer.Func(func(_ context.Context, a authorizer.Attributes) (authorizer.Decision, string, error) {
		if _, isNode := auth.NodeName(a.User); isNode {
			return authorizer.NoOpinion, "", nil
		}
		return authorizer.Allow, "", nil
	})
	srv = apiserver.New(apiserver.Config{Store: store.NewMemory(), Clock: w.v, Rand: rand.New(rand.NewPCG(1, 1)),
		Authorizer: authorizer.Union{node.New(w.src), others}})
	if err := srv.Bootstrap(context.Background()); err != nil {
		t.Fatal(err)
	}
	asNode := client.New(client.Local(func(ctx context.Context, req *rest.Request) *rest.Response {
		r := *req
		r.User = auth.NodeUser("n1")
		resp := srv.Handle(ctx, &r)
		a := authorizer.AttributesFor(&r)
		sent := sentRequest{verb: a.Verb, resource: a.ResourceString(), namespace: a.Namespace, name: a.Name, code: resp.Code}
		if resp.Code == 403 {
			var st api.Status
			json.Unmarshal(resp.Body, &st)
			sent.message = st.Message
		}
		w.sent = append(w.sent, sent)
		return resp
	}))
	w.rt = &volRuntime{fakeRuntime: fakeRuntime{now: w.v.Now}, configs: map[string]ContainerConfig{}, volumes: map[string][]PodVolume{}}
	w.k = New(Config{Loop: w.v, Client: asNode, Recorder: client.NewRecorder(w.v, asNode, "kubelet", "n1"),
		Runtime: w.rt, Prober: alwaysOK{}, NodeName: "n1", Address: "192.168.0.7",
		Capacity: api.ResourceList{api.ResourceCPU: api.MustParseQuantity("4"), api.ResourceMemory: api.MustParseQuantity("8Gi"), api.ResourcePods: api.MustParseQuantity("10")}})
	w.k.Start()
	return w
}

func (w *authzWorld) create(objs ...api.Object) {
	w.t.Helper()
	cw := &configWorld{t: w.t, c: w.admin}
	for _, o := range objs {
		cw.create(o)
	}
}

func (w *authzWorld) pod(name string) *api.Pod {
	w.t.Helper()
	p, err := client.For[*api.Pod](w.admin).Get(context.Background(), "default", name)
	if err != nil {
		w.t.Fatal(err)
	}
	return p
}

// denied returns the kubelet's requests that were refused.
func (w *authzWorld) denied() []string {
	var out []string
	for _, s := range w.sent {
		if s.code == 403 {
			out = append(out, s.String())
		}
	}
	return out
}

// configReads returns the kubelet's requests on secrets and configmaps,
// each once, sorted.
func (w *authzWorld) configReads() []string {
	var out []string
	for _, s := range w.sent {
		if s.resource == "secrets" || s.resource == "configmaps" {
			if r := fmt.Sprintf("%s %s %s/%s", s.verb, s.resource, s.namespace, s.name); !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
	}
	slices.Sort(out)
	return out
}

// events returns "Reason: message" of the events in default, sorted.
func (w *authzWorld) events() []string {
	var out []string
	for _, e := range clienttest.List[*api.Event](w.t, w.admin, "default") {
		out = append(out, e.Reason+": "+e.Message)
	}
	slices.Sort(out)
	return out
}

// configPod is pod name on n1 with a Secret env var, a ConfigMap volume
// and a projected volume (a ConfigMap, a Secret and a downward API file).
func configPod(name, cm, projected, secret string) *api.Pod {
	p := webPod(func(p *api.Pod) {
		p.Spec.ServiceAccountName = ""
		p.Spec.Containers[0].Env = []api.EnvVar{{Name: "PASSWORD", ValueFrom: &api.EnvVarSource{SecretKeyRef: &api.KeySelector{Name: secret, Key: "password"}}}}
		p.Spec.Volumes = []api.Volume{
			{Name: "cfg", VolumeSource: api.VolumeSource{ConfigMap: &api.ConfigMapVolumeSource{Name: cm}}},
			{Name: "all", VolumeSource: api.VolumeSource{Projected: &api.ProjectedVolumeSource{Sources: []api.VolumeProjection{
				{ConfigMap: &api.ConfigMapProjection{Name: projected}},
				{Secret: &api.SecretProjection{Name: secret, Items: []api.KeyToPath{{Key: "password", Path: "pw"}}}},
				{DownwardAPI: &api.DownwardAPIProjection{Items: []api.DownwardAPIVolumeFile{{Path: "name", FieldRef: &api.ObjectFieldSelector{FieldPath: "metadata.name"}}}}},
			}}}},
		}
	})
	p.Name = name
	return p
}

// TestKubeletUnderNodeAuthorizer: with the node authorizer on, the
// kubelet reads its pod's Secret and ConfigMaps by name, the container
// starts with the right values, a changed ConfigMap reaches the files,
// and none of the kubelet's requests is refused.
func TestKubeletUnderNodeAuthorizer(t *testing.T) {
	w := newAuthzWorld(t)
	// Objects no pod of n1 names: the kubelet must not read them.
	w.create(cm("other", map[string]string{"x": "y"}), secret("other", map[string]string{"x": "y"}))
	w.create(cm("cfg", map[string]string{"app.yaml": "a: 1"}), cm("extra", map[string]string{"extra.yaml": "e: 1"}),
		secret("creds", map[string]string{"password": "s3cret"}))
	w.create(configPod("web", "cfg", "extra", "creds"))
	w.v.RunFor(3 * time.Second)

	p := w.pod("web")
	if cs := p.Status.ContainerStatuses; len(cs) != 1 || cs[0].State.Running == nil {
		t.Fatalf("container statuses = %+v, want one running; events %q, refused %q", cs, w.events(), w.denied())
	}
	if diff := cmp.Diff([]EnvVar{{"PASSWORD", "s3cret"}}, w.rt.configs["app"].Env); diff != "" {
		t.Errorf("env (-want +got):\n%s", diff)
	}
	want := []PodVolume{
		{Name: "cfg", Files: &FilesVolume{Files: map[string]File{"app.yaml": {[]byte("a: 1"), 0o644}}}},
		{Name: "all", Files: &FilesVolume{Secret: true, Files: map[string]File{"extra.yaml": {[]byte("e: 1"), 0o644}, "pw": {[]byte("s3cret"), 0o644}, "name": {[]byte("web"), 0o644}}}},
	}
	if diff := cmp.Diff(want, w.rt.volumes[p.UID]); diff != "" {
		t.Errorf("volumes (-want +got):\n%s", diff)
	}

	c, err := client.For[*api.ConfigMap](w.admin).Get(context.Background(), "default", "cfg")
	if err != nil {
		t.Fatal(err)
	}
	c.Data["app.yaml"] = "a: 2"
	if _, err := client.For[*api.ConfigMap](w.admin).Update(context.Background(), c, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	w.v.RunFor(time.Second)
	if got := string(w.rt.volumes[p.UID][0].Files.Files["app.yaml"].Data); got != "a: 2" {
		t.Errorf("file app.yaml = %q 1s after the update, want %q", got, "a: 2")
	}
	if n := len(w.rt.containers); n != 1 {
		t.Errorf("%d containers, want 1 (no restart)", n)
	}

	if d := w.denied(); len(d) != 0 {
		t.Errorf("refused requests of the kubelet:\n%s", strings.Join(d, "\n"))
	}
	wantReads := []string{
		"list configmaps default/cfg", "list configmaps default/extra", "list secrets default/creds",
		"watch configmaps default/cfg", "watch configmaps default/extra", "watch secrets default/creds",
	}
	if diff := cmp.Diff(wantReads, w.configReads()); diff != "" {
		t.Errorf("the kubelet's reads of secrets and configmaps (-want +got):\n%s", diff)
	}
}

// TestConfigWatchesFollowPods: a watch starts with the first pod that
// names its object and stops with the last; another pod's objects are
// watched on their own.
func TestConfigWatchesFollowPods(t *testing.T) {
	w := newAuthzWorld(t)
	w.create(cm("shared", map[string]string{"k": "v"}), cm("own", map[string]string{"k": "v"}), secret("s", map[string]string{"password": "p"}))
	w.create(configPod("a", "shared", "own", "s"), configPod("b", "shared", "shared", "s"))
	w.v.RunFor(2 * time.Second)
	watched := func() []string {
		var out []string
		for c, cw := range w.k.config.watches {
			out = append(out, fmt.Sprintf("%s by %d", c, len(cw.users)))
		}
		slices.Sort(out)
		return out
	}
	steps := []struct {
		deletePod string
		want      []string
	}{
		{"", []string{"configmap default/own by 1", "configmap default/shared by 2", "secret default/s by 2"}},
		{"a", []string{"configmap default/shared by 1", "secret default/s by 1"}},
		{"b", nil},
	}
	zero := int64(0)
	for _, s := range steps {
		if s.deletePod != "" {
			if _, err := client.For[*api.Pod](w.admin).Delete(context.Background(), "default", s.deletePod, client.DeleteOptions{GracePeriodSeconds: &zero}); err != nil {
				t.Fatal(err)
			}
			w.v.RunFor(2 * time.Second)
		}
		if diff := cmp.Diff(s.want, watched()); diff != "" {
			t.Errorf("after deleting pod %q: watches (-want +got):\n%s", s.deletePod, diff)
		}
	}
	if d := w.denied(); len(d) != 0 {
		t.Errorf("refused requests of the kubelet:\n%s", strings.Join(d, "\n"))
	}
}

// TestRefusedConfigWatch: a by-name watch the API refuses (403) counts as
// an object the pod cannot have — the container waits, the event says
// forbidden — and is tried again with back-off, so the pod starts once
// the refusal ends. The refusal is the node authorizer's own, made while
// its view of the pods lags (it sees none of n1's).
func TestRefusedConfigWatch(t *testing.T) {
	w := newAuthzWorld(t)
	w.src.hidePods = true
	w.create(cm("cfg", map[string]string{"app.yaml": "a: 1"}), cm("extra", map[string]string{"e": "1"}),
		secret("creds", map[string]string{"password": "s3cret"}))
	w.create(configPod("web", "cfg", "extra", "creds"))
	w.v.RunFor(5 * time.Second)

	cs := w.pod("web").Status.ContainerStatuses[0]
	if cs.State.Running != nil || len(w.rt.containers) != 0 {
		t.Fatalf("container state = %+v with its objects refused, want waiting", cs.State)
	}
	want := `FailedMount: MountVolume.SetUp failed for volume "cfg" : configmaps "cfg" is forbidden: User "system:node:n1" cannot list resource "configmaps" in API group "" in the namespace "default": no relationship found between node "n1" and this object`
	if !slices.Contains(w.events(), want) {
		t.Errorf("events = %q, want %q", w.events(), want)
	}
	tries := 0
	for _, s := range w.sent {
		if s.resource == "secrets" && s.code == 403 {
			tries++
		}
	}
	// Refused at 0s, then retried after 1s and 2s more (at 1s and 3s):
	// three tries in 5s, not one per informer retry.
	if tries != 3 {
		t.Errorf("%d refused reads of the secret in 5s, want 3 (back-off 1s, 2s); refused:\n%s", tries, strings.Join(w.denied(), "\n"))
	}

	w.src.hidePods = false
	w.v.RunFor(10 * time.Second)
	if cs := w.pod("web").Status.ContainerStatuses[0]; cs.State.Running == nil {
		t.Fatalf("container state = %+v after the refusal ended, want running; events %q", cs.State, w.events())
	}
	if diff := cmp.Diff([]EnvVar{{"PASSWORD", "s3cret"}}, w.rt.configs["app"].Env); diff != "" {
		t.Errorf("env (-want +got):\n%s", diff)
	}
}
