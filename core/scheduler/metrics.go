package scheduler

import (
	"github.com/tinykube/tinykube/core/metrics"
)

// The scheduler's metrics, named and labelled as kube-scheduler's.
var (
	scheduleAttempts = &metrics.Desc{Name: "scheduler_schedule_attempts_total", Kind: metrics.Counter,
		Help:   "Number of attempts to schedule pods, by the result. 'unschedulable' means a pod could not be scheduled, while 'error' means an internal scheduler problem.",
		Labels: []string{"result", "profile"}}
	attemptDuration = &metrics.Desc{Name: "scheduler_scheduling_attempt_duration_seconds", Kind: metrics.Histogram,
		Help:    "Scheduling attempt latency in seconds (scheduling algorithm + binding)",
		Labels:  []string{"result", "profile"},
		Buckets: []float64{0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192, 16.384}}
	pendingPods = &metrics.Desc{Name: "scheduler_pending_pods", Kind: metrics.Gauge,
		Help:   "Number of pending pods, by the queue type. 'active' means number of pods waiting to be tried; 'backoff' means number of pods waiting out a back-off after an error; 'unschedulable' means number of pods the scheduler tried and found no node for.",
		Labels: []string{"queue"}}
)

// The results of a scheduling attempt.
const (
	resultScheduled     = "scheduled"
	resultUnschedulable = "unschedulable"
	resultError         = "error"
)

// observeAttempt records one attempt's result and how long it took since
// it began at start (the loop's clock), and where the pod waits now.
func (s *Scheduler) observeAttempt(key, result string, seconds float64) {
	s.metrics.Add(scheduleAttempts, 1, result, s.cfg.Name)
	s.metrics.Observe(attemptDuration, seconds, result, s.cfg.Name)
	if result == resultScheduled {
		delete(s.waiting, key)
	} else {
		s.waiting[key] = result
	}
	s.reportPending()
}

// reportPending sets scheduler_pending_pods: pods queued to be tried are
// active; of the others, those whose last attempt found no node are
// unschedulable, those whose last attempt failed are in back-off.
func (s *Scheduler) reportPending() {
	if s.metrics == metrics.Discard {
		return
	}
	var backoff, unschedulable int
	for key, result := range s.waiting {
		switch {
		case s.queue.Queued(key):
		case result == resultUnschedulable:
			unschedulable++
		default:
			backoff++
		}
	}
	s.metrics.Set(pendingPods, float64(s.queue.Len()), "active")
	s.metrics.Set(pendingPods, float64(backoff), "backoff")
	s.metrics.Set(pendingPods, float64(unschedulable), "unschedulable")
}
