// Package runtime is the simulator's container runtime: sandboxes get
// deterministic IPs, containers start, become ready, crash, fail probes and
// take their time to stop exactly as their scripted Behavior says, in the
// virtual time of the simulator's loop. Crash makes a whole node's
// containers vanish at once. The kubelet drives it as it drives containerd.
//
// The scripts are pod annotations (AnnotationBehavior, and
// AnnotationBehaviorPrefix plus a container's name). They are this
// package's concern alone: the kubelet passes the pod's annotations
// through ContainerConfig untouched, and this runtime picks out its own.
//
// It also measures: behaviours script each container's CPU and memory
// (steady, in steps over its life, or following the requests its pod
// receives), and the runtime integrates them into the counters a cgroup
// keeps, served to the kubelet as a kubelet.StatsProvider (usage.go).
//
// Book: chapter 5, "The kubelet" (book/05-kubelet.md, "Code: the
// simulated runtime"), chapter 8, "The simulator" (book/08-simulator.md),
// and chapter 19, "Measuring and autoscaling"
// (book/19-measuring-and-autoscaling.md, "Code: use in the simulator").
package runtime
