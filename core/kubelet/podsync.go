package kubelet

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/loop"
)

// podState is what the kubelet remembers of a pod between syncs that
// neither the API nor the runtime tells it.
type podState struct {
	// stopping maps the containers asked to stop to the grace they got.
	stopping map[string]int64
	// waiting says why a container that has no run to show is waiting
	// (an image error, a back-off), by container name.
	waiting map[string]api.ContainerStateWaiting
	// pullFailed holds when each container's last image pull failed.
	pullFailed map[string]time.Time
	// refused holds, by container name, the runtime's last refusal to
	// create a container for what its pod asks (a ConfigError).
	refused  map[string]refusal
	deadline loop.Timer
	// volumesReady is set once the pod's volumes were made: from then on
	// a volume that cannot be refreshed keeps its old content.
	volumesReady bool
}

func (k *Kubelet) podState(uid string) *podState {
	st := k.state[uid]
	if st == nil {
		st = &podState{stopping: map[string]int64{}, waiting: map[string]api.ContainerStateWaiting{}}
		k.state[uid] = st
	}
	return st
}

func (st *podState) stopTimers() {
	if st.deadline != nil {
		st.deadline.Stop()
	}
}

// forgetPod drops everything the kubelet remembers of a pod.
func (k *Kubelet) forgetPod(uid string) {
	if st := k.state[uid]; st != nil {
		st.stopTimers()
	}
	delete(k.state, uid)
	k.tokens.forget(uid)
	k.restart.forget(uid)
	k.pulls.forget(uid)
	k.refusals.forget(uid)
	for _, id := range slices.Sorted(maps.Keys(k.probes)) {
		if w := k.probes[id]; w.podUID == uid {
			w.stop()
			delete(k.probes, id)
		}
	}
}

func secondsDuration(s int64) time.Duration { return time.Duration(s) * time.Second }

// syncPod makes the runtime match one pod and reports what it sees. It is
// level-triggered — it looks at the pod and the runtime afresh each time —
// and never waits: it starts what is missing, and the runtime's changes
// bring the pod back to the queue.
func (k *Kubelet) syncPod(key string) error {
	if k.stopped {
		return nil
	}
	ns, name := client.SplitKey(key)
	pod, ok := k.pods.Get(ns, name)
	if !ok || pod.Spec.NodeName != k.cfg.NodeName {
		k.removeOrphans()
		return nil
	}
	v, err := k.view(pod.UID)
	if err != nil {
		return err
	}
	st := k.podState(pod.UID)
	if pod.DeletionTimestamp != nil {
		return k.terminatePod(pod, st, v)
	}
	if api.IsPodTerminal(pod) {
		// Finished: nothing restarts; stop what still runs (a pod past its
		// deadline) and leave the status as it is.
		k.killAll(pod, st, v, gracePeriod(pod))
		return nil
	}
	if k.deadlineExceeded(pod, st) {
		k.killAll(pod, st, v, gracePeriod(pod))
		return k.writeStatus(pod, st, v, &deadlineFailure)
	}
	acted, err := k.runPod(pod, st, v)
	if err != nil {
		return err
	}
	if acted {
		if v, err = k.view(pod.UID); err != nil {
			return err
		}
	}
	k.syncProbes(pod, v)
	return k.writeStatus(pod, st, v, nil)
}

func gracePeriod(pod *api.Pod) int64 {
	if g := pod.DeletionGracePeriodSeconds; g != nil {
		return *g
	}
	if g := pod.Spec.TerminationGracePeriodSeconds; g != nil {
		return *g
	}
	return 30
}

// terminatePod carries out a graceful deletion: every container gets
// SIGTERM with the pod's grace period (once; again only if the grace is
// shortened), and when all have exited the kubelet removes them and
// confirms the deletion with grace 0.
func (k *Kubelet) terminatePod(pod *api.Pod, st *podState, v *podView) error {
	grace := gracePeriod(pod)
	for _, c := range v.all() {
		if _, asked := st.stopping[c.ID]; !asked && c.State != StateExited {
			k.event(pod, client.EventNormal, "Killing", "Stopping container %s", c.Labels[LabelContainerName])
		}
	}
	if !k.teardown(pod.UID, v, grace) {
		return nil // the runtime tells us when they exit
	}
	zero := int64(0)
	_, err := client.For[*api.Pod](k.cfg.Client).Delete(context.Background(), pod.Namespace, pod.Name,
		client.DeleteOptions{GracePeriodSeconds: &zero, UID: pod.UID})
	if err != nil && !api.IsNotFound(err) && !api.IsConflict(err) {
		return fmt.Errorf("confirming the deletion of pod %s/%s: %w", pod.Namespace, pod.Name, err)
	}
	k.forgetPod(pod.UID)
	return nil
}

// killAll stops every running container of a pod that will not run again.
func (k *Kubelet) killAll(pod *api.Pod, st *podState, v *podView, grace int64) {
	for _, c := range v.all() {
		if c.State == StateExited {
			continue
		}
		if g, asked := st.stopping[c.ID]; asked && g <= grace {
			continue
		}
		k.event(pod, client.EventNormal, "Killing", "Stopping container %s", c.Labels[LabelContainerName])
		if err := k.runtime.StopContainer(c.ID, secondsDuration(grace)); err == nil {
			st.stopping[c.ID] = grace
		}
	}
}

// deadlineFailure is the status of a pod stopped by activeDeadlineSeconds.
var deadlineFailure = failure{reason: "DeadlineExceeded", message: "Pod was active on the node longer than the specified deadline"}

type failure struct{ reason, message string }

// deadlineExceeded reports whether the pod has run past its
// activeDeadlineSeconds, and otherwise arranges a sync at the deadline.
func (k *Kubelet) deadlineExceeded(pod *api.Pod, st *podState) bool {
	d := pod.Spec.ActiveDeadlineSeconds
	if d == nil || pod.Status.StartTime == nil {
		return false
	}
	left := pod.Status.StartTime.Add(secondsDuration(*d)).Sub(k.cfg.Loop.Now())
	if left <= 0 {
		k.event(pod, client.EventWarning, "DeadlineExceeded", "Pod was active on the node longer than the specified deadline")
		return true
	}
	if st.deadline == nil {
		key := client.Key(pod)
		st.deadline = k.cfg.Loop.After(left, func() {
			st.deadline = nil
			k.queue.Add(key)
		})
	}
	return false
}

// runPod ensures the sandbox, then runs the init containers one by one to
// completion, then the app containers. It reports whether it asked the
// runtime for anything.
func (k *Kubelet) runPod(pod *api.Pod, st *podState, v *podView) (acted bool, err error) {
	if !k.config.ready(pod) || !k.servicesReady() {
		k.queue.AddAfter(client.Key(pod), configSyncPoll)
		return false, nil
	}
	if !k.setupVolumes(pod, st) {
		return false, nil
	}
	sb := v.sandbox()
	if sb == nil {
		// No sandbox, or it died: whatever ran in the old one is gone.
		for _, c := range v.all() {
			if c.State != StateExited {
				k.runtime.StopContainer(c.ID, 0)
			}
		}
		cfg := SandboxConfig{PodUID: pod.UID, Namespace: pod.Namespace, Name: pod.Name, Hostname: pod.Name,
			Subdomain: pod.Spec.Subdomain, DNSPolicy: pod.Spec.DNSPolicy,
			Labels: map[string]string{LabelPodUID: pod.UID, LabelPodName: pod.Name, LabelPodNamespace: pod.Namespace}, Annotations: pod.Annotations}
		if pod.Spec.Hostname != "" {
			cfg.Hostname = pod.Spec.Hostname
		}
		s, err := k.runtime.RunSandbox(cfg)
		if err != nil {
			k.event(pod, client.EventWarning, "FailedCreatePodSandBox", "Failed to create pod sandbox: %v", err)
			return true, fmt.Errorf("pod %s/%s: creating its sandbox: %w", pod.Namespace, pod.Name, err)
		}
		sb = &s
		acted = true
	}
	if !k.initialized(pod, v) {
		for _, c := range pod.Spec.InitContainers {
			run := v.latest(c.Name)
			switch {
			case run == nil:
				return true, k.startContainer(pod, st, v, sb, c)
			case run.State != StateExited:
				return acted, nil // wait for it to finish
			case run.ExitCode == 0:
				continue
			case pod.Spec.RestartPolicy == api.RestartNever:
				return acted, nil // the pod has failed
			default:
				did, err := k.restartContainer(pod, st, v, sb, c, run)
				return acted || did, err
			}
		}
	}
	for _, c := range pod.Spec.Containers {
		run := v.latest(c.Name)
		var did bool
		var err error
		switch {
		case run == nil:
			did, err = true, k.startContainer(pod, st, v, sb, c)
		case run.State == StateExited:
			did, err = k.restartContainer(pod, st, v, sb, c, run)
		}
		acted = acted || did
		if err != nil {
			return acted, err
		}
	}
	return acted, nil
}

// initialized reports whether the init containers are done: each exited
// 0, or the app containers have started already.
func (k *Kubelet) initialized(pod *api.Pod, v *podView) bool {
	for _, c := range pod.Spec.Containers {
		if v.latest(c.Name) != nil {
			return true
		}
	}
	for _, c := range pod.Spec.InitContainers {
		run := v.latest(c.Name)
		if run == nil || run.State != StateExited || run.ExitCode != 0 {
			return false
		}
	}
	return true
}

// restartContainer starts the next run of an exited container if its
// restart policy says so and it is not backing off (CrashLoopBackOff); a
// container backing off brings the pod back to the queue when its back-off
// ends. It reports whether it started one. The decision is DecideRestart's
// (or Config.DecideRestart's).
func (k *Kubelet) restartContainer(pod *api.Pod, st *podState, v *podView, sb *Sandbox, c api.Container, last *Container) (bool, error) {
	key := pod.UID + "/" + c.Name
	d := k.cfg.DecideRestart(RestartView{Policy: pod.Spec.RestartPolicy, ExitCode: last.ExitCode,
		StartedAt: last.StartedAt, FinishedAt: last.FinishedAt, Now: k.cfg.Loop.Now(), BackOff: k.restart.delay(key),
		Initial: k.cfg.BackOffInitial, Max: k.cfg.BackOffMax, Reset: k.cfg.BackOffReset})
	k.restart.set(key, d.BackOff)
	switch d.Action {
	case Leave:
		return false, nil
	case BackOff:
		st.waiting[c.Name] = api.ContainerStateWaiting{Reason: "CrashLoopBackOff",
			Message: fmt.Sprintf("back-off %s restarting failed container=%s pod=%s_%s(%s)", d.BackOff, c.Name, pod.Name, pod.Namespace, pod.UID)}
		k.event(pod, client.EventWarning, "BackOff", "Back-off restarting failed container %s in pod %s_%s(%s)", c.Name, pod.Name, pod.Namespace, pod.UID)
		k.queue.AddAfter(client.Key(pod), d.Wait)
		return false, nil
	}
	// Keep the run just ended (it is the status' lastState); older ones go.
	for _, old := range v.containers[c.Name] {
		if old.ID != last.ID && old.State == StateExited {
			k.runtime.RemoveContainer(old.ID)
		}
	}
	return true, k.startContainer(pod, st, v, sb, c)
}

// startContainer pulls the image (or backs off pulling it), creates and
// starts the next run of a container.
func (k *Kubelet) startContainer(pod *api.Pod, st *podState, v *podView, sb *Sandbox, c api.Container) error {
	key := pod.UID + "/" + c.Name
	now := k.cfg.Loop.Now()
	if w, failed := st.waiting[c.Name]; failed && (w.Reason == "ErrImagePull" || w.Reason == "ImagePullBackOff") {
		if left, _ := k.pulls.wait(key, st.pullFailedAt(c.Name), now); left > 0 {
			st.waiting[c.Name] = api.ContainerStateWaiting{Reason: "ImagePullBackOff", Message: fmt.Sprintf("Back-off pulling image %q", c.Image)}
			k.event(pod, client.EventNormal, "BackOff", "Back-off pulling image %q", c.Image)
			k.queue.AddAfter(client.Key(pod), left)
			return nil
		}
	}
	if k.refusalPending(pod, st, c) {
		return nil
	}
	policy := c.ImagePullPolicy
	if policy == "" {
		policy = api.PullIfNotPresent
	}
	if policy == api.PullAlways {
		k.event(pod, client.EventNormal, "Pulling", "Pulling image %q", c.Image)
	}
	if err := k.runtime.EnsureImage(c.Image, policy); err != nil {
		return k.imageFailed(pod, st, c, err)
	}
	if policy == api.PullAlways {
		k.event(pod, client.EventNormal, "Pulled", "Successfully pulled image %q", c.Image)
	} else {
		k.event(pod, client.EventNormal, "Pulled", "Container image %q already present on machine", c.Image)
	}
	attempt := k.nextAttempt(pod, v, c.Name)
	cfg, err := k.containerConfig(pod, sb, c, attempt)
	if err != nil {
		// A missing ConfigMap, Secret or key: the container waits, and
		// the object's informer brings the pod back when it changes.
		st.waiting[c.Name] = api.ContainerStateWaiting{Reason: "CreateContainerConfigError", Message: err.Error()}
		k.event(pod, client.EventWarning, "Failed", "Error: %v", err)
		return nil
	}
	id, err := k.runtime.CreateContainer(sb.ID, cfg)
	if err != nil {
		var ie *ImageError
		if errors.As(err, &ie) {
			return k.imageFailed(pod, st, c, err)
		}
		var ce *ConfigError
		if errors.As(err, &ce) {
			k.createRefused(pod, st, c, ce)
			return nil
		}
		st.waiting[c.Name] = api.ContainerStateWaiting{Reason: "CreateContainerError", Message: err.Error()}
		k.event(pod, client.EventWarning, "Failed", "Error: %v", err)
		return fmt.Errorf("pod %s/%s: creating container %s: %w", pod.Namespace, pod.Name, c.Name, err)
	}
	k.event(pod, client.EventNormal, "Created", "Created container %s", c.Name)
	if err := k.runtime.StartContainer(id); err != nil {
		st.waiting[c.Name] = api.ContainerStateWaiting{Reason: "RunContainerError", Message: err.Error()}
		k.event(pod, client.EventWarning, "Failed", "Error: %v", err)
		return fmt.Errorf("pod %s/%s: starting container %s: %w", pod.Namespace, pod.Name, c.Name, err)
	}
	k.event(pod, client.EventNormal, "Started", "Started container %s", c.Name)
	delete(st.waiting, c.Name)
	delete(st.pullFailed, c.Name)
	delete(st.refused, c.Name)
	k.pulls.reset(key)
	k.refusals.reset(key)
	return nil
}

// imageFailed records a failed pull: ErrImagePull now, ImagePullBackOff
// until the back-off lets the kubelet try again.
func (k *Kubelet) imageFailed(pod *api.Pod, st *podState, c api.Container, err error) error {
	reason, msg := "ErrImagePull", err.Error()
	var ie *ImageError
	if errors.As(err, &ie) {
		reason, msg = ie.Reason, ie.Message
	}
	st.waiting[c.Name] = api.ContainerStateWaiting{Reason: reason, Message: msg}
	if st.pullFailed == nil {
		st.pullFailed = map[string]time.Time{}
	}
	st.pullFailed[c.Name] = k.cfg.Loop.Now()
	k.event(pod, client.EventWarning, "Failed", "Failed to pull image %q: %s", c.Image, msg)
	k.event(pod, client.EventWarning, "Failed", "Error: %s", reason)
	delay := k.pulls.next(pod.UID + "/" + c.Name)
	k.queue.AddAfter(client.Key(pod), delay)
	return nil
}

func (st *podState) pullFailedAt(name string) time.Time { return st.pullFailed[name] }

// refusal is a container the runtime would not create for what its pod
// asks: when, and for which image (a new image is worth a retry at once).
type refusal struct {
	at    time.Time
	image string
}

// createRefused records a ConfigError from CreateContainer, as
// Kubernetes shows one: the container waits with reason
// CreateContainerConfigError and the error as its message, a Failed event
// says "Error: ...", and the pod comes back after a back-off (10s doubling
// to 5m) to try again — the node may change (a seccomp profile appears),
// and a changed image brings it back sooner (refusalPending).
func (k *Kubelet) createRefused(pod *api.Pod, st *podState, c api.Container, err *ConfigError) {
	st.waiting[c.Name] = api.ContainerStateWaiting{Reason: "CreateContainerConfigError", Message: err.Message}
	if st.refused == nil {
		st.refused = map[string]refusal{}
	}
	st.refused[c.Name] = refusal{at: k.cfg.Loop.Now(), image: c.Image}
	k.event(pod, client.EventWarning, "Failed", "Error: %s", err.Message)
	k.queue.AddAfter(client.Key(pod), k.refusals.next(pod.UID+"/"+c.Name))
}

// refusalPending reports whether container c was refused (createRefused)
// too recently to ask the runtime again; then it leaves the waiting
// reason as it is and brings the pod back when the back-off ends. A
// container whose image changed since is tried at once.
func (k *Kubelet) refusalPending(pod *api.Pod, st *podState, c api.Container) bool {
	r, ok := st.refused[c.Name]
	if !ok || r.image != c.Image {
		return false
	}
	left, _ := k.refusals.wait(pod.UID+"/"+c.Name, r.at, k.cfg.Loop.Now())
	if left <= 0 {
		return false
	}
	k.queue.AddAfter(client.Key(pod), left)
	return true
}

// nextAttempt numbers the next run of a container: one more than the
// newest run the runtime holds or, when it holds none (a node that lost
// its containers), one more than the restart count the API last saw.
func (k *Kubelet) nextAttempt(pod *api.Pod, v *podView, name string) int {
	if last := v.latest(name); last != nil {
		return last.Attempt + 1
	}
	for _, list := range [][]api.ContainerStatus{pod.Status.InitContainerStatuses, pod.Status.ContainerStatuses} {
		for _, cs := range list {
			if cs.Name == name && (cs.State.Running != nil || cs.State.Terminated != nil || cs.LastTerminationState.Terminated != nil) {
				return int(cs.RestartCount) + 1
			}
		}
	}
	return 0
}

// containerConfig turns a container of the spec into what the runtime
// runs. It fails when the container's environment names a ConfigMap,
// Secret or key that is missing and not optional (containerEnv).
func (k *Kubelet) containerConfig(pod *api.Pod, sb *Sandbox, c api.Container, attempt int) (ContainerConfig, error) {
	env, skipped, err := k.containerEnv(pod, c, sb.IP)
	if err != nil {
		return ContainerConfig{}, err
	}
	for _, msg := range skipped {
		k.event(pod, client.EventWarning, "InvalidEnvironmentVariableNames", "%s", msg)
	}
	// The command and args may refer to the container's variables.
	lookup := func(name string) (string, bool) {
		for i := len(env) - 1; i >= 0; i-- {
			if env[i].Name == name {
				return env[i].Value, true
			}
		}
		return "", false
	}
	return ContainerConfig{
		Name: c.Name, Attempt: attempt, Image: c.Image, Command: expandAll(c.Command, lookup), Args: expandAll(c.Args, lookup), WorkingDir: c.WorkingDir,
		Env:         env,
		CPUMilli:    c.Resources.Limits.Cpu().MilliValue(),
		MemoryBytes: c.Resources.Limits.Memory().Value(),
		Labels: map[string]string{LabelPodUID: pod.UID, LabelPodName: pod.Name, LabelPodNamespace: pod.Namespace,
			LabelContainerName: c.Name, LabelAttempt: strconv.Itoa(attempt)},
		Annotations: pod.Annotations,
		Stdin:       c.Stdin, StdinOnce: c.StdinOnce, TTY: c.TTY,
		Mounts:   containerMounts(c),
		Security: containerSecurity(pod, &c),
	}, nil
}
