package sieve

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/sim"
)

// Annotations a case puts on a pod template to steer the PodDriver.
const (
	// AnnotationExit: a pod whose restartPolicy is not Always ends with this
	// exit code (Failed when not 0). Default 0.
	AnnotationExit = "sieve.tinykube.io/exit"
	// AnnotationRunFor: how long a pod whose restartPolicy is not Always
	// runs ("75s"), instead of the driver's RunFor.
	AnnotationRunFor = "sieve.tinykube.io/run-for"
	// AnnotationNotReady: "true" keeps the pod Running but not Ready.
	AnnotationNotReady = "sieve.tinykube.io/not-ready"
)

// PodDriver stands in for every kubelet of a cluster, minimally: it runs
// each new pod at once (phase Running, Ready, an IP), finishes pods whose
// restartPolicy is not Always RunFor later (Succeeded, or Failed per
// AnnotationExit), binds a pod whose required node affinity names one node
// (as a DaemonSet's pods do) to that node, and completes the graceful
// deletion of a bound pod as its kubelet would, with grace 0. Pods bound
// to a node in Dead are left alone: their kubelet is gone.
type PodDriver struct {
	// RunFor is how long a pod that is not restarted runs. Default 2s.
	RunFor time.Duration
	// Dead names nodes whose kubelet is gone.
	Dead map[string]bool

	p     *sim.Process
	pods  *client.Informer[*api.Pod]
	queue *client.Queue
	ips   int
}

// Start runs the driver on p.
func (d *PodDriver) Start(p *sim.Process) {
	if d.RunFor <= 0 {
		d.RunFor = 2 * time.Second
	}
	d.p = p
	d.pods = client.NewInformer[*api.Pod](p.Loop(), p.Client(), "", client.ListOptions{})
	d.queue = client.NewQueue(p.Loop(), d.sync)
	d.pods.AddHandlers(client.EnqueueKeys[*api.Pod](d.queue))
	d.pods.Start()
}

func (d *PodDriver) sync(key string) error {
	ns, name := client.SplitKey(key)
	pod, ok := d.pods.Get(ns, name)
	if !ok || d.Dead[pod.Spec.NodeName] {
		return nil
	}
	ctx := context.Background()
	pods := client.For[*api.Pod](d.p.Client())
	if pod.DeletionTimestamp != nil {
		if pod.Spec.NodeName == "" {
			return nil
		}
		zero := int64(0)
		_, err := pods.Delete(ctx, ns, name, client.DeleteOptions{GracePeriodSeconds: &zero, UID: pod.UID})
		if api.IsNotFound(err) || api.IsConflict(err) {
			return nil
		}
		return err
	}
	if pod.Spec.NodeName == "" {
		if node := affinityNode(pod); node != "" {
			err := client.Bind(ctx, d.p.Client(), ns, name, string(pod.UID), node)
			if api.IsConflict(err) || api.IsNotFound(err) {
				return nil
			}
			return err
		}
	}
	now := d.p.Loop().Now()
	switch pod.Status.Phase {
	case "", api.PodPending:
		pod = api.DeepCopy(pod)
		d.ips++
		ready := api.ConditionTrue
		if pod.Annotations[AnnotationNotReady] == "true" {
			ready = api.ConditionFalse
		}
		pod.Status.Phase = api.PodRunning
		pod.Status.PodIP = fmt.Sprintf("10.244.%d.%d", d.ips/250, 1+d.ips%250)
		pod.Status.PodIPs = []api.PodIP{{IP: pod.Status.PodIP}}
		pod.Status.StartTime = api.NewTime(now)
		pod.Status.Conditions = []api.PodCondition{
			{Type: api.PodScheduled, Status: api.ConditionTrue, LastTransitionTime: api.NewTime(now)},
			{Type: api.PodReady, Status: ready, LastTransitionTime: api.NewTime(now)},
			{Type: api.ContainersReady, Status: ready, LastTransitionTime: api.NewTime(now)},
		}
		_, err := pods.UpdateStatus(ctx, pod, client.WriteOptions{})
		return ignoreGone(err)
	case api.PodRunning:
		if pod.Spec.RestartPolicy == "" || pod.Spec.RestartPolicy == api.RestartAlways {
			return nil
		}
		runFor := d.RunFor
		if v, err := time.ParseDuration(pod.Annotations[AnnotationRunFor]); err == nil {
			runFor = v
		}
		if pod.Status.StartTime != nil {
			if wait := pod.Status.StartTime.Time.Add(runFor).Sub(now); wait > 0 {
				d.queue.AddAfter(key, wait)
				return nil
			}
		}
		pod = api.DeepCopy(pod)
		code, _ := strconv.Atoi(pod.Annotations[AnnotationExit])
		pod.Status.Phase = api.PodSucceeded
		if code != 0 {
			pod.Status.Phase = api.PodFailed
		}
		for i := range pod.Status.Conditions {
			if c := &pod.Status.Conditions[i]; c.Type == api.PodReady || c.Type == api.ContainersReady {
				c.Status, c.LastTransitionTime = api.ConditionFalse, api.NewTime(now)
			}
		}
		_, err := pods.UpdateStatus(ctx, pod, client.WriteOptions{})
		return ignoreGone(err)
	}
	return nil
}

// ignoreGone: a pod deleted or changed meanwhile comes back through the
// informer if there is still work.
func ignoreGone(err error) error {
	if api.IsNotFound(err) || api.IsConflict(err) {
		return nil
	}
	return err
}

// affinityNode returns the node a pod's required node affinity pins it to
// by hostname (a DaemonSet pod's), or "".
func affinityNode(pod *api.Pod) string {
	a := pod.Spec.Affinity
	if a == nil || a.NodeAffinity == nil || a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return ""
	}
	for _, t := range a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
		for _, e := range t.MatchExpressions {
			if e.Key == "kubernetes.io/hostname" && e.Operator == "In" && len(e.Values) == 1 {
				return e.Values[0]
			}
		}
	}
	return ""
}

// Heartbeats renews the Lease of each node in Nodes every Every (default
// 2s), as kubelets do, except a node in Stop from the time given there on.
type Heartbeats struct {
	Nodes []string
	Every time.Duration
	Stop  map[string]time.Duration
}

// Start runs the heartbeats on p.
func (h Heartbeats) Start(w *sim.World, p *sim.Process) {
	if h.Every <= 0 {
		h.Every = 2 * time.Second
	}
	leases := client.For[*api.Lease](p.Client())
	var beat func()
	beat = func() {
		ctx := context.Background()
		for _, n := range h.Nodes {
			if stop, ok := h.Stop[n]; ok && w.Elapsed() >= stop {
				continue
			}
			now := api.NewMicroTime(p.Loop().Now())
			l, err := leases.Get(ctx, "kube-node-lease", n)
			if api.IsNotFound(err) {
				holder, secs := n, int32(40)
				l = &api.Lease{ObjectMeta: api.ObjectMeta{Name: n, Namespace: "kube-node-lease"},
					Spec: api.LeaseSpec{HolderIdentity: &holder, LeaseDurationSeconds: &secs, RenewTime: now}}
				leases.Create(ctx, l, client.WriteOptions{})
				continue
			}
			if err != nil {
				continue
			}
			l.Spec.RenewTime = now
			leases.Update(ctx, l, client.WriteOptions{})
		}
		p.Loop().After(h.Every, beat)
	}
	beat()
}
