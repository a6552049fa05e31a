// Package runtime is the simulator's container runtime: sandboxes get
// deterministic IPs, containers start, become ready, crash, fail probes and
// take their time to stop exactly as their scripted Behavior says, in the
// virtual time of the simulator's loop. Crash makes a whole node's
// containers vanish at once. The kubelet drives it as it drives containerd.
//
// Book: the kubelet chapter and the simulator chapter.
package runtime
