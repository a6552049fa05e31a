package sieve

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/apiserver"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/store"
	"github.com/tinykube/tinykube/sim"
)

// The process names of a run.
const (
	ControllerProcess = "controller"
	HelperProcess     = "helpers"
)

// run is one simulated run of a case under one perturbation.
type run struct {
	c    Case
	pert Perturbation
	w    *sim.World
	st   *store.Memory
	ctrl *sim.Process

	ncalls int
	calls  []call
	// lateUntil: watch events the controller's network delivers before
	// this (elapsed) time reach it LateDelay late.
	lateUntil time.Duration
	nondet    error
	outcome   Outcome
}

// newRun builds the world of c: an API server over a fresh store, the
// objects, the helpers' process and the controller's, both started.
func newRun(c Case, p Perturbation) (*run, error) {
	w := sim.NewWorld(c.Seed)
	w.Trace.Verbose = true
	r := &run{c: c, pert: p, w: w, st: store.NewMemory()}
	srv := apiserver.New(apiserver.Config{Store: r.st, Clock: w.Loop, Rand: w.Rand(sim.APIServer), Version: "sim"})
	ctx := context.Background()
	if err := srv.Bootstrap(ctx); err != nil {
		return nil, err
	}
	w.Net.Handler = srv.Handle
	admin := client.New(client.Local(srv.Handle))
	if err := createObjects(ctx, admin, c.Objects); err != nil {
		return nil, fmt.Errorf("case %s: %v", c.Name, err)
	}
	if c.Setup != nil {
		if err := c.Setup(ctx, admin); err != nil {
			return nil, fmt.Errorf("case %s: setup: %v", c.Name, err)
		}
	}
	for i, s := range c.Script {
		w.At(s.At, func() {
			if err := s.Do(ctx, admin); err != nil {
				w.Fail(fmt.Errorf("case %s: script step %d (at %v): %v", c.Name, i, s.At, err))
			}
		})
	}
	if p.Kind == Late {
		r.lateUntil = LateFor
	}
	w.WrapTransport = func(name string, t client.Transport) client.Transport {
		if name != ControllerProcess {
			return t
		}
		return &tap{r: r, next: t}
	}
	if c.Helpers != nil {
		w.AddProcess(HelperProcess, func(p *sim.Process) { c.Helpers(w, p) }).Start()
	}
	r.ctrl = w.AddProcess(ControllerProcess, func(p *sim.Process) { c.Controller(w, p) })
	r.ctrl.Start()
	return r, nil
}

// execute runs the world to the case's end and reads the outcome.
func (r *run) execute() error {
	r.w.RunFor(r.c.Duration)
	if err := r.w.Failed(); err != nil {
		return err
	}
	if r.nondet != nil {
		return r.nondet
	}
	o, err := readOutcome(r.st, append(append([]string(nil), DefaultIgnore...), r.c.Ignore...), r.c.Anonymous, r.c.Relabel)
	r.outcome = o
	return err
}

// crash kills the controller's process from inside its call through t and
// schedules the restart.
func (r *run) crash(t *tap) {
	t.dead = true
	r.ctrl.Crash()
	r.w.Loop.After(RestartDelay, r.ctrl.Start)
}

// late reports whether a watch of resource opened now is to be delayed.
func (r *run) late(resource string) bool {
	switch r.pert.Kind {
	case Late:
		return r.pert.Resource == "" || r.pert.Resource == resource
	case Stale:
		return true // not late until the stale window opens
	case StaleRestart:
		return r.ctrl.Crashes() > 0
	}
	return false
}

// lateness is the delay added now to an event on a delayed stream.
func (r *run) lateness() time.Duration {
	if r.w.Elapsed() < r.lateUntil {
		return LateDelay
	}
	return 0
}

func (r *run) revision() int64 {
	rev, _ := r.st.Revision(context.Background())
	return rev
}

// traceTail returns the last n lines of the run's timeline, leaving out
// the helpers' (the pod driver's heartbeats and status writes would
// crowd out the controller's story).
func (r *run) traceTail(n int) string {
	var b bytes.Buffer
	r.w.Trace.WriteTimeline(&b)
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(b.String(), "\n"), "\n") {
		if f := strings.Fields(l); len(f) < 2 || f[1] != HelperProcess {
			lines = append(lines, l)
		}
	}
	if len(lines) > n {
		lines = append([]string{fmt.Sprintf("… (%d lines before)", len(lines)-n)}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}

// createObjects creates every manifest of docs (YAML, "---" between
// documents) through admin.
func createObjects(ctx context.Context, admin *client.Client, docs string) error {
	for i, doc := range strings.Split(docs, "\n---") {
		if strings.TrimSpace(doc) == "" {
			continue
		}
		raw, err := yaml.YAMLToJSON([]byte(doc))
		if err != nil {
			return fmt.Errorf("objects[%d]: %v", i, err)
		}
		var head struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Metadata   struct {
				Name      string `json:"name"`
				Namespace string `json:"namespace"`
			} `json:"metadata"`
		}
		if err := json.Unmarshal(raw, &head); err != nil {
			return fmt.Errorf("objects[%d]: %v", i, err)
		}
		res := api.ResourceFor(head.APIVersion, head.Kind)
		if res == nil {
			// A custom kind: defined by a CustomResourceDefinition of an
			// earlier document.
			res, err = customResource(ctx, admin, head.APIVersion, head.Kind)
			if err != nil {
				return fmt.Errorf("objects[%d]: %v", i, err)
			}
		}
		if res == nil {
			return fmt.Errorf("objects[%d]: tinykube does not serve %s %s", i, head.APIVersion, head.Kind)
		}
		ns := head.Metadata.Namespace
		if ns == "" && res.Namespaced {
			ns = "default"
		}
		if _, err := client.Dynamic(admin, res).CreateRaw(ctx, ns, raw, client.WriteOptions{}); err != nil {
			return fmt.Errorf("objects[%d] (%s %s): %v", i, head.Kind, head.Metadata.Name, err)
		}
	}
	return nil
}

// customResource returns the resource of apiVersion and kind among the
// custom resources of the CustomResourceDefinitions admin can read, or nil.
func customResource(ctx context.Context, admin *client.Client, apiVersion, kind string) (*api.Resource, error) {
	l, err := client.For[*api.CustomResourceDefinition](admin).List(ctx, "", client.ListOptions{})
	if err != nil {
		return nil, err
	}
	var custom []*api.Resource
	for _, crd := range l.Items {
		custom = append(custom, api.ResourcesFromCRD(crd)...)
	}
	return api.NewResourceSet(custom).For(apiVersion, kind), nil
}
