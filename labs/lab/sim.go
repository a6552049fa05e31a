package lab

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/store"
	"github.com/tinykube/tinykube/sim/cluster"
	"github.com/tinykube/tinykube/sim/scenario"
)

// Sim is one simulated test: a scenario run with the student's code
// plugged into the components, judged by the scenario's invariants and by
// the lab's own checks.
type Sim struct {
	// Scenarios is the lab's embedded scenarios folder
	// (//go:embed scenarios/*.yaml) and File the name of the scenario to
	// run in it: "partition.yaml".
	Scenarios fs.FS
	File      string
	// Plugins carry the student's code into the components.
	Plugins cluster.Plugins
	// Missing, if set, is where the plugins record that the student's
	// code said it is not written yet (the starter's answer): an error
	// there after the run is the test's failure, whatever else happened.
	Missing *error
	// During, if set, is added to the run's checks: it is called after
	// every step of the simulation and fails the run when it returns an
	// error (the lab's own invariant).
	During func(*cluster.Cluster) func() error
	// After, if set, judges the finished run.
	After func(*cluster.Cluster) error
	// Keep picks the timeline lines a failure shows (the fault lines and
	// the violation are always kept).
	Keep func(line string) bool
}

// Simulate runs s on env's seed and returns nil, or what broke: the
// violated invariant in words, the virtual time, the timeline's last
// relevant lines and the file with the whole timeline.
func Simulate(env *Env, s Sim) error {
	path := "scenarios/" + s.File
	b, err := fs.ReadFile(s.Scenarios, path)
	if err != nil {
		return err
	}
	sc, err := scenario.Parse(b)
	if err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	cl, err := cluster.NewWith(sc, env.Seed, s.Plugins)
	if err != nil {
		return err
	}
	if s.During != nil {
		cl.W.AddCheck(s.During(cl))
	}
	r := cl.Run()
	if s.Missing != nil && *s.Missing != nil {
		return *s.Missing
	}
	failure := r.Violation
	if failure == nil && s.After != nil {
		failure = s.After(cl)
	}
	if failure == nil {
		return nil
	}
	return fmt.Errorf("at %v of virtual time: %v\n%s", r.At.Round(time.Millisecond), failure, timeline(cl, sc.Name, env.Seed, s.Keep))
}

// timeline writes the run's whole timeline to a file named after the
// scenario and seed (so a replay writes the same file) and returns its
// last relevant lines, with the file's path.
func timeline(cl *cluster.Cluster, name string, seed uint64, keep func(string) bool) string {
	var buf bytes.Buffer
	cl.W.Trace.WriteTimeline(&buf)
	path := filepath.Join(os.TempDir(), fmt.Sprintf("tinykube-%s-seed%d.timeline", name, seed))
	saved := "the whole timeline is in " + path
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		saved = "could not write the timeline: " + err.Error()
	}
	var lines []string
	for _, line := range strings.Split(strings.TrimRight(buf.String(), "\n"), "\n") {
		if strings.Contains(line, "VIOLATION") || strings.Contains(line, " fault ") || (keep != nil && keep(line)) {
			lines = append(lines, line)
		}
	}
	if len(lines) > 12 {
		lines = lines[len(lines)-12:]
	}
	return "    the run's last steps:\n" + strings.Join(lines, "\n") + "\n    " + saved
}

// PodFeed hands a lab's check the pods written since it last asked,
// straight from the simulated store's watch: cheap enough to call after
// every step of a run.
type PodFeed struct {
	w   store.Watcher
	err error
}

// WatchPods starts a PodFeed on cl's store, from its first revision.
func WatchPods(cl *cluster.Cluster) *PodFeed {
	w, err := cl.Store.Watch(context.Background(), "/registry/pods/", 0)
	return &PodFeed{w: w, err: err}
}

// Changed returns the pods created or updated since the last call, in the
// order they were written (deleted pods are left out).
func (f *PodFeed) Changed() ([]*api.Pod, error) {
	if f.err != nil {
		return nil, f.err
	}
	var out []*api.Pod
	for {
		ev, ok := f.w.Next()
		if !ok {
			return out, nil
		}
		if ev.Type == store.EventDelete {
			continue
		}
		var p api.Pod
		if err := json.Unmarshal(ev.KV.Value, &p); err != nil {
			return nil, fmt.Errorf("decoding %s: %v", ev.KV.Key, err)
		}
		out = append(out, &p)
	}
}
