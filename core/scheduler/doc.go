// Package scheduler assigns pending pods to nodes, the way kube-scheduler
// does, in a few hundred lines: one pod at a time, one scheduling cycle per
// pod.
//
//	pod informer ──► queue of pending pod keys (back-off on failure)
//	                   │
//	                   ▼  one cycle per key
//	  node informer ─► snapshot: a NodeInfo per node, in name order
//	  + assumed pods     (allocatable; requests of the pods bound there)
//	                   │
//	                   ▼
//	                 filter: NodeUnschedulable, NodeReady, TaintToleration,
//	                   │     NodeSelector, NodeAffinity, NodePorts,
//	                   │     NodeResourcesFit   (none fit: FailedScheduling
//	                   │                         event, PodScheduled=False)
//	                   ▼
//	                 score: LeastAllocated | MostAllocated, + spread of the
//	                   │    pods of one controller, − PreferNoSchedule taints;
//	                   │    best wins, ties broken by the seeded Rand
//	                   ▼
//	                 assume: count the pod on its node now
//	                   │
//	                   ▼
//	                 bind: POST pods/{name}/binding ──► Scheduled event
//
// Vocabulary:
//
//   - pending pod: no spec.nodeName, not being deleted, not finished, and
//     spec.schedulerName names this scheduler.
//   - NodeInfo: a node as one cycle sees it: what it can give (allocatable)
//     and what its pods already ask for (requested), host ports, and how
//     many pods of each controller it runs.
//   - filter: a yes/no test of one pod on one node; a no comes with a
//     reason, and the reasons of all nodes make the FailedScheduling
//     message ("0/5 nodes are available: 3 Insufficient cpu, …").
//   - score: how much a node that passed every filter is preferred.
//   - assumed pod: one this scheduler has bound but its informer does not
//     show bound yet (see assumeCache for why that matters).
//   - binding: the API call that sets a pod's node, at most once per pod.
//
// Schedule is the pure algorithm (filter and score over given NodeInfos);
// ScheduleWith is the same choice among nodes with other filters and
// scores (lab 04 plugs a student's in);
// Scheduler is the component around it (informers, queue, assume, bind,
// events). Like everything in core, it runs on a loop.Loop and never
// starts goroutines or reads the clock.
//
// Book: chapter 4, "The scheduler" (book/04-scheduler.md).
package scheduler
