package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/rest"
	"github.com/tinykube/tinykube/realnode/agent"
)

// The replica measurement is Docker Swarm's everyday operation beside
// tinykube's: a ReplicaSet of busybox `sleep` pods on the one node,
// created with 10 replicas (time from the create call until all 10 are
// Running and Ready, as a pod watch reports) and then scaled to 50 (from
// the scale write until all 50 are). Unlike PodStart, the pods start at
// once, so it measures how the node works through many pods together:
// before the kubelet had pod workers it started them one after another.

// Swarm's figures on this machine, from the issue that asked for pod
// workers: `docker service create --replicas 10` until 10/10 running,
// then `docker service scale` to 50, on the same containerd.
const (
	swarmConverge10 = 920 * time.Millisecond
	swarmScale50    = 10900 * time.Millisecond
	// swarmCommand is how to measure them where dockerd runs.
	swarmCommand = "docker swarm init; time docker service create --detach=false --replicas 10 --name bench busybox sleep 3600; time docker service scale --detach=false bench=50"
)

// replicaTimeout bounds one convergence.
const replicaTimeout = 3 * time.Minute

// replicaSample is one trial: how long 10 replicas took to converge and
// the scale to 50.
type replicaSample struct{ converge, scale time.Duration }

// replicaTrial creates ReplicaSet bench-rs-ROUND with 10 replicas, waits
// until all are Running and Ready, scales it to 50, waits again, and
// returns both times. It deletes the ReplicaSet and its pods and waits
// until the node has removed every container and sandbox before it
// returns, also on error.
func (e *podEnv) replicaTrial(ctx context.Context, round string) (_ replicaSample, err error) {
	name := "bench-rs-" + round
	label := map[string]string{"tinykube.io/bench-rs": round}
	pods := client.For[*api.Pod](e.cl)
	w, err := pods.Watch(ctx, "default", client.ListOptions{LabelSelector: "tinykube.io/bench-rs=" + round})
	if err != nil {
		return replicaSample{}, fmt.Errorf("watching pods: %w", err)
	}
	defer w.Stop()
	rsets := client.For[*api.ReplicaSet](e.cl)
	defer func() {
		if cerr := e.deleteReplicaSet(name, label); cerr != nil && err == nil {
			err = cerr
		}
	}()
	zero := int64(0)
	ten := int32(10)
	rs := &api.ReplicaSet{
		TypeMeta:   api.TypeMeta{APIVersion: "apps/v1", Kind: "ReplicaSet"},
		ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default"},
		Spec: api.ReplicaSetSpec{Replicas: &ten, Selector: &api.LabelSelector{MatchLabels: label},
			Template: api.PodTemplateSpec{ObjectMeta: api.ObjectMeta{Labels: label}, Spec: api.PodSpec{
				TerminationGracePeriodSeconds: &zero, // busybox's sleep ignores SIGTERM
				Containers: []api.Container{{Name: "sleep", Image: "busybox", Command: benchCommand,
					ImagePullPolicy: api.PullNever,
					Resources: api.ResourceRequirements{Requests: api.ResourceList{
						api.ResourceCPU: api.MustParseQuantity("10m"), api.ResourceMemory: api.MustParseQuantity("16Mi")}}}},
			}}},
	}
	ready := map[string]bool{}
	var s replicaSample
	begin := time.Now()
	if _, err := rsets.Create(ctx, rs, client.WriteOptions{}); err != nil {
		return s, fmt.Errorf("creating ReplicaSet %s: %w", name, err)
	}
	if err := waitReady(ctx, w, ready, 10); err != nil {
		return s, fmt.Errorf("ReplicaSet %s, 10 replicas: %w", name, err)
	}
	s.converge = time.Since(begin)

	begin = time.Now()
	for {
		cur, err := rsets.Get(ctx, "default", name)
		if err != nil {
			return s, fmt.Errorf("reading ReplicaSet %s: %w", name, err)
		}
		fifty := int32(50)
		cur.Spec.Replicas = &fifty
		_, err = rsets.Update(ctx, cur, client.WriteOptions{})
		if err == nil {
			break
		}
		if !api.IsConflict(err) {
			return s, fmt.Errorf("scaling ReplicaSet %s to 50: %w", name, err)
		}
	}
	if err := waitReady(ctx, w, ready, 50); err != nil {
		return s, fmt.Errorf("ReplicaSet %s, 50 replicas: %w", name, err)
	}
	s.scale = time.Since(begin)
	return s, nil
}

// waitReady reads w, keeping ready (pod name → Running and Ready) up to
// date, until want pods are, and returns at that event's receipt.
func waitReady(ctx context.Context, w *client.Watch[*api.Pod], ready map[string]bool, want int) error {
	ctx, cancel := context.WithTimeout(ctx, replicaTimeout)
	defer cancel()
	count := func() int {
		n := 0
		for _, r := range ready {
			if r {
				n++
			}
		}
		return n
	}
	for {
		for {
			ev, ok := w.Next()
			if !ok {
				break
			}
			if ev.Err != nil {
				return fmt.Errorf("watch: %w", ev.Err)
			}
			ready[ev.Object.Name] = ev.Type != rest.Deleted && isRunning(ev.Object) && api.IsPodReady(ev.Object)
			if count() >= want {
				return nil
			}
		}
		if w.Done() {
			return errors.New("the pod watch ended")
		}
		select {
		case <-w.Ready():
		case <-ctx.Done():
			return fmt.Errorf("only %d of %d pods Running and Ready within %v", count(), want, replicaTimeout)
		}
	}
}

// deleteReplicaSet deletes the ReplicaSet and its pods (grace 0) and
// waits up to a minute for the node to have removed every container and
// sandbox.
func (e *podEnv) deleteReplicaSet(name string, label map[string]string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := client.For[*api.ReplicaSet](e.cl).Delete(ctx, "default", name, client.DeleteOptions{}); err != nil && !api.IsNotFound(err) {
		return fmt.Errorf("deleting ReplicaSet %s: %w", name, err)
	}
	var sel []string
	for k, v := range label {
		sel = append(sel, k+"="+v)
	}
	list, err := client.For[*api.Pod](e.cl).List(ctx, "default", client.ListOptions{LabelSelector: strings.Join(sel, ",")})
	if err != nil {
		return fmt.Errorf("listing the pods of ReplicaSet %s: %w", name, err)
	}
	var names []string
	for _, p := range list.Items {
		names = append(names, p.Name)
	}
	return e.deletePods(names)
}

// replicaModes are the two ways the node is run, in turn: its kubelet
// working on one pod at a time on its loop (as before pod workers), and
// with pod workers (agent.DefaultPodWorkers).
var replicaModes = []struct {
	name       string
	podWorkers int
}{
	{"tinykube, one pod at a time (before)", -1},
	{fmt.Sprintf("tinykube, %d pod workers", agent.DefaultPodWorkers), 0},
}

// replicaTrials runs trials rounds of replicaTrial in each mode, taking
// turns (a node restarted between them), after one untimed round, and
// writes their table to w. It leaves the node with pod workers.
func (e *podEnv) replicaTrials(ctx context.Context, w, progress io.Writer, trials int) error {
	fmt.Fprintln(progress, "replicas warm-up: 10 then 50")
	if _, err := e.replicaTrial(ctx, "warm"); err != nil {
		return fmt.Errorf("bench: replicas warm-up: %w", err)
	}
	samples := make([][]replicaSample, len(replicaModes))
	for t := range trials {
		for m, mode := range replicaModes {
			if err := e.restartAgent(ctx, mode.podWorkers); err != nil {
				return err
			}
			fmt.Fprintf(progress, "trial %d/%d: %s: ReplicaSet of 10, then scaled to 50 ", t+1, trials, mode.name)
			s, err := e.replicaTrial(ctx, fmt.Sprintf("%d-%d", t+1, m))
			if err != nil {
				fmt.Fprintln(progress, "failed")
				return fmt.Errorf("bench: replicas, %s, trial %d: %w", mode.name, t+1, err)
			}
			fmt.Fprintf(progress, "%.2fs, %.2fs\n", s.converge.Seconds(), s.scale.Seconds())
			samples[m] = append(samples[m], s)
		}
	}
	return writeReplicaTable(w, samples)
}

// writeReplicaTable prints, for each mode, the median of its trials'
// times, each as a multiple of Swarm's reference figure and of the first
// mode's (the median over rounds of the two trials' ratio), then Swarm's.
func writeReplicaTable(w io.Writer, samples [][]replicaSample) error {
	line := func(cells ...any) {
		fmt.Fprintln(w, strings.TrimRight(fmt.Sprintf("%-44s %8s  %8s  %8s  %8s  %8s  %8s  %s", cells...), " "))
	}
	fmt.Fprintf(w, "\nreplicas on one node — ReplicaSet of busybox `sleep 3600`, write → all Running and Ready, median of %d trials\n", len(samples[0]))
	line("measurement", "10 up", "× Swarm", "× before", "10→50", "× Swarm", "× before", "")
	for m, mode := range replicaModes {
		conv, scale := make([]float64, len(samples[m])), make([]float64, len(samples[m]))
		convR, scaleR := make([]float64, len(samples[m])), make([]float64, len(samples[m]))
		for i, s := range samples[m] {
			conv[i], scale[i] = s.converge.Seconds(), s.scale.Seconds()
			convR[i], scaleR[i] = conv[i]/samples[0][i].converge.Seconds(), scale[i]/samples[0][i].scale.Seconds()
		}
		c, s := medianOf(conv), medianOf(scale)
		note := ""
		if m == len(replicaModes)-1 {
			note = "(aim: ≤ 0.5× Swarm each)"
		}
		line(mode.name, fmt.Sprintf("%.2fs", c), fmt.Sprintf("%.2f", c/swarmConverge10.Seconds()), fmt.Sprintf("%.2f", medianOf(convR)),
			fmt.Sprintf("%.2fs", s), fmt.Sprintf("%.2f", s/swarmScale50.Seconds()), fmt.Sprintf("%.2f", medianOf(scaleR)), note)
	}
	line("Docker Swarm, reference (not measured here)", fmt.Sprintf("%.2fs", swarmConverge10.Seconds()), "1.00", "",
		fmt.Sprintf("%.2fs", swarmScale50.Seconds()), "1.00", "", "")
	_, err := fmt.Fprintf(w, "The Swarm row is the issue's measurement on this machine's containerd (dockerd is not installed here);\n"+
		"where it is, measure it with: %s\n", swarmCommand)
	return err
}
