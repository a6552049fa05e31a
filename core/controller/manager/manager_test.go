package manager

import (
	"context"
	"strings"
	"testing"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/client/clienttest"
	"github.com/tinykube/tinykube/core/controller/servicelb"
)

func newConfig(t *testing.T) (*clienttest.Env, Config) {
	t.Helper()
	e := clienttest.New(t, 1, 2)
	c := client.New(e.Transport)
	pool, err := servicelb.NewPoolProvider("192.0.2.0/24")
	if err != nil {
		t.Fatal(err)
	}
	return e, Config{Loop: e.Loop, Client: c, Recorder: client.NewRecorder(e.Loop, c, "controller-manager", ""), LoadBalancers: pool}
}

// The roster's names are unique: Replace and Lookup go by name.
func TestRosterNamesAreUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range Roster {
		if seen[c.Name] {
			t.Errorf("two controllers are called %q", c.Name)
		}
		seen[c.Name] = true
	}
}

// Start runs the whole roster: a ReplicaSet gets its pods from the
// ReplicaSet controller, and its Deployment-less existence does not
// bother the others.
func TestStartRunsTheRoster(t *testing.T) {
	e, cfg := newConfig(t)
	running, err := Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(running) != len(Roster) {
		t.Fatalf("Start returned %d controllers, want the %d of the roster", len(running), len(Roster))
	}
	replicas := int32(2)
	rs := &api.ReplicaSet{ObjectMeta: api.ObjectMeta{Name: "web", Namespace: "default"}, Spec: api.ReplicaSetSpec{
		Replicas: &replicas, Selector: &api.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
		Template: api.PodTemplateSpec{ObjectMeta: api.ObjectMeta{Labels: map[string]string{"app": "web"}},
			Spec: api.PodSpec{Containers: []api.Container{{Name: "c", Image: "busybox"}}}}}}
	if _, err := client.For[*api.ReplicaSet](e.Client).Create(context.Background(), rs, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.Settle()
	pods, err := client.For[*api.Pod](e.Client).List(context.Background(), "default", client.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(pods.Items) != 2 {
		t.Errorf("%d pods after the roster ran, want the ReplicaSet's 2", len(pods.Items))
	}
	for _, r := range running {
		r.Stop()
	}
}

type fake struct{ stopped bool }

func (f *fake) Stop() { f.stopped = true }

// A replacement runs instead of the controller it names, and only that
// one; a name the roster lacks is refused before anything starts.
func TestReplace(t *testing.T) {
	_, cfg := newConfig(t)
	f := &fake{}
	calls := 0
	cfg.Hooks.Replace = map[string]Starter{"job": func(Config) Running { calls++; return f }}
	running, err := Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if calls != 1 || running["job"] != f {
		t.Errorf("the replacement of job ran %d times and job is %T, want once and the replacement", calls, running["job"])
	}
	if _, ok := running["replicaset"]; !ok {
		t.Error("replacing job stopped the replicaset controller from starting")
	}

	cfg.Hooks.Replace = map[string]Starter{"jobs": func(Config) Running { t.Error("started"); return f }}
	_, err = Start(cfg)
	if err == nil || !strings.Contains(err.Error(), `"jobs"`) || !strings.Contains(err.Error(), "job") {
		t.Errorf("Start with a replacement for jobs: %v, want an error naming it and listing the roster", err)
	}
}
