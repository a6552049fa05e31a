package kubelet

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// writeStatus computes the pod's status from the runtime and writes it —
// only when it differs from what the API holds, so a quiet pod costs no
// writes. A conflict sends the pod back to the queue.
func (k *Kubelet) writeStatus(pod *api.Pod, st *podState, v *podView, fail *failure) error {
	s := k.podStatus(pod, st, v, fail)
	old, _ := json.Marshal(pod.Status)
	fresh, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("pod %s/%s: encoding its status: %w", pod.Namespace, pod.Name, err)
	}
	if bytes.Equal(old, fresh) {
		return nil
	}
	cp := *pod
	cp.Status = s
	if _, err := client.For[*api.Pod](k.cfg.Client).UpdateStatus(context.Background(), &cp, client.WriteOptions{}); err != nil {
		if api.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("pod %s/%s: writing its status: %w", pod.Namespace, pod.Name, err)
	}
	k.podStatusWritten(pod.UID, s.Phase)
	return nil
}

// podStatus is the status the kubelet reports for pod.
func (k *Kubelet) podStatus(pod *api.Pod, st *podState, v *podView, fail *failure) api.PodStatus {
	old := pod.Status
	now := api.NewTime(k.cfg.Loop.Now())
	s := api.PodStatus{HostIP: k.cfg.Address, QOSClass: old.QOSClass, StartTime: old.StartTime}
	if s.QOSClass == "" {
		s.QOSClass = api.PodQOSClass(pod)
	}
	if s.StartTime == nil {
		s.StartTime = now
	}
	if sb := v.sandbox(); sb != nil && sb.IP != "" {
		s.PodIP, s.PodIPs = sb.IP, []api.PodIP{{IP: sb.IP}}
	} else {
		s.PodIP, s.PodIPs = old.PodIP, old.PodIPs
	}
	for _, c := range pod.Spec.InitContainers {
		s.InitContainerStatuses = append(s.InitContainerStatuses, k.containerStatus(pod, st, v, c, true, old.InitContainerStatuses))
	}
	for _, c := range pod.Spec.Containers {
		s.ContainerStatuses = append(s.ContainerStatuses, k.containerStatus(pod, st, v, c, false, old.ContainerStatuses))
	}
	initialized := k.initialized(pod, v)
	s.Phase = podPhase(pod, s, initialized)
	if fail != nil {
		s.Phase, s.Reason, s.Message = api.PodFailed, fail.reason, fail.message
	}

	var unready, unfinished []string
	for _, cs := range s.ContainerStatuses {
		if !cs.Ready {
			unready = append(unready, cs.Name)
		}
	}
	for _, cs := range s.InitContainerStatuses {
		if t := cs.State.Terminated; t == nil || t.ExitCode != 0 {
			unfinished = append(unfinished, cs.Name)
		}
	}
	cond := func(typ string, ok bool, reason, msg string) api.PodCondition {
		c := api.PodCondition{Type: typ, Status: api.ConditionTrue, LastTransitionTime: now}
		if !ok {
			c.Status, c.Reason, c.Message = api.ConditionFalse, reason, msg
		}
		if prev := old.FindCondition(typ); prev != nil && prev.Status == c.Status && prev.LastTransitionTime != nil {
			c.LastTransitionTime = prev.LastTransitionTime
		}
		return c
	}
	notReady := fmt.Sprintf("containers with unready status: [%s]", strings.Join(unready, " "))
	readyReason := "ContainersNotReady"
	if api.IsPodPhaseTerminal(s.Phase) {
		readyReason = "PodCompleted"
		notReady = ""
	}
	allReady := len(unready) == 0 && !api.IsPodPhaseTerminal(s.Phase)
	s.Conditions = []api.PodCondition{
		cond(api.PodInitialized, initialized, "ContainersNotInitialized", fmt.Sprintf("containers with incomplete status: [%s]", strings.Join(unfinished, " "))),
		cond(api.PodReady, allReady, readyReason, notReady),
		cond(api.ContainersReady, allReady, readyReason, notReady),
	}
	if prev := old.FindCondition(api.PodScheduled); prev != nil {
		s.Conditions = append(s.Conditions, *prev)
	} else {
		s.Conditions = append(s.Conditions, cond(api.PodScheduled, true, "", ""))
	}
	return s
}

// containerStatus reports one container: its newest run, why it waits,
// how its previous run ended.
func (k *Kubelet) containerStatus(pod *api.Pod, st *podState, v *podView, c api.Container, isInit bool, olds []api.ContainerStatus) api.ContainerStatus {
	cs := api.ContainerStatus{Name: c.Name, Image: c.Image, ImageID: c.Image}
	var old *api.ContainerStatus
	for i := range olds {
		if olds[i].Name == c.Name {
			old = &olds[i]
		}
	}
	run := v.latest(c.Name)
	if run == nil {
		w, ok := st.waiting[c.Name]
		if !ok {
			w = api.ContainerStateWaiting{Reason: "ContainerCreating"}
			if !isInit && !k.initialized(pod, v) {
				w.Reason = "PodInitializing"
			}
		}
		cs.State.Waiting = &w
		if old != nil {
			cs.RestartCount, cs.LastTerminationState = old.RestartCount, old.LastTerminationState
		}
		return cs
	}
	runtimeName, _ := k.runtime.Version()
	cs.ContainerID = runtimeName + "://" + run.ID
	cs.RestartCount = int32(run.Attempt)
	started := false
	switch run.State {
	case StateCreated:
		cs.State.Waiting = &api.ContainerStateWaiting{Reason: "ContainerCreating"}
	case StateRunning:
		started = true
		cs.State.Running = &api.ContainerStateRunning{StartedAt: api.NewTime(run.StartedAt)}
		cs.Ready = !isInit && k.probeReady(pod, c, run)
	case StateExited:
		term := terminated(runtimeName, run)
		restarts := shouldRestart(pod.Spec.RestartPolicy, run.ExitCode)
		if isInit {
			restarts = pod.Spec.RestartPolicy != api.RestartNever && run.ExitCode != 0
		}
		if w, ok := st.waiting[c.Name]; ok && restarts && pod.DeletionTimestamp == nil {
			cs.State.Waiting = &w
			cs.LastTerminationState.Terminated = term
			cs.Started = &started
			return cs
		}
		cs.State.Terminated = term
	}
	cs.Started = &started
	if prev := v.previous(c.Name); prev != nil && prev.State == StateExited {
		cs.LastTerminationState.Terminated = terminated(runtimeName, prev)
	} else if old != nil && cs.RestartCount > 0 {
		cs.LastTerminationState = old.LastTerminationState
	}
	return cs
}

func terminated(runtimeName string, c *Container) *api.ContainerStateTerminated {
	t := &api.ContainerStateTerminated{ExitCode: int32(c.ExitCode), Reason: c.Reason,
		FinishedAt: api.NewTime(c.FinishedAt), ContainerID: runtimeName + "://" + c.ID}
	if !c.StartedAt.IsZero() {
		t.StartedAt = api.NewTime(c.StartedAt)
	}
	if t.Reason == "" {
		t.Reason = "Error"
		if c.ExitCode == 0 {
			t.Reason = "Completed"
		}
	}
	return t
}

// podPhase derives the phase from the container statuses, as Kubernetes'
// getPhase does: Pending while a container has yet to start, Running while
// one runs or will be restarted, Succeeded or Failed when all have ended
// for good.
func podPhase(pod *api.Pod, s api.PodStatus, initialized bool) api.PodPhase {
	if !initialized {
		for _, cs := range s.InitContainerStatuses {
			failed := (cs.State.Terminated != nil && cs.State.Terminated.ExitCode != 0) ||
				(cs.State.Waiting != nil && cs.LastTerminationState.Terminated != nil && cs.LastTerminationState.Terminated.ExitCode != 0)
			if failed && pod.Spec.RestartPolicy == api.RestartNever {
				return api.PodFailed
			}
		}
		return api.PodPending
	}
	var waiting, running, stopped, succeeded int
	for _, cs := range s.ContainerStatuses {
		switch {
		case cs.State.Running != nil:
			running++
		case cs.State.Terminated != nil:
			stopped++
			if cs.State.Terminated.ExitCode == 0 {
				succeeded++
			}
		case cs.LastTerminationState.Terminated != nil:
			stopped++
		default:
			waiting++
		}
	}
	switch {
	case waiting > 0:
		return api.PodPending
	case running > 0:
		return api.PodRunning
	case pod.Spec.RestartPolicy == api.RestartAlways || pod.Spec.RestartPolicy == "":
		return api.PodRunning
	case stopped == succeeded:
		return api.PodSucceeded
	case pod.Spec.RestartPolicy == api.RestartNever:
		return api.PodFailed
	}
	return api.PodRunning
}
