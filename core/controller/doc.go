// Package controller holds the controllers: components that move the
// cluster from what is towards what is wanted. Each follows one pattern.
// Informers list and watch the kinds it cares about into a local cache and
// call handlers on change; the handlers only turn events into keys on a
// work queue (deduplicated, retried with backoff, delayable); Reconcile(key)
// then reads the whole current state of that object from the caches and
// issues the writes that close the gap. It is level-triggered — it never
// asks which event brought it, so a lost, repeated or reordered event costs
// nothing but a later pass — and it never trusts the cache about its own
// recent writes: expectations record the creates and deletes it issued and
// hold it back until the informer has shown them, or it would act twice.
//
//	   API server
//	  │ list+watch          ▲ create/patch/delete, status
//	  ▼                     │
//	Informer ──handlers──▶ Queue ──key──▶ Reconcile(key)
//	  │ cache                ▲              │ reads cache
//	  └──────────────────────┼──────────────┘
//	                         └── AddAfter (retry, timers) · expectations
//
// Two pieces shared by several controllers live here: Expectations, for
// the controllers that create pods, and Claimer, the adoption and release
// of dependents by labels for the controllers that adopt (ReplicaSet of
// pods, Deployment of ReplicaSets; StatefulSet, DaemonSet and Job count
// only what their controller reference names, and adopt nothing).
//
// Subpackages: replicaset (book chapter 06), node, the node lifecycle
// controller (chapter 07), deployment, garbagecollector, statefulset,
// daemonset, job and cronjob (chapter 09), endpoints and servicelb
// (chapter 11), namespace (the namespace lifecycle: it empties a
// terminating namespace, then finalizes it).
//
// Book: chapter 6, "Controllers and ReplicaSets"
// (book/06-controllers-replicasets.md), which walks the pattern.
package controller
