package bench

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/containerd/containerd"
	"github.com/containerd/containerd/cio"
	"github.com/containerd/containerd/namespaces"
	"github.com/containerd/containerd/oci"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/rest"
	"github.com/tinykube/tinykube/realnode/testimage"
)

// Both sides start their pods one at a time: the next starts when the
// last is running. Concurrency would measure how the two queue work, not
// what one start costs, and the baseline has no queue. Each side's
// containers of a trial stay up until the trial ends, so the n-th start
// on both sides sees n-1 running neighbours; then all are removed before
// the other side's trial begins.

// startTimeout bounds one start on either side.
const startTimeout = 60 * time.Second

// benchCommand is what every container runs.
var benchCommand = []string{"sleep", "3600"}

// baselineTrial starts n containers one after another with containerd's
// Go client — per container what the kubelet's runtime does for a pod's
// first container, and no more: a CNI network namespace (podnet.Setup),
// a container with a new snapshot of busybox and a spec joining that
// namespace, a task logging to a file, and its start. It returns each
// one's time from the first call to Start returning, and removes them
// all (task, container, snapshot, network) before returning.
func (e *podEnv) baselineTrial(ctx context.Context, round string, n int) (_ []time.Duration, err error) {
	ctx = namespaces.WithNamespace(ctx, baselineNS)
	img, err := e.ctrd.GetImage(ctx, testimage.DefaultName)
	if err != nil {
		return nil, fmt.Errorf("the busybox image in namespace %s: %w", baselineNS, err)
	}
	var started []string
	defer func() {
		// A fresh context: removal must happen even when ctx ended.
		cctx, cancel := context.WithTimeout(namespaces.WithNamespace(context.Background(), baselineNS), time.Minute)
		defer cancel()
		for _, id := range started {
			if cerr := e.removeBare(cctx, id); cerr != nil && err == nil {
				err = cerr
			}
		}
	}()
	var out []time.Duration
	for i := range n {
		id := fmt.Sprintf("bench-%s-%d", round, i)
		sctx, cancel := context.WithTimeout(ctx, startTimeout)
		begin := time.Now()
		started = append(started, id)
		err := e.startBare(sctx, id, img)
		took := time.Since(begin)
		cancel()
		if err != nil {
			return nil, fmt.Errorf("container %s: %w", id, err)
		}
		out = append(out, took)
	}
	return out, nil
}

// startBare is the measured part of the baseline.
func (e *podEnv) startBare(ctx context.Context, id string, img containerd.Image) error {
	att, err := e.net.Setup(ctx, id)
	if err != nil {
		return err
	}
	c, err := e.ctrd.NewContainer(ctx, id,
		containerd.WithImage(img),
		containerd.WithNewSnapshot(id, img),
		containerd.WithNewSpec(
			oci.WithImageConfig(img),
			oci.WithProcessArgs(benchCommand...),
			oci.WithHostname(id),
			oci.WithLinuxNamespace(specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: att.NetNS})))
	if err != nil {
		return err
	}
	task, err := c.NewTask(ctx, cio.LogFile(filepath.Join(e.dir, "baseline-logs", id+".log")))
	if err != nil {
		return err
	}
	return task.Start(ctx)
}

// removeBare undoes startBare, whatever part of it happened.
func (e *podEnv) removeBare(ctx context.Context, id string) error {
	var errs []error
	if c, err := e.ctrd.LoadContainer(ctx, id); err == nil {
		if t, err := c.Task(ctx, nil); err == nil {
			if _, err := t.Delete(ctx, containerd.WithProcessKill); err != nil {
				errs = append(errs, fmt.Errorf("deleting task %s: %w", id, err))
			}
		}
		if err := c.Delete(ctx, containerd.WithSnapshotCleanup); err != nil {
			errs = append(errs, fmt.Errorf("deleting container %s: %w", id, err))
		}
	}
	if err := e.net.Teardown(ctx, id); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// tinykubeTrial creates n pods one after another through the API over
// HTTP and returns, for each, the time from the create call to the
// receipt of the watch event showing it Running with its container
// running. Then it deletes them and waits until the node has removed
// every container and sandbox.
func (e *podEnv) tinykubeTrial(ctx context.Context, round string, n int) (_ []time.Duration, err error) {
	pods := client.For[*api.Pod](e.cl)
	label := "tinykube.io/bench-round"
	w, err := pods.Watch(ctx, "default", client.ListOptions{LabelSelector: label + "=" + round})
	if err != nil {
		return nil, fmt.Errorf("watching pods: %w", err)
	}
	defer w.Stop()
	var created []string
	defer func() {
		if cerr := e.deletePods(created); cerr != nil && err == nil {
			err = cerr
		}
	}()
	zero := int64(0)
	var out []time.Duration
	for i := range n {
		name := fmt.Sprintf("bench-%s-%d", round, i)
		pod := &api.Pod{
			TypeMeta:   api.TypeMeta{APIVersion: "v1", Kind: "Pod"},
			ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default", Labels: map[string]string{label: round}},
			Spec: api.PodSpec{
				// busybox's sleep as PID 1 ignores SIGTERM: without this
				// every delete would wait out the default 30s grace.
				TerminationGracePeriodSeconds: &zero,
				Containers: []api.Container{{Name: "sleep", Image: "busybox", Command: benchCommand,
					ImagePullPolicy: api.PullNever,
					Resources: api.ResourceRequirements{Requests: api.ResourceList{
						api.ResourceCPU: api.MustParseQuantity("10m"), api.ResourceMemory: api.MustParseQuantity("16Mi")}}}},
			},
		}
		sctx, cancel := context.WithTimeout(ctx, startTimeout)
		begin := time.Now()
		_, err := pods.Create(sctx, pod, client.WriteOptions{})
		if err == nil {
			created = append(created, name)
			err = waitRunning(sctx, w, name)
		}
		took := time.Since(begin)
		cancel()
		if err != nil {
			return nil, fmt.Errorf("pod %s: %w", name, err)
		}
		out = append(out, took)
	}
	return out, nil
}

// waitRunning reads w until it shows pod name Running with every
// container running, and returns at that event's receipt.
func waitRunning(ctx context.Context, w *client.Watch[*api.Pod], name string) error {
	last := "no event"
	for {
		for {
			ev, ok := w.Next()
			if !ok {
				break
			}
			if ev.Err != nil {
				return fmt.Errorf("watch: %w", ev.Err)
			}
			if ev.Type == rest.Deleted || ev.Object.Name != name {
				continue
			}
			if isRunning(ev.Object) {
				return nil
			}
			last = fmt.Sprintf("phase %q", ev.Object.Status.Phase)
		}
		if w.Done() {
			return errors.New("the pod watch ended")
		}
		select {
		case <-w.Ready():
		case <-ctx.Done():
			return fmt.Errorf("not running within %v (last seen: %s)", startTimeout, last)
		}
	}
}

func isRunning(p *api.Pod) bool {
	if p.Status.Phase != api.PodRunning || len(p.Status.ContainerStatuses) != len(p.Spec.Containers) {
		return false
	}
	for _, c := range p.Status.ContainerStatuses {
		if c.State.Running == nil {
			return false
		}
	}
	return true
}

// deletePods deletes the named pods at once and waits up to a minute for
// the node to have removed every container and sandbox of its namespace.
func (e *podEnv) deletePods(names []string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pods := client.For[*api.Pod](e.cl)
	zero := int64(0)
	for _, name := range names {
		if _, err := pods.Delete(ctx, "default", name, client.DeleteOptions{GracePeriodSeconds: &zero}); err != nil && !api.IsNotFound(err) {
			return fmt.Errorf("deleting pod %s: %w", name, err)
		}
	}
	for {
		sandboxes, containers, err := e.agent.Runtime.List()
		if err == nil && len(sandboxes) == 0 && len(containers) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the node still has %d sandboxes and %d containers a minute after their pods were deleted (list error: %v)",
				len(sandboxes), len(containers), err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}
