package sieve

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/sim"
	"github.com/tinykube/tinykube/sim/mutants"
)

// TestChecksCatchBrokenControllers: the checks must be able to fail. Each
// deliberately broken controller here passes its unperturbed run (so Want
// holds) but settles differently under some perturbation, and the harness
// must say so, naming the perturbation and showing the difference.
func TestChecksCatchBrokenControllers(t *testing.T) {
	t.Parallel()
	forgetful := Case{
		Name: "forgetful",
		Objects: `
apiVersion: v1
kind: ConfigMap
metadata: {name: want-one-pod}
data: {image: busybox:1}
`,
		Controller:  startForgetful,
		Helpers:     func(w *sim.World, p *sim.Process) { (&PodDriver{}).Start(p) },
		Anonymous:   []string{"pods"},
		Want:        want("pods/default/", 1, `"phase": "Running"`),
		StaleWrites: 2,
	}
	naive, err := mutants.Lookup("job-counts-without-tracking")
	if err != nil {
		t.Fatal(err)
	}
	jobs := jobCase(naive.Controllers["job"])
	jobs.Name = "job (" + naive.Name + ")"
	jobs.Want = nil // what the broken variant counts is not what the real one does
	eager := Case{
		Name:       "eager",
		Controller: startEager,
		Helpers:    func(w *sim.World, p *sim.Process) { (&PodDriver{}).Start(p) },
		Anonymous:  []string{"pods"},
		Want:       want("pods/default/", 2, `"phase": "Running"`),
		Boundaries: 10,
	}
	for _, c := range []struct {
		c Case
		// kind is the perturbation expected to catch it first (None: any).
		kind Kind
		// in is a key of the outcome that must differ.
		in string
	}{
		{forgetful, CrashAfter, "pods/default/<no controller>"},
		{eager, Late, "pods/default/<no controller>"},
		{jobs, None, "jobs/default/"},
	} {
		t.Run(c.c.Name, func(t *testing.T) {
			rep, err := Run(c.c, Options{StopAfter: 1})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Findings) == 0 {
				t.Fatalf("%s: no perturbation made a difference; the checks cannot tell this broken controller from a correct one", rep.Summary())
			}
			f := rep.Findings[0]
			if (c.kind != None && f.Perturbation.Kind != c.kind) || !strings.Contains(f.Diff, c.in) {
				t.Errorf("first finding: %v (diff in %q), want a %v showing a difference in %s:\n%s", f.Perturbation, firstLine(f.Diff), c.kind, c.in, f)
			}
			for _, part := range []string{f.Perturbation.String(), "-unperturbed +perturbed", "trace tail"} {
				if !strings.Contains(f.String(), part) {
					t.Errorf("the report does not say %q:\n%s", part, f)
				}
			}
			t.Logf("caught, as it should be:\n%s", f)
		})
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// startForgetful is a tiny wrong controller: it makes sure one pod runs,
// but remembers in memory, not in the API, that it made it. Every time its
// process starts it creates the pod "once" — so a restart after the
// create took effect makes a second one.
func startForgetful(w *sim.World, p *sim.Process) {
	done := false
	var try func()
	try = func() {
		if done {
			return
		}
		ctx := context.Background()
		cm, err := client.For[*api.ConfigMap](p.Client()).Get(ctx, "default", "want-one-pod")
		if err == nil {
			pod := &api.Pod{ObjectMeta: api.ObjectMeta{GenerateName: "one-", Namespace: "default"},
				Spec: api.PodSpec{Containers: []api.Container{{Name: "c", Image: cm.Data["image"]}}}}
			_, err = client.For[*api.Pod](p.Client()).Create(ctx, pod, client.WriteOptions{})
		}
		if err != nil {
			p.Loop().After(time.Second, try) // retry until it is made
			return
		}
		done = true
	}
	p.Loop().After(0, try)
}

// startEager is another tiny wrong controller: it wants two pods labelled
// app=eager and, every second, creates one whenever its cache shows fewer
// — without remembering what it created and has not seen yet
// (Kubernetes' "expectations"), and without ever deleting a surplus. Its
// cache lagging a few seconds makes it create too many, for good.
func startEager(w *sim.World, p *sim.Process) {
	sel := api.SelectorFromSet(map[string]string{"app": "eager"})
	pods := client.NewInformer[*api.Pod](p.Loop(), p.Client(), "default", client.ListOptions{LabelSelector: sel.String()})
	pods.Start()
	var tick func()
	tick = func() {
		if pods.HasSynced() && len(pods.List(api.Everything())) < 2 {
			pod := &api.Pod{ObjectMeta: api.ObjectMeta{GenerateName: "eager-", Namespace: "default", Labels: map[string]string{"app": "eager"}},
				Spec: api.PodSpec{Containers: []api.Container{{Name: "c", Image: "busybox:1"}}}}
			client.For[*api.Pod](p.Client()).Create(context.Background(), pod, client.WriteOptions{})
		}
		p.Loop().After(time.Second, tick)
	}
	p.Loop().After(time.Second, tick)
}
