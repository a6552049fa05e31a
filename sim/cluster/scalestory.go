package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/store"
	"github.com/tinykube/tinykube/sim/scenario"
)

// A scenario's scaled: stories (scenario.ScaleStory) are judged from the
// store: storyCheck follows every Node and Deployment write, keeps the
// highest count each story reached, and at the end of the run compares
// the peaks and the final counts with what the scenario says. It is not
// an invariant — nothing is wrong at any one moment — but the proof that
// an autoscaling scenario told its story: pods and nodes went out, and
// came back.

// storyCheck follows the store for the scale stories.
type storyCheck struct {
	stories []scenario.ScaleStory
	w       store.Watcher
	nodes   map[string]bool
	// replicas is each Deployment's spec.replicas now, by namespace/name.
	replicas map[string]int32
	peaks    []int32
}

func newStoryCheck(c *Cluster) (*storyCheck, error) {
	w, err := c.Store.Watch(context.Background(), "/registry/", 0)
	if err != nil {
		return nil, err
	}
	return &storyCheck{stories: c.Scenario.Scaled, w: w, nodes: map[string]bool{}, replicas: map[string]int32{},
		peaks: make([]int32, len(c.Scenario.Scaled))}, nil
}

// check applies the writes since the last step and raises the peaks. It
// never fails: the judgement is at the end (judge).
func (s *storyCheck) check() error {
	for {
		ev, ok := s.w.Next()
		if !ok {
			break
		}
		key := ev.KV.Key
		switch {
		case strings.HasPrefix(key, "/registry/nodes/"):
			name := strings.TrimPrefix(key, "/registry/nodes/")
			if ev.Type == store.EventDelete {
				delete(s.nodes, name)
			} else {
				s.nodes[name] = true
			}
		case strings.HasPrefix(key, "/registry/deployments/"):
			k := strings.TrimPrefix(key, "/registry/deployments/")
			var d api.Deployment
			if ev.Type == store.EventDelete || json.Unmarshal(ev.KV.Value, &d) != nil {
				delete(s.replicas, k)
				continue
			}
			s.replicas[k] = 1
			if d.Spec.Replicas != nil {
				s.replicas[k] = *d.Spec.Replicas
			}
		default:
			continue
		}
		for i, st := range s.stories {
			s.peaks[i] = max(s.peaks[i], s.count(st))
		}
	}
	return nil
}

// count is a story's count now.
func (s *storyCheck) count(st scenario.ScaleStory) int32 {
	if st.Kind == "Node" {
		return int32(len(s.nodes))
	}
	return s.replicas[st.Namespace+"/"+st.Name]
}

// judge compares each story with what happened, at the end of the run:
// the first story not told is the verdict.
func (s *storyCheck) judge() error {
	s.check()
	for i, st := range s.stories {
		what := "the number of Nodes"
		if st.Kind == "Deployment" {
			what = fmt.Sprintf("Deployment %s/%s's replicas", st.Namespace, st.Name)
		}
		if s.peaks[i] < st.Peak {
			return fmt.Errorf("scaled: %s peaked at %d, never reaching %d", what, s.peaks[i], st.Peak)
		}
		if now := s.count(st); st.End != nil && now != *st.End {
			return fmt.Errorf("scaled: %s is %d at the end of the run (peak %d), want %d", what, now, s.peaks[i], *st.End)
		}
	}
	return nil
}
