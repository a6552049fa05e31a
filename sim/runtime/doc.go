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
// Book: chapter 5, "The kubelet" (book/05-kubelet.md, "Code: the
// simulated runtime"), and chapter 8, "The simulator" (book/08-simulator.md).
package runtime
