package hpalab

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/controller/manager"
	"github.com/tinykube/tinykube/core/controller/podautoscaler"
	"github.com/tinykube/tinykube/core/store"
	"github.com/tinykube/tinykube/labs/lab"
	"github.com/tinykube/tinykube/sim/cluster"
)

//go:embed scenarios/*.yaml
var scenarios embed.FS

// simCase is a scenario and the replica counts its load allows the
// Deployment "web": never fewer than least, never more than most and, if
// end is not 0, end once the run is over.
type simCase struct {
	file             string
	least, most, end int32
	// why says where the bounds come from, for a failure.
	why string
}

var (
	spike = simCase{file: "spike.yaml", least: 1, most: 9, end: 3,
		why: "the peak load, 35 requests a second at 10m each plus 2m a pod, is 8 pods' worth at 50m a pod, and pods burn 400m while they start, unready, which the formula must not take for load; the 13 requests a second left at the end are 2.7 pods' worth"}
	wobble = simCase{file: "wobble.yaml", least: 1, most: 8,
		why: "the autoscaler's bounds"}
	gaps = simCase{file: "gaps.yaml", least: 5, most: 7,
		why: "28 requests a second at 10m each plus 2m a pod is 292m to 294m for 6 pods, 5.8 pods' worth at 50m a pod, within the tolerance of the 6 the run starts with"}
)

// The controller's name in the controller manager's roster.
const autoscalerName = "horizontal-pod-autoscaler"

// sim runs sc with the student's Recommend in the autoscaler of every
// controller manager: the real controller, with only its formula
// replaced (podautoscaler.Hooks), in place of the roster's.
func (c checker) sim(sc simCase) func(*lab.Env) error {
	return func(env *lab.Env) error {
		var missing error
		recommend := func(current int32, pods []podautoscaler.PodUsage, t podautoscaler.Target, tol podautoscaler.Tolerance) (podautoscaler.Recommendation, error) {
			r, err := c.impl.Recommend(current, pods, t, tol)
			if err == nil && r.Replicas == -1 {
				missing = notImplemented()
				return podautoscaler.Recommendation{}, errors.New("not implemented")
			}
			return r, err
		}
		start := func(cfg manager.Config) manager.Running {
			a := podautoscaler.New(podautoscaler.Config{Loop: cfg.Loop, Client: cfg.Client, Recorder: cfg.Recorder,
				Hooks: podautoscaler.Hooks{Recommend: recommend}})
			a.Start()
			return a
		}
		return lab.Simulate(env, lab.Sim{
			Scenarios: scenarios, File: sc.file,
			Plugins: cluster.Plugins{Controllers: map[string]manager.Starter{autoscalerName: start}},
			Missing: &missing,
			During:  func(cl *cluster.Cluster) func() error { return newScaleWatch(cl, sc).check },
			After:   sc.atEnd,
			Keep: func(line string) bool {
				return strings.Contains(line, "SuccessfulRescale") || strings.Contains(line, "horizontalpodautoscalers/web/status") ||
					strings.Contains(line, "load")
			},
		})
	}
}

// scaleWatch follows the Deployment web's spec.replicas through the
// store's watch and holds it within the case's bounds.
type scaleWatch struct {
	cl  *cluster.Cluster
	sc  simCase
	w   store.Watcher
	err error
}

func newScaleWatch(cl *cluster.Cluster, sc simCase) *scaleWatch {
	prefix := api.ResourceByPlural("apps", "deployments").StoragePrefix()
	w, err := cl.Store.Watch(context.Background(), prefix, 0)
	return &scaleWatch{cl: cl, sc: sc, w: w, err: err}
}

func (s *scaleWatch) check() error {
	if s.err != nil {
		return s.err
	}
	for {
		ev, ok := s.w.Next()
		if !ok {
			return nil
		}
		if ev.Type == store.EventDelete {
			continue
		}
		var d api.Deployment
		if err := json.Unmarshal(ev.KV.Value, &d); err != nil {
			return fmt.Errorf("decoding %s: %v", ev.KV.Key, err)
		}
		if d.Name != "web" || d.Spec.Replicas == nil {
			continue
		}
		switch n := *d.Spec.Replicas; {
		case n > s.sc.most:
			return fmt.Errorf("the autoscaler scaled web to %d replicas, more than the %d its load can need: %s", n, s.sc.most, s.sc.why)
		case n < s.sc.least:
			return fmt.Errorf("the autoscaler scaled web to %d replicas, fewer than the %d its load needs: %s", n, s.sc.least, s.sc.why)
		}
	}
}

// atEnd fails when the run ends with web at another count than end.
func (sc simCase) atEnd(cl *cluster.Cluster) error {
	if sc.end == 0 {
		return nil
	}
	d, err := client.For[*api.Deployment](cl.Admin).Get(context.Background(), "default", "web")
	if err != nil {
		return err
	}
	if n := *d.Spec.Replicas; n != sc.end {
		return fmt.Errorf("at the end of the run web has %d replicas, want %d: %s", n, sc.end, sc.why)
	}
	return nil
}
