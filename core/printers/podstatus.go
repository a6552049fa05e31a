package printers

import (
	"fmt"
	"strconv"
	"time"

	"github.com/tinykube/tinykube/core/api"
)

// podSummary is what a pod's get row says about its health.
type podSummary struct {
	ready, total int    // containers ready / in the spec
	status       string // the STATUS column
	restarts     string // the RESTARTS column: "0", "3 (45s ago)"
}

// summarizePod computes READY, STATUS and RESTARTS exactly as kubectl's pod
// printer does. STATUS is the most telling reason found, in this order:
//
//   - the pod's phase, or status.reason when set (Evicted, NodeLost);
//   - the first init container that has not succeeded: "Init:Error",
//     "Init:CrashLoopBackOff", "Init:ExitCode:1", or "Init:0/2" when it is
//     merely running or starting;
//   - once initialised, the first container (in spec order) that is
//     waiting (CrashLoopBackOff, ContainerCreating, ErrImagePull) or
//     terminated (Completed, Error, OOMKilled, "ExitCode:3"), with
//     "Completed" turned back into Running/NotReady while another container
//     still runs;
//   - "Terminating" once deletionTimestamp is set on a pod that has not
//     finished ("Unknown" if the node was lost).
//
// RESTARTS counts restarts of the containers the status came from, with
// the age of the most recent termination when known.
func summarizePod(p *api.Pod, now time.Time) podSummary {
	st := &p.Status
	s := podSummary{total: len(p.Spec.Containers)}
	restarts := 0
	var lastRestart time.Time
	noteRestart := func(c api.ContainerStatus) {
		restarts += int(c.RestartCount)
		if t := c.LastTerminationState.Terminated; t != nil && t.FinishedAt != nil && lastRestart.Before(t.FinishedAt.Time) {
			lastRestart = t.FinishedAt.Time
		}
	}

	reason := string(st.Phase)
	if st.Reason != "" {
		reason = st.Reason
	}
	for _, c := range st.Conditions {
		if c.Type == api.PodScheduled && c.Reason == "SchedulingGated" {
			reason = "SchedulingGated"
		}
	}

	initializing := false
	for i, c := range st.InitContainerStatuses {
		noteRestart(c)
		switch {
		case c.State.Terminated != nil && c.State.Terminated.ExitCode == 0:
			continue
		case c.State.Terminated != nil:
			t := c.State.Terminated
			switch {
			case t.Reason != "":
				reason = "Init:" + t.Reason
			case t.Signal != 0:
				reason = fmt.Sprintf("Init:Signal:%d", t.Signal)
			default:
				reason = fmt.Sprintf("Init:ExitCode:%d", t.ExitCode)
			}
		case c.State.Waiting != nil && c.State.Waiting.Reason != "" && c.State.Waiting.Reason != "PodInitializing":
			reason = "Init:" + c.State.Waiting.Reason
		default:
			reason = fmt.Sprintf("Init:%d/%d", i, len(p.Spec.InitContainers))
		}
		initializing = true
		break
	}

	if !initializing || conditionTrue(st, api.PodInitialized) {
		// kubectl counts only the main containers' restarts from here on.
		restarts, lastRestart = 0, time.Time{}
		hasRunning := false
		for i := len(st.ContainerStatuses) - 1; i >= 0; i-- {
			c := st.ContainerStatuses[i]
			noteRestart(c)
			switch {
			case c.State.Waiting != nil && c.State.Waiting.Reason != "":
				reason = c.State.Waiting.Reason
			case c.State.Terminated != nil && c.State.Terminated.Reason != "":
				reason = c.State.Terminated.Reason
			case c.State.Terminated != nil && c.State.Terminated.Signal != 0:
				reason = fmt.Sprintf("Signal:%d", c.State.Terminated.Signal)
			case c.State.Terminated != nil:
				reason = fmt.Sprintf("ExitCode:%d", c.State.Terminated.ExitCode)
			case c.Ready && c.State.Running != nil:
				hasRunning = true
				s.ready++
			}
		}
		if reason == "Completed" && hasRunning {
			if conditionTrue(st, api.PodReady) {
				reason = "Running"
			} else {
				reason = "NotReady"
			}
		}
	}

	if p.DeletionTimestamp != nil {
		if st.Reason == "NodeLost" {
			reason = "Unknown"
		} else if !api.IsPodTerminal(p) {
			reason = "Terminating"
		}
	}

	s.status = reason
	s.restarts = strconv.Itoa(restarts)
	if restarts != 0 && !lastRestart.IsZero() {
		s.restarts = fmt.Sprintf("%d (%s ago)", restarts, timeSince(lastRestart, now))
	}
	return s
}

// conditionTrue reports whether the pod condition of type t is True.
func conditionTrue(st *api.PodStatus, t string) bool {
	c := st.FindCondition(t)
	return c != nil && c.Status == api.ConditionTrue
}
