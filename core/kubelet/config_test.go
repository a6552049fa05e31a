package kubelet

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/client/clienttest"
	"github.com/tinykube/tinykube/core/loop"
)

// volRuntime is fakeRuntime that also makes volumes, and remembers what
// the kubelet asked of it: each container's config, each pod's volumes.
type volRuntime struct {
	fakeRuntime
	configs   map[string]ContainerConfig // by container name
	volumes   map[string][]PodVolume     // by pod UID
	teardowns []string
}

func (r *volRuntime) CreateContainer(sb string, cfg ContainerConfig) (string, error) {
	r.configs[cfg.Name] = cfg
	return r.fakeRuntime.CreateContainer(sb, cfg)
}
func (r *volRuntime) SetupVolumes(uid string, vols []PodVolume) error {
	r.volumes[uid] = vols
	return nil
}
func (r *volRuntime) TeardownVolumes(uid string) error {
	r.teardowns = append(r.teardowns, uid)
	delete(r.volumes, uid)
	return nil
}

type fixedClaims map[string]string // claim name -> node path

func (f fixedClaims) ResolveClaim(ns, claim string) (LocalVolume, error) {
	if p, ok := f[claim]; ok {
		return LocalVolume{Path: p}, nil
	}
	return LocalVolume{}, fmt.Errorf("persistentvolumeclaim %q not bound", claim)
}

type configWorld struct {
	t  *testing.T
	v  *loop.Virtual
	c  *client.Client
	rt *volRuntime
	k  *Kubelet
}

func newConfigWorld(t *testing.T, objs ...api.Object) *configWorld {
	t.Helper()
	return newConfigWorldVia(t, nil, objs...)
}

// newConfigWorldVia is newConfigWorld whose kubelet reaches the API
// server through wrap(the direct transport), when wrap is set.
func newConfigWorldVia(t *testing.T, wrap func(client.Transport) client.Transport, objs ...api.Object) *configWorld {
	t.Helper()
	e := clienttest.New(t, 1, 1)
	rt := &volRuntime{fakeRuntime: fakeRuntime{now: e.Loop.Now}, configs: map[string]ContainerConfig{}, volumes: map[string][]PodVolume{}}
	kc := e.Client
	if wrap != nil {
		kc = client.New(wrap(client.Local(e.Server.Handle)))
	}
	k := New(Config{Loop: e.Loop, Client: kc, Recorder: client.NewRecorder(e.Loop, e.Client, "kubelet", "n1"),
		Runtime: rt, Prober: alwaysOK{}, NodeName: "n1", Address: "192.168.0.7",
		Capacity: api.ResourceList{api.ResourceCPU: api.MustParseQuantity("4"), api.ResourceMemory: api.MustParseQuantity("8Gi"), api.ResourcePods: api.MustParseQuantity("10")},
		Claims:   fixedClaims{"data": "/var/lib/tinykube/volumes/pv-1"}})
	k.Start()
	w := &configWorld{t: t, v: e.Loop, c: e.Client, rt: rt, k: k}
	for _, o := range objs {
		w.create(o)
	}
	return w
}

func (w *configWorld) create(o api.Object) {
	w.t.Helper()
	var err error
	switch o := o.(type) {
	case *api.ConfigMap:
		_, err = client.For[*api.ConfigMap](w.c).Create(context.Background(), o, client.WriteOptions{})
	case *api.Secret:
		_, err = client.For[*api.Secret](w.c).Create(context.Background(), o, client.WriteOptions{})
	case *api.Pod:
		_, err = client.For[*api.Pod](w.c).Create(context.Background(), o, client.WriteOptions{})
	case *api.Service:
		_, err = client.For[*api.Service](w.c).Create(context.Background(), o, client.WriteOptions{})
	case *api.Namespace:
		_, err = client.For[*api.Namespace](w.c).Create(context.Background(), o, client.WriteOptions{})
	}
	if err != nil {
		w.t.Fatal(err)
	}
}

func (w *configWorld) pod() *api.Pod {
	w.t.Helper()
	p, err := client.For[*api.Pod](w.c).Get(context.Background(), "default", "web")
	if err != nil {
		w.t.Fatal(err)
	}
	return p
}

// events returns "Type Reason: message" of the pod's events, sorted.
func (w *configWorld) events() []string {
	l, err := client.For[*api.Event](w.c).List(context.Background(), "default", client.ListOptions{})
	if err != nil {
		w.t.Fatal(err)
	}
	var out []string
	for _, e := range l.Items {
		out = append(out, e.Type+" "+e.Reason+": "+e.Message)
	}
	slices.Sort(out)
	return out
}

func cm(name string, data map[string]string) *api.ConfigMap {
	return &api.ConfigMap{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default"}, Data: data}
}

func secret(name string, data map[string]string) *api.Secret {
	s := &api.Secret{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default"}, Data: map[string][]byte{}}
	for k, v := range data {
		s.Data[k] = []byte(v)
	}
	return s
}

func webPod(mutate func(*api.Pod)) *api.Pod {
	p := &api.Pod{ObjectMeta: api.ObjectMeta{Name: "web", Namespace: "default", UID: "", Labels: map[string]string{"app": "web", "tier": "front"}},
		Spec: api.PodSpec{NodeName: "n1", ServiceAccountName: "robot", Containers: []api.Container{{Name: "app", Image: "i:1",
			Resources: api.ResourceRequirements{Limits: api.ResourceList{api.ResourceMemory: api.MustParseQuantity("64Mi")},
				Requests: api.ResourceList{api.ResourceCPU: api.MustParseQuantity("250m")}}}}}}
	mutate(p)
	return p
}

func optional() *bool { b := true; return &b }

func TestContainerEnvResolution(t *testing.T) {
	ref := func(r *api.KeySelector) *api.EnvVarSource { return &api.EnvVarSource{ConfigMapKeyRef: r} }
	sref := func(r *api.KeySelector) *api.EnvVarSource { return &api.EnvVarSource{SecretKeyRef: r} }
	field := func(p string) *api.EnvVarSource {
		return &api.EnvVarSource{FieldRef: &api.ObjectFieldSelector{FieldPath: p}}
	}
	res := func(r, div string) *api.EnvVarSource {
		s := &api.ResourceFieldSelector{Resource: r}
		if div != "" {
			q := api.MustParseQuantity(div)
			s.Divisor = &q
		}
		return &api.EnvVarSource{ResourceFieldRef: s}
	}
	objs := []api.Object{cm("cfg", map[string]string{"LEVEL": "debug", "bad-name": "x", "MODE": "fast"}), secret("creds", map[string]string{"password": "s3cret"})}
	tests := []struct {
		name    string
		env     []api.EnvVar
		envFrom []api.EnvFromSource
		want    []EnvVar
		waiting string // the container's waiting message when it cannot start
	}{
		{name: "configMapKeyRef and secretKeyRef", env: []api.EnvVar{
			{Name: "LOG", ValueFrom: ref(&api.KeySelector{Name: "cfg", Key: "LEVEL"})},
			{Name: "PW", ValueFrom: sref(&api.KeySelector{Name: "creds", Key: "password"})},
		}, want: []EnvVar{{"LOG", "debug"}, {"PW", "s3cret"}}},
		{name: "optional missing key and object are left out", env: []api.EnvVar{
			{Name: "A", ValueFrom: ref(&api.KeySelector{Name: "cfg", Key: "NOPE", Optional: optional()})},
			{Name: "B", ValueFrom: sref(&api.KeySelector{Name: "gone", Key: "k", Optional: optional()})},
			{Name: "C", Value: "c"},
		}, want: []EnvVar{{"C", "c"}}},
		{name: "a literal value refers to variables defined before it", env: []api.EnvVar{
			{Name: "LOG", ValueFrom: ref(&api.KeySelector{Name: "cfg", Key: "LEVEL"})},
			{Name: "NAME", ValueFrom: field("metadata.name")},
			{Name: "DIR", Value: "/var/$(NAME)/$(LOG)/$(LATER)/$$(NAME)"},
			{Name: "LATER", Value: "late"},
		}, want: []EnvVar{{"LOG", "debug"}, {"NAME", "web"}, {"DIR", "/var/web/debug/$(LATER)/$(NAME)"}, {"LATER", "late"}}},
		{name: "missing key", env: []api.EnvVar{{Name: "A", ValueFrom: ref(&api.KeySelector{Name: "cfg", Key: "NOPE"})}},
			waiting: "couldn't find key NOPE in ConfigMap default/cfg"},
		{name: "missing secret", env: []api.EnvVar{{Name: "A", ValueFrom: sref(&api.KeySelector{Name: "gone", Key: "k"})}},
			waiting: `secret "gone" not found`},
		{name: "downward API fields", env: []api.EnvVar{
			{Name: "NAME", ValueFrom: field("metadata.name")}, {Name: "NS", ValueFrom: field("metadata.namespace")},
			{Name: "NODE", ValueFrom: field("spec.nodeName")}, {Name: "SA", ValueFrom: field("spec.serviceAccountName")},
			{Name: "TIER", ValueFrom: field("metadata.labels['tier']")}, {Name: "HOST", ValueFrom: field("status.hostIP")},
			{Name: "IP", ValueFrom: field("status.podIP")},
		}, want: []EnvVar{{"NAME", "web"}, {"NS", "default"}, {"NODE", "n1"}, {"SA", "robot"}, {"TIER", "front"}, {"HOST", "192.168.0.7"}, {"IP", "10.0.0.1"}}},
		{name: "resourceFieldRef", env: []api.EnvVar{
			{Name: "MEM_MI", ValueFrom: res("limits.memory", "1Mi")}, {Name: "CPU_M", ValueFrom: res("requests.cpu", "1m")},
			{Name: "CPU", ValueFrom: res("requests.cpu", "")}, {Name: "CPU_LIMIT", ValueFrom: res("limits.cpu", "")},
		}, want: []EnvVar{{"MEM_MI", "64"}, {"CPU_M", "250"}, {"CPU", "1"}, {"CPU_LIMIT", "4"}}},
		{name: "envFrom with prefix, env overrides in place", envFrom: []api.EnvFromSource{
			{Prefix: "CFG_", ConfigMapRef: &api.LocalRef{Name: "cfg"}}, {SecretRef: &api.LocalRef{Name: "creds"}},
			{ConfigMapRef: &api.LocalRef{Name: "gone", Optional: optional()}},
		}, env: []api.EnvVar{{Name: "CFG_LEVEL", Value: "info"}},
			want: []EnvVar{{"CFG_LEVEL", "info"}, {"CFG_MODE", "fast"}, {"CFG_bad-name", "x"}, {"password", "s3cret"}}},
		{name: "envFrom a missing ConfigMap", envFrom: []api.EnvFromSource{{ConfigMapRef: &api.LocalRef{Name: "gone"}}},
			waiting: `configmap "gone" not found`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newConfigWorld(t, objs...)
			w.create(webPod(func(p *api.Pod) { p.Spec.Containers[0].Env, p.Spec.Containers[0].EnvFrom = tt.env, tt.envFrom }))
			w.v.RunFor(2 * time.Second)
			cs := w.pod().Status.ContainerStatuses[0]
			if tt.waiting != "" {
				want := api.ContainerStateWaiting{Reason: "CreateContainerConfigError", Message: tt.waiting}
				if cs.State.Waiting == nil || *cs.State.Waiting != want {
					t.Fatalf("container state = %+v, want waiting %+v", cs.State, want)
				}
				if ev := "Warning Failed: Error: " + tt.waiting; !slices.Contains(w.events(), ev) {
					t.Errorf("events = %q, want %q", w.events(), ev)
				}
				return
			}
			if cs.State.Running == nil {
				t.Fatalf("container state = %+v, want running", cs.State)
			}
			if diff := cmp.Diff(tt.want, w.rt.configs["app"].Env); diff != "" {
				t.Errorf("env (-want +got):\n%s", diff)
			}
		})
	}
}

// TestEnvFromSkipsInvalidNames: a key that is no variable name is an
// event, not a failure. (IsEnvVarName allows "bad-name"; a key starting
// with a digit is not allowed.)
func TestEnvFromSkipsInvalidNames(t *testing.T) {
	w := newConfigWorld(t, cm("cfg", map[string]string{"1st": "x", "OK": "y"}))
	w.create(webPod(func(p *api.Pod) {
		p.Spec.Containers[0].EnvFrom = []api.EnvFromSource{{ConfigMapRef: &api.LocalRef{Name: "cfg"}}}
	}))
	w.v.RunFor(2 * time.Second)
	if diff := cmp.Diff([]EnvVar{{"OK", "y"}}, w.rt.configs["app"].Env); diff != "" {
		t.Errorf("env (-want +got):\n%s", diff)
	}
	want := "Warning InvalidEnvironmentVariableNames: Keys [1st] from the EnvFrom configMap default/cfg were skipped since they are considered invalid environment variable names."
	if !slices.Contains(w.events(), want) {
		t.Errorf("events = %q, want %q", w.events(), want)
	}
}

// TestContainerStartsOnceConfigAppears: a container waiting for a missing
// key starts when the ConfigMap is created, with no restart of the pod.
func TestContainerStartsOnceConfigAppears(t *testing.T) {
	w := newConfigWorld(t)
	w.create(webPod(func(p *api.Pod) {
		p.Spec.Containers[0].Env = []api.EnvVar{{Name: "LOG", ValueFrom: &api.EnvVarSource{ConfigMapKeyRef: &api.KeySelector{Name: "cfg", Key: "LEVEL"}}}}
	}))
	w.v.RunFor(5 * time.Second)
	if st := w.pod().Status.ContainerStatuses[0].State; st.Waiting == nil || st.Waiting.Reason != "CreateContainerConfigError" {
		t.Fatalf("before the ConfigMap: state %+v, want waiting CreateContainerConfigError", st)
	}
	w.create(cm("cfg", map[string]string{"LEVEL": "debug"}))
	w.v.RunFor(time.Second)
	p := w.pod()
	if st := p.Status.ContainerStatuses[0].State; st.Running == nil || p.Status.Phase != api.PodRunning {
		t.Fatalf("1s after the ConfigMap: phase %s state %+v, want Running", p.Status.Phase, st)
	}
	if diff := cmp.Diff([]EnvVar{{"LOG", "debug"}}, w.rt.configs["app"].Env); diff != "" {
		t.Errorf("env (-want +got):\n%s", diff)
	}
}

func TestVolumeResolution(t *testing.T) {
	mode := func(m int32) *int32 { return &m }
	objs := []api.Object{cm("cfg", map[string]string{"app.yaml": "a: 1", "other": "o"}), secret("creds", map[string]string{"tls.key": "K", "tls.crt": "C"})}
	tests := []struct {
		name    string
		vols    []api.Volume
		mounts  []api.VolumeMount
		want    []PodVolume
		failed  string // the FailedMount event's message, when the pod must wait
		fsGroup *int64
	}{
		{name: "emptyDir and hostPath", vols: []api.Volume{
			{Name: "scratch", VolumeSource: api.VolumeSource{EmptyDir: &api.EmptyDirVolumeSource{Medium: "Memory", SizeLimit: ptr(api.MustParseQuantity("1Mi"))}}},
			{Name: "logs", VolumeSource: api.VolumeSource{HostPath: &api.HostPathVolumeSource{Path: "/var/log", Type: "Directory"}}},
		}, mounts: []api.VolumeMount{{Name: "scratch", MountPath: "/tmp"}, {Name: "logs", MountPath: "/logs", SubPath: "app", ReadOnly: true}},
			want: []PodVolume{
				{Name: "scratch", EmptyDir: &EmptyDirVolume{Medium: "Memory", SizeLimitBytes: 1 << 20}},
				{Name: "logs", HostPath: &HostPathVolume{Path: "/var/log", Type: "Directory"}},
			}},
		{name: "configMap all keys, secret items with modes", vols: []api.Volume{
			{Name: "cfg", VolumeSource: api.VolumeSource{ConfigMap: &api.ConfigMapVolumeSource{Name: "cfg"}}},
			{Name: "tls", VolumeSource: api.VolumeSource{Secret: &api.SecretVolumeSource{SecretName: "creds", DefaultMode: mode(0o400),
				Items: []api.KeyToPath{{Key: "tls.key", Path: "private/key"}, {Key: "tls.crt", Path: "cert", Mode: mode(0o444)}}}}},
		}, want: []PodVolume{
			{Name: "cfg", Files: &FilesVolume{Files: map[string]File{"app.yaml": {[]byte("a: 1"), 0o644}, "other": {[]byte("o"), 0o644}}}},
			{Name: "tls", Files: &FilesVolume{Secret: true, Files: map[string]File{"private/key": {[]byte("K"), 0o400}, "cert": {[]byte("C"), 0o444}}}},
		}},
		{name: "downwardAPI and projected", vols: []api.Volume{
			{Name: "info", VolumeSource: api.VolumeSource{DownwardAPI: &api.DownwardAPIVolumeSource{Items: []api.DownwardAPIVolumeFile{
				{Path: "labels", FieldRef: &api.ObjectFieldSelector{FieldPath: "metadata.labels"}},
				{Path: "mem", ResourceFieldRef: &api.ResourceFieldSelector{ContainerName: "app", Resource: "limits.memory", Divisor: ptr(api.MustParseQuantity("1Mi"))}},
			}}}},
			{Name: "all", VolumeSource: api.VolumeSource{Projected: &api.ProjectedVolumeSource{DefaultMode: mode(0o440), Sources: []api.VolumeProjection{
				{ConfigMap: &api.ConfigMapProjection{Name: "cfg", Items: []api.KeyToPath{{Key: "app.yaml", Path: "app.yaml"}}}},
				{Secret: &api.SecretProjection{Name: "creds", Items: []api.KeyToPath{{Key: "tls.crt", Path: "tls.crt"}}}},
				{DownwardAPI: &api.DownwardAPIProjection{Items: []api.DownwardAPIVolumeFile{{Path: "name", FieldRef: &api.ObjectFieldSelector{FieldPath: "metadata.name"}}}}},
			}}}},
		}, want: []PodVolume{
			{Name: "info", Files: &FilesVolume{Files: map[string]File{"labels": {[]byte("app=\"web\"\ntier=\"front\""), 0o644}, "mem": {[]byte("64"), 0o644}}}},
			{Name: "all", Files: &FilesVolume{Secret: true, Files: map[string]File{"app.yaml": {[]byte("a: 1"), 0o440}, "tls.crt": {[]byte("C"), 0o440}, "name": {[]byte("web"), 0o440}}}},
		}},
		{name: "optional missing objects give empty volumes", vols: []api.Volume{
			{Name: "cfg", VolumeSource: api.VolumeSource{ConfigMap: &api.ConfigMapVolumeSource{Name: "gone", Optional: optional()}}},
			{Name: "sec", VolumeSource: api.VolumeSource{Secret: &api.SecretVolumeSource{SecretName: "creds", Optional: optional(), Items: []api.KeyToPath{{Key: "nope", Path: "x"}}}}},
		}, want: []PodVolume{
			{Name: "cfg", Files: &FilesVolume{Files: map[string]File{}}},
			{Name: "sec", Files: &FilesVolume{Secret: true, Files: map[string]File{}}},
		}},
		{name: "persistentVolumeClaim", vols: []api.Volume{
			{Name: "data", VolumeSource: api.VolumeSource{PersistentVolumeClaim: &api.PersistentVolumeClaimVolumeSource{ClaimName: "data"}}},
		}, want: []PodVolume{{Name: "data", Local: &LocalVolume{Path: "/var/lib/tinykube/volumes/pv-1"}}}},
		{name: "fsGroup owns emptyDir and files volumes, not hostPath", fsGroup: ptr(int64(2000)), vols: []api.Volume{
			{Name: "scratch", VolumeSource: api.VolumeSource{EmptyDir: &api.EmptyDirVolumeSource{}}},
			{Name: "cfg", VolumeSource: api.VolumeSource{ConfigMap: &api.ConfigMapVolumeSource{Name: "cfg", Items: []api.KeyToPath{{Key: "other", Path: "other"}}}}},
			{Name: "logs", VolumeSource: api.VolumeSource{HostPath: &api.HostPathVolumeSource{Path: "/var/log"}}},
		}, want: []PodVolume{
			{Name: "scratch", EmptyDir: &EmptyDirVolume{}, FSGroup: ptr(int64(2000))},
			{Name: "cfg", Files: &FilesVolume{Files: map[string]File{"other": {[]byte("o"), 0o644}}}, FSGroup: ptr(int64(2000))},
			{Name: "logs", HostPath: &HostPathVolume{Path: "/var/log"}},
		}},
		{name: "missing ConfigMap", vols: []api.Volume{{Name: "cfg", VolumeSource: api.VolumeSource{ConfigMap: &api.ConfigMapVolumeSource{Name: "gone"}}}},
			failed: `MountVolume.SetUp failed for volume "cfg" : configmap "gone" not found`},
		{name: "missing Secret item", vols: []api.Volume{{Name: "sec", VolumeSource: api.VolumeSource{Secret: &api.SecretVolumeSource{SecretName: "creds", Items: []api.KeyToPath{{Key: "nope", Path: "x"}}}}}},
			failed: `MountVolume.SetUp failed for volume "sec" : secret default/creds references non-existent key: nope`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newConfigWorld(t, objs...)
			w.create(webPod(func(p *api.Pod) {
				p.Spec.Volumes, p.Spec.Containers[0].VolumeMounts = tt.vols, tt.mounts
				if tt.fsGroup != nil {
					p.Spec.SecurityContext = &api.PodSecurityContext{FSGroup: tt.fsGroup}
				}
			}))
			w.v.RunFor(2 * time.Second)
			p := w.pod()
			cs := p.Status.ContainerStatuses[0]
			if tt.failed != "" {
				if cs.State.Waiting == nil || cs.State.Waiting.Reason != "ContainerCreating" || len(w.rt.sandboxes) != 0 {
					t.Fatalf("container state = %+v, %d sandboxes; want waiting ContainerCreating and no sandbox", cs.State, len(w.rt.sandboxes))
				}
				if ev := "Warning FailedMount: " + tt.failed; !slices.Contains(w.events(), ev) {
					t.Errorf("events = %q, want %q", w.events(), ev)
				}
				return
			}
			if cs.State.Running == nil {
				t.Fatalf("container state = %+v, want running; events %q", cs.State, w.events())
			}
			if diff := cmp.Diff(tt.want, w.rt.volumes[p.UID]); diff != "" {
				t.Errorf("volumes (-want +got):\n%s", diff)
			}
			var want []Mount
			for _, m := range tt.mounts {
				want = append(want, Mount{Volume: m.Name, ContainerPath: m.MountPath, SubPath: m.SubPath, ReadOnly: m.ReadOnly})
			}
			if diff := cmp.Diff(want, w.rt.configs["app"].Mounts); diff != "" {
				t.Errorf("mounts (-want +got):\n%s", diff)
			}
		})
	}
}

// TestVolumeFilesFollowConfigMapAndTeardown: a changed ConfigMap reaches
// the running pod's volume without a restart; deleting the pod tears its
// volumes down.
func TestVolumeFilesFollowConfigMapAndTeardown(t *testing.T) {
	w := newConfigWorld(t, cm("cfg", map[string]string{"k": "v1"}))
	w.create(webPod(func(p *api.Pod) {
		p.Spec.Volumes = []api.Volume{{Name: "cfg", VolumeSource: api.VolumeSource{ConfigMap: &api.ConfigMapVolumeSource{Name: "cfg"}}}}
	}))
	w.v.RunFor(2 * time.Second)
	uid := w.pod().UID
	c, _ := client.For[*api.ConfigMap](w.c).Get(context.Background(), "default", "cfg")
	c.Data["k"] = "v2"
	if _, err := client.For[*api.ConfigMap](w.c).Update(context.Background(), c, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	w.v.RunFor(time.Second)
	if got := string(w.rt.volumes[uid][0].Files.Files["k"].Data); got != "v2" {
		t.Errorf("file k = %q 1s after the update, want v2", got)
	}
	if n := len(w.rt.containers); n != 1 {
		t.Errorf("%d containers, want 1 (no restart)", n)
	}
	zero := int64(0)
	if _, err := client.For[*api.Pod](w.c).Delete(context.Background(), "default", "web", client.DeleteOptions{GracePeriodSeconds: &zero}); err != nil {
		t.Fatal(err)
	}
	w.v.RunFor(3 * time.Second)
	if !slices.Contains(w.rt.teardowns, uid) || w.rt.volumes[uid] != nil {
		t.Errorf("teardowns = %v, volumes of %s = %v; want it torn down", w.rt.teardowns, uid, w.rt.volumes[uid])
	}
}

func ptr[T any](v T) *T { return &v }
