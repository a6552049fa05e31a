// Package podnet gives each pod a network namespace of its own, wired to
// the node's bridge through CNI, the way a Kubernetes container runtime
// does it.
//
// CNI (the Container Network Interface) is a small contract between a
// container runtime and network plugins. A plugin is an executable; the
// runtime runs it with a command (ADD, DEL, CHECK) and the sandbox's id,
// network namespace path and interface name in environment variables, and
// the network's JSON configuration on stdin; on ADD it prints a result
// (interfaces and IPs) on stdout. A network configuration list chains
// plugins: ADD runs them in order, each seeing the previous result, and
// DEL runs them in reverse. libcni (github.com/containernetworking/cni)
// is the runtime side of that contract, which this package uses; the
// plugins are the standard ones from containernetworking-plugins:
//
//   - loopback brings lo up inside the pod;
//   - bridge creates the node's bridge (Config.Bridge, given the subnet's
//     first address as the pods' gateway), and a veth pair per pod: one end
//     attached to the bridge, the other moved into the pod as eth0;
//   - host-local is bridge's IPAM plugin: it hands out addresses from
//     Config.Subnet, one file per allocated IP under StateDir/ipam, and
//     frees them on DEL.
//
// So pods on one node talk to each other across the bridge, and the node
// reaches every pod through the bridge's address. Reaching pods on other
// nodes needs routes between the nodes' subnets; that is not this
// package's job.
//
//	node netns                         pod netns StateDir/netns/<id>
//	                                   +------------------------+
//	tk0 (bridge) 10.88.0.1 --- vethA --|-- eth0 10.88.0.5/24    |
//	                  |                |   default via 10.88.0.1|
//	                  |                +------------------------+
//	                  +------- vethB ---- eth0 of the next pod ...
//
// Where it is called: the kubelet (core/kubelet) asks its Runtime for a
// sandbox before a pod's containers start (RunSandbox) and removes it when
// the pod is gone (RemoveSandbox). The real runtime implements those with
// Setup, which returns the netns path its containers join and the IP the
// kubelet reports as the pod's IP, and Teardown. After a crash, List shows
// the sandboxes still on disk, and the runtime tears down those no pod
// owns any more.
//
// Book: chapter 10, "The container runtime and pod networking" (book/10-container-runtime.md).
package podnet
