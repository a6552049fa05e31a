package bench

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/scheduler"
)

// The scheduler rows time scheduler.Schedule alone — filters and scores
// over every node of a synthetic cluster, one pod after another, each
// placement counted on its node as the component's assume step does — with
// no API, informer or binding in the way. They show what the algorithm
// costs as clusters grow; the component's cost per pod is this plus one
// binding round trip.

// schedulerSizes are the cluster sizes measured, in nodes.
var schedulerSizes = []int{1000, 5000}

// schedulerAim is the throughput to aim for on the largest cluster.
const schedulerAim = 1000

// maxSchedulerTrial caps how long each size is measured.
const maxSchedulerTrial = 2 * time.Second

// schedResult is one size's measurement.
type schedResult struct {
	nodes   int
	pods    int
	elapsed time.Duration // scheduling time only, cluster refills excluded
	refills int           // times the cluster filled up and was emptied
}

func (r schedResult) rate() float64 { return float64(r.pods) / r.elapsed.Seconds() }

// syntheticNodes returns n nodes of mixed sizes, in name order: 4 to 32
// cores, 8 to 64 GiB, 110 pods each, spread over three zones; one node in
// ten carries a PreferNoSchedule taint and one in fifty a NoSchedule taint
// that most pods do not tolerate.
func syntheticNodes(n int) []*api.Node {
	out := make([]*api.Node, n)
	for i := range out {
		size := int64(4 << (i % 4)) // 4, 8, 16, 32 cores
		alloc := api.ResourceList{
			api.ResourceCPU:    api.NewQuantity(size, api.DecimalSI),
			api.ResourceMemory: api.NewQuantity(size*2<<30, api.BinarySI),
			api.ResourcePods:   api.NewQuantity(110, api.DecimalSI),
		}
		node := &api.Node{
			ObjectMeta: api.ObjectMeta{Name: fmt.Sprintf("node-%05d", i),
				Labels: map[string]string{"topology.kubernetes.io/zone": fmt.Sprintf("zone-%d", i%3)}},
			Status: api.NodeStatus{Capacity: alloc, Allocatable: alloc,
				Conditions: []api.NodeCondition{{Type: api.NodeReady, Status: api.ConditionTrue}}},
		}
		switch {
		case i%50 == 7:
			node.Spec.Taints = []api.Taint{{Key: "dedicated", Value: "db", Effect: api.TaintNoSchedule}}
		case i%10 == 3:
			node.Spec.Taints = []api.Taint{{Key: "spot", Effect: api.TaintPreferNoSchedule}}
		}
		out[i] = node
	}
	return out
}

// syntheticPods returns a rotation of pods to schedule: requests from
// 100m/128Mi to 1 core/1GiB, a third owned by one of a few ReplicaSets (so
// spreading is scored), some with a zone selector.
func syntheticPods() []*api.Pod {
	yes := true
	sizes := []struct{ cpu, mem string }{{"100m", "128Mi"}, {"250m", "256Mi"}, {"500m", "512Mi"}, {"1", "1Gi"}}
	var out []*api.Pod
	for i := range 24 {
		s := sizes[i%len(sizes)]
		p := &api.Pod{
			ObjectMeta: api.ObjectMeta{Name: fmt.Sprintf("pod-%d", i), Namespace: "default"},
			Spec: api.PodSpec{Containers: []api.Container{{Name: "c", Image: "busybox:1",
				Resources: api.ResourceRequirements{Requests: api.ResourceList{
					api.ResourceCPU: api.MustParseQuantity(s.cpu), api.ResourceMemory: api.MustParseQuantity(s.mem)}}}}},
		}
		if i%3 == 0 {
			uid := fmt.Sprintf("rs-%d", i%4)
			p.OwnerReferences = []api.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: uid, UID: uid, Controller: &yes}}
		}
		if i%8 == 5 {
			p.Spec.NodeSelector = map[string]string{"topology.kubernetes.io/zone": "zone-1"}
		}
		out = append(out, p)
	}
	return out
}

// benchSchedule schedules pods onto a cluster of n nodes for about d,
// counting each placement on its node.
func benchSchedule(ctx context.Context, n int, d time.Duration) (schedResult, error) {
	nodes := syntheticNodes(n)
	pods := syntheticPods()
	r := rand.New(rand.NewPCG(1, uint64(n)))
	res := schedResult{nodes: n}
	var infos []*scheduler.NodeInfo
	byName := map[string]*scheduler.NodeInfo{}
	refill := func() {
		infos = infos[:0]
		for _, node := range nodes {
			ni := scheduler.NewNodeInfo(node)
			infos = append(infos, ni)
			byName[node.Name] = ni
		}
	}
	refill()
	start := time.Now()
	var excluded time.Duration
	for i := 0; ; i++ {
		if i%64 == 0 {
			if ctx.Err() != nil {
				return res, ctx.Err()
			}
			if time.Since(start)-excluded >= d {
				break
			}
		}
		pod := pods[i%len(pods)]
		name, fitErr := scheduler.Schedule(pod, infos, scheduler.LeastAllocated, r)
		if fitErr != nil {
			// The cluster is full: empty it, off the clock, and go on.
			t := time.Now()
			refill()
			res.refills++
			excluded += time.Since(t)
			continue
		}
		byName[name].AddPod(pod)
		res.pods++
	}
	res.elapsed = time.Since(start) - excluded
	return res, nil
}

// runSchedulerRows measures each cluster size for up to d
// (maxSchedulerTrial at most) and writes the rows under their own heading.
func runSchedulerRows(ctx context.Context, w, progress io.Writer, d time.Duration) error {
	d = min(d, maxSchedulerTrial)
	var results []schedResult
	for _, n := range schedulerSizes {
		fmt.Fprintf(progress, "scheduler: %d nodes ", n)
		res, err := benchSchedule(ctx, n, d)
		if err != nil {
			fmt.Fprintln(progress, "stopped")
			return fmt.Errorf("bench: scheduler over %d nodes: %w", n, err)
		}
		fmt.Fprintf(progress, "%6.0f pods/s\n", res.rate())
		results = append(results, res)
	}
	return writeSchedulerRows(w, results)
}

// writeSchedulerRows prints one row per cluster size: pods placed per
// second and the time per pod and per node of one scheduling cycle.
func writeSchedulerRows(w io.Writer, results []schedResult) error {
	line := func(cells ...any) {
		fmt.Fprintln(w, strings.TrimRight(fmt.Sprintf("%-28s %8s  %11s  %8s  %s", cells...), " "))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "scheduler (pure algorithm)")
	line("cluster", "pods/s", "per pod", "per node", "")
	for _, r := range results {
		perPod := r.elapsed / time.Duration(max(r.pods, 1))
		note := ""
		if r.nodes == schedulerSizes[len(schedulerSizes)-1] {
			note = fmt.Sprintf("(aim ≥ %d pods/s at %s nodes)", schedulerAim, thousands(r.nodes))
		}
		line(thousands(r.nodes)+" nodes",
			fmt.Sprintf("%.0f", r.rate()),
			fmt.Sprintf("%.1fµs", float64(perPod)/float64(time.Microsecond)),
			fmt.Sprintf("%.0fns", float64(perPod)/float64(r.nodes)),
			note)
	}
	_, err := fmt.Fprintln(w, "One pod at a time over every node: filter, score, pick, and count the pod on its node.")
	return err
}

// thousands formats n with commas: 5000 -> "5,000".
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
