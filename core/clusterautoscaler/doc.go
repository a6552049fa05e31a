// Package clusterautoscaler grows and shrinks the cluster's node groups
// the way Kubernetes' cluster-autoscaler does: it adds nodes when pods
// cannot be scheduled for want of room that a new node of some group
// would give, and removes nodes that have been underused long enough and
// whose pods fit elsewhere.
//
//	every ScanInterval (10s), from its informers' caches:
//
//	  pods Pending, PodScheduled=False/Unschedulable
//	      │  drop those that fit on existing nodes (the scheduler will get
//	      │  to them) or on nodes already asked for (upcoming)
//	      ▼
//	  PlanScaleUp: per group below max and not backed off, pack the rest
//	      │  onto copies of the group's template node with the scheduler's
//	      │  own Filter; the expander (least waste) picks one group
//	      ▼
//	  CloudProvider.IncreaseSize(group, n)   TriggeredScaleUp on the pods
//
//	  nodes of a group whose pods request < 50% of cpu and of memory,
//	  unneeded for ScaleDownUnneededTime (10m), no scale-up for
//	  ScaleDownDelayAfterAdd (10m)
//	      │
//	      ▼
//	  PlanScaleDown: every pod (but DaemonSet and mirror pods) may move
//	      │  (a controller, no local storage, budget allows) and fits on
//	      │  another node, counting the pods moved there earlier in the pass
//	      ▼
//	  taint ToBeDeletedByClusterAutoscaler, evict through pods/eviction
//	  (budgets honoured), then CloudProvider.DeleteNodes    ScaleDown event
//
// Nodes asked for that have not registered within MaxNodeProvisionTime
// (15m) are given up on (DecreaseTargetSize) and their group backed off.
// What it sees and does is written to the ConfigMap
// kube-system/cluster-autoscaler-status.
//
// The cloud is a CloudProvider: the simulator's (sim/cluster) starts
// simulated machines. A real-machine provider needs machines to start,
// which tinykube's test bed does not have yet.
//
// Like everything in core it runs on a loop.Loop, reads time from it and
// never starts goroutines. It is an entry of the controller manager's
// roster, started only when a provider is configured.
//
// Book: book/19-measuring-and-autoscaling.md, "Code: the cluster autoscaler".
package clusterautoscaler
