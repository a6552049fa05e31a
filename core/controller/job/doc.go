// Package job is the Job controller: it runs a Job's pods until enough of
// them succeed, replaces the ones that fail up to spec.backoffLimit, stops
// at spec.activeDeadlineSeconds, deletes the pods of a suspended Job, and
// deletes a finished Job ttlSecondsAfterFinished later.
//
// Its core promise is that a finished pod is counted exactly once, even
// when a status update's answer is lost or the controller restarts
// halfway. It keeps it the way Kubernetes' "job tracking with finalizers"
// does (see tracking.go):
//
//	pod created with finalizer batch.kubernetes.io/job-tracking
//	   │ pod Succeeded / Failed
//	   ▼
//	1. status.uncountedTerminatedPods += uid     (status update)
//	2. remove the pod's finalizer                (pod patch)
//	3. uncounted -= uid; succeeded/failed += 1   (status update)
//
// A pod is counted when its uid leaves the uncounted list, and its uid
// enters that list only while the pod still carries the finalizer, which
// is removed before the uid leaves: so it enters once, and counts once.
//
// Book: chapter 9, "Workloads" (book/09-workloads.md, "Jobs").
package job
