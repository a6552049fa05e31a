package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/rest"
	"github.com/tinykube/tinykube/core/scheduler"
	"github.com/tinykube/tinykube/realnode/runloop"
)

// The end-to-end scheduler rows measure what Kubernetes' scheduler_perf
// calls SchedulingBasic: an API server over the real store (embedded
// etcd), the real scheduler on its own real-time loop as `tinykube server`
// runs it, the Nodes created first (not timed), then the Pods created
// through the API by parallel workers while the scheduler runs. Throughput
// is pods per second from the first create to the last binding a watch
// observes: the API's create path, etcd, the scheduler's informers, its
// queue, filter and score, its binding writes, and the watch back, all
// sharing the machine.

// schedE2ESizes are the cluster sizes measured end to end, in nodes.
var schedE2ESizes = []int{1000, 5000}

// schedE2EPods is how many pods each end-to-end row creates, as
// SchedulingBasic's 5000Nodes_10000Pods does.
const schedE2EPods = 10000

// schedE2ETimeout bounds one end-to-end run: a scheduler that has not bound
// every pod by then has failed the row.
const schedE2ETimeout = 3 * time.Minute

// e2eResult is one end-to-end run's measurement.
type e2eResult struct {
	nodes, pods int
	elapsed     time.Duration // first create to last binding observed
	creates     time.Duration // first create to last create returned
	// cpu is the process's CPU time (user and system) over elapsed: etcd,
	// API server, scheduler, creators and watch all run in it.
	cpu time.Duration
}

func (r e2eResult) rate() float64 { return float64(r.pods) / r.elapsed.Seconds() }

// cpuPerPod is the process's CPU time per pod: what one pod's way from
// create to binding costs the machine, whether or not it was waiting.
func (r e2eResult) cpuPerPod() time.Duration { return r.cpu / time.Duration(max(r.pods, 1)) }

// benchSchedulerE2E runs one end-to-end measurement on etcd, its keys under
// prefix: nodes Nodes, then pods Pods created by workers goroutines.
func benchSchedulerE2E(ctx context.Context, etcd *clientv3.Client, prefix string, nodes, pods, workers int) (e2eResult, error) {
	ctx, cancel := context.WithTimeout(ctx, schedE2ETimeout)
	defer cancel()
	srv, closeStore, err := newAPIServer(ctx, etcd, prefix)
	if err != nil {
		return e2eResult{}, err
	}
	defer closeStore()
	cl := client.New(client.Local(srv.Handle))

	// The nodes, created in parallel and not timed.
	all := syntheticNodes(nodes)
	nodeAPI := client.For[*api.Node](cl)
	if err := parallel(ctx, workers, len(all), func(ctx context.Context, i int) error {
		if _, err := nodeAPI.Create(ctx, all[i], client.WriteOptions{}); err != nil {
			return fmt.Errorf("create Node %s: %w", all[i].Name, err)
		}
		return nil
	}); err != nil {
		return e2eResult{}, err
	}

	// The watch that observes bindings, from before the first create.
	bound, stopWatch, err := watchBindings(ctx, cl)
	if err != nil {
		return e2eResult{}, err
	}
	defer stopWatch()

	// The scheduler, on its own loop as controlplane runs it, until the
	// run ends.
	schedCtx, stopSched := context.WithCancel(ctx)
	defer stopSched()
	l := runloop.New()
	go l.Run(schedCtx)
	var s *scheduler.Scheduler
	l.Do(func() {
		s = scheduler.New(scheduler.Config{Loop: l, Client: cl, Rand: rand.New(rand.NewPCG(1, uint64(nodes))), Name: api.DefaultSchedulerName})
		s.Start()
	})
	defer l.Do(func() { s.Stop() })

	// One pod, untimed, until it is bound: the scheduler's caches are
	// loaded and every path is warm.
	podAPI := client.For[*api.Pod](cl)
	templates := syntheticPods()
	mkPod := func(name string, i int) *api.Pod {
		p := *templates[i%len(templates)]
		p.Name = name
		return &p
	}
	if _, err := podAPI.Create(ctx, mkPod("warmup", 0), client.WriteOptions{}); err != nil {
		return e2eResult{}, fmt.Errorf("create Pod default/warmup: %w", err)
	}
	if err := bound.wait(ctx, 1); err != nil {
		return e2eResult{}, fmt.Errorf("waiting for the warm-up pod's binding: %w", err)
	}

	cpu0 := processCPU()
	start := time.Now()
	if err := parallel(ctx, workers, pods, func(ctx context.Context, i int) error {
		name := fmt.Sprintf("pod-%05d", i)
		if _, err := podAPI.Create(ctx, mkPod(name, i), client.WriteOptions{}); err != nil {
			return fmt.Errorf("create Pod default/%s: %w", name, err)
		}
		return nil
	}); err != nil {
		return e2eResult{}, err
	}
	creates := time.Since(start)
	if err := bound.wait(ctx, 1+pods); err != nil {
		return e2eResult{}, fmt.Errorf("%d of %d pods bound: %w", bound.count()-1, pods, err)
	}
	cpu := processCPU() - cpu0
	return e2eResult{nodes: nodes, pods: pods, elapsed: bound.last().Sub(start), creates: creates, cpu: cpu}, nil
}

// parallel calls do(i) for every i in [0, n) from workers goroutines and
// returns the first error, after which no new call starts.
func parallel(ctx context.Context, workers, n int, do func(ctx context.Context, i int) error) error {
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for range workers {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := do(ctx, i); err != nil {
					errOnce.Do(func() { firstErr = err })
					cancel()
					return
				}
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

// bindings counts the distinct pods a watch has seen with a node, and when
// it saw the latest.
type bindings struct {
	mu     sync.Mutex
	seen   map[string]bool
	at     time.Time
	change chan struct{} // closed and replaced on every new binding
}

func (b *bindings) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.seen)
}

func (b *bindings) last() time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.at
}

// wait returns once n pods have been seen bound, or ctx's error.
func (b *bindings) wait(ctx context.Context, n int) error {
	for {
		b.mu.Lock()
		got, ch := len(b.seen), b.change
		b.mu.Unlock()
		if got >= n {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ch:
		}
	}
}

// watchBindings watches every pod and records each first seen with
// spec.nodeName set. It reads only the name and the node of each event's
// object, so that the observer costs the machine little beside the
// scheduler it observes.
func watchBindings(ctx context.Context, cl *client.Client) (*bindings, func(), error) {
	res := api.ResourceByPlural("", "pods")
	resp, err := cl.Do(ctx, &rest.Request{Method: http.MethodGet, Path: client.Path(res, "", "", ""),
		Query: map[string][]string{"watch": {"true"}}})
	if err != nil {
		return nil, nil, fmt.Errorf("watching pods: %w", err)
	}
	if resp.Stream == nil {
		return nil, nil, fmt.Errorf("watching pods: the server answered without a stream")
	}
	st := resp.Stream
	b := &bindings{seen: map[string]bool{}, change: make(chan struct{})}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			for {
				ev, ok := st.Next()
				if !ok {
					break
				}
				var p struct {
					Metadata struct{ Namespace, Name string }
					Spec     struct{ NodeName string }
				}
				if ev.Type == rest.Error || json.Unmarshal(ev.Object, &p) != nil || p.Spec.NodeName == "" {
					continue
				}
				now := time.Now()
				b.mu.Lock()
				if key := p.Metadata.Namespace + "/" + p.Metadata.Name; !b.seen[key] {
					b.seen[key], b.at = true, now
					close(b.change)
					b.change = make(chan struct{})
				}
				b.mu.Unlock()
			}
			if st.Done() {
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-st.Ready():
			}
		}
	}()
	return b, func() { st.Stop(); <-done }, nil
}

// runSchedulerE2ERows measures each size of sizes end to end with pods
// pods and writes the rows under their own heading.
func runSchedulerE2ERows(ctx context.Context, etcd *clientv3.Client, w, progress io.Writer, sizes []int, pods, workers int) error {
	var results []e2eResult
	for _, n := range sizes {
		fmt.Fprintf(progress, "scheduler end to end: %d nodes, %d pods ", n, pods)
		res, err := benchSchedulerE2E(ctx, etcd, fmt.Sprintf("/bench/sched-e2e-%d/", n), n, pods, workers)
		if err != nil {
			fmt.Fprintln(progress, "failed")
			return fmt.Errorf("bench: scheduler end to end over %d nodes: %w", n, err)
		}
		fmt.Fprintf(progress, "%6.0f pods/s\n", res.rate())
		results = append(results, res)
	}
	return writeSchedulerE2ERows(w, results, workers)
}

// writeSchedulerE2ERows prints one row per cluster size: pods bound per
// second from first create to last binding observed, the time that took,
// and how long the creates alone took.
func writeSchedulerE2ERows(w io.Writer, results []e2eResult, workers int) error {
	line := func(cells ...any) {
		fmt.Fprintln(w, strings.TrimRight(fmt.Sprintf("%-28s %8s  %9s  %9s  %8s  %s", cells...), " "))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "scheduler end to end (like scheduler_perf SchedulingBasic)")
	line("cluster", "pods/s", "all bound", "creates", "CPU/pod", "")
	for _, r := range results {
		note := ""
		if r.nodes >= 1000 {
			note = fmt.Sprintf("(aim ≥ %d pods/s)", schedulerAim)
		}
		line(fmt.Sprintf("%s nodes, end to end", thousands(r.nodes)),
			fmt.Sprintf("%.0f", r.rate()),
			fmt.Sprintf("%.2fs", r.elapsed.Seconds()),
			fmt.Sprintf("%.2fs", r.creates.Seconds()),
			ms2(r.cpuPerPod()),
			note)
	}
	_, err := fmt.Fprintf(w, "Nodes created first (untimed); then %s pods created through the API server (in process, over embedded\n"+
		"etcd) by %d workers while the scheduler runs; pods/s from the first create to the last binding a pod watch observes.\n"+
		"CPU/pod is the whole process's (etcd, API server, scheduler, creators, watch) over that time, per pod.\n",
		thousands(max(resultsPods(results), 0)), workers)
	return err
}

// resultsPods is the pods each of results created (they all create as many).
func resultsPods(results []e2eResult) int {
	if len(results) == 0 {
		return 0
	}
	return results[0].pods
}
