package statefulset

import (
	"context"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/client/clienttest"
)

// env is an API server on a virtual loop with one StatefulSet controller
// and no kubelet: the test plays the kubelet (markReady, finish).
type env struct {
	*clienttest.Env
	t    *testing.T
	api  *client.Client
	ctrl *Controller
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ce := clienttest.New(t, 1, 2)
	c := client.New(ce.Transport)
	ctrl := New(Config{Loop: ce.Loop, Client: c, Recorder: client.NewRecorder(ce.Loop, c, "statefulset-controller", "")})
	ctrl.Start()
	e := &env{Env: ce, t: t, api: ce.Client, ctrl: ctrl}
	e.Settle()
	return e
}

func (e *env) createSet(name string, replicas int32, mutate func(*api.StatefulSet)) *api.StatefulSet {
	e.t.Helper()
	s := &api.StatefulSet{
		ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default"},
		Spec: api.StatefulSetSpec{
			Replicas:    &replicas,
			ServiceName: name,
			Selector:    &api.LabelSelector{MatchLabels: map[string]string{"app": name}},
			Template: api.PodTemplateSpec{
				ObjectMeta: api.ObjectMeta{Labels: map[string]string{"app": name}},
				// Bound from the start (no scheduler here), so that deletes
				// are graceful and wait for a kubelet: the test's finish.
				Spec: api.PodSpec{NodeName: "n1", Containers: []api.Container{{Name: "c", Image: "db:1",
					VolumeMounts: []api.VolumeMount{{Name: "data", MountPath: "/data"}}}}},
			},
			VolumeClaimTemplates: []api.PersistentVolumeClaim{{
				ObjectMeta: api.ObjectMeta{Name: "data"},
				Spec: api.PersistentVolumeClaimSpec{AccessModes: []string{api.ReadWriteOnce},
					Resources: api.VolumeResourceRequirements{Requests: api.ResourceList{"storage": api.MustParseQuantity("1Gi")}}},
			}},
		},
	}
	if mutate != nil {
		mutate(s)
	}
	out, err := client.For[*api.StatefulSet](e.api).Create(context.Background(), s, client.WriteOptions{})
	if err != nil {
		e.t.Fatalf("create StatefulSet %s: %v", name, err)
	}
	e.Settle()
	return out
}

func (e *env) getSet(name string) *api.StatefulSet {
	e.t.Helper()
	s, err := client.For[*api.StatefulSet](e.api).Get(context.Background(), "default", name)
	if err != nil {
		e.t.Fatalf("get StatefulSet %s: %v", name, err)
	}
	return s
}

// update changes the set's spec and lets the controller react.
func (e *env) update(name string, mutate func(*api.StatefulSet)) {
	e.t.Helper()
	s := e.getSet(name)
	mutate(s)
	if _, err := client.For[*api.StatefulSet](e.api).Update(context.Background(), s, client.WriteOptions{}); err != nil {
		e.t.Fatalf("update %s: %v", name, err)
	}
	e.Settle()
}

func (e *env) pods() map[string]*api.Pod {
	out := map[string]*api.Pod{}
	for _, p := range clienttest.List[*api.Pod](e.t, e.api, "default") {
		out[p.Name] = p
	}
	return out
}

// state describes every pod: "web-0" (live) or "web-0~" (terminating).
func (e *env) state() []string {
	var out []string
	for _, p := range clienttest.List[*api.Pod](e.t, e.api, "default") {
		s := p.Name
		if p.DeletionTimestamp != nil {
			s += "~"
		}
		out = append(out, s)
	}
	return out
}

func (e *env) pod(name string) *api.Pod {
	e.t.Helper()
	p, ok := e.pods()[name]
	if !ok {
		e.t.Fatalf("pod %s does not exist; pods: %v", name, e.state())
	}
	return p
}

// markReady plays the kubelet: the pod runs and is ready.
func (e *env) markReady(names ...string) {
	e.t.Helper()
	for _, n := range names {
		if err := e.MarkReady(e.pod(n)); err != nil {
			e.t.Fatalf("mark %s ready: %v", n, err)
		}
	}
	e.Settle()
}

// finish plays the kubelet confirming a graceful deletion: the pod's
// containers stopped, the object goes.
func (e *env) finish(names ...string) {
	e.t.Helper()
	zero := int64(0)
	for _, n := range names {
		p := e.pod(n)
		if p.DeletionTimestamp == nil {
			e.t.Fatalf("finish %s: it is not being deleted", n)
		}
		if _, err := client.For[*api.Pod](e.api).Delete(context.Background(), "default", n, client.DeleteOptions{GracePeriodSeconds: &zero, UID: p.UID}); err != nil {
			e.t.Fatalf("finish %s: %v", n, err)
		}
	}
	e.Settle()
}

// userDelete deletes a pod gracefully, as kubectl delete pod does.
func (e *env) userDelete(name string) {
	e.t.Helper()
	if _, err := client.For[*api.Pod](e.api).Delete(context.Background(), "default", name, client.DeleteOptions{}); err != nil {
		e.t.Fatalf("delete %s: %v", name, err)
	}
	e.Settle()
}

func (e *env) runFor(d time.Duration) { e.RunFor(d) }
