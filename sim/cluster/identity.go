package cluster

import (
	"context"
	"slices"
	"strings"

	"github.com/tinykube/tinykube/core/auth"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/rest"
)

// AdminProcess is the name the scenario's own client (Cluster.Admin: the
// objects it applies, its faults, the checks' reads) goes by.
const AdminProcess = "admin"

// adminServer is how violations name the admin's API server (Cluster.API),
// which is no process of the simulated network.
const adminServer = "the admin's API server"

// identity is one row of the identity table: a kind of simulated process
// and the user its requests carry.
type identity struct {
	// kind names the process kind for a reader.
	kind string
	// node returns the node a process of this kind belongs to (or "")
	// and whether process is of this kind.
	match func(c *Cluster, process string) (node string, ok bool)
	user  func(node string) *rest.UserInfo
}

// identities is who every simulated process is, as a real cluster's
// certificates would say: the simulator models them instead of issuing
// them, and the network (sim.Network.Identity) puts the user on each
// request, so that no process can pick its own. A process no row names
// proves nothing: it is system:anonymous.
var identities = []identity{
	{"scheduler", func(c *Cluster, p string) (string, bool) {
		return "", slices.Contains(c.Scenario.Cluster.SchedulerNames(), p)
	}, func(string) *rest.UserInfo { return auth.ComponentUser(auth.KubeScheduler) }},
	{"controller manager", func(c *Cluster, p string) (string, bool) {
		return "", slices.Contains(c.Scenario.Cluster.ControllerManagerNames(), p)
	}, func(string) *rest.UserInfo { return auth.ComponentUser(auth.KubeControllerManager) }},
	// The kubelet's process also runs the node's local-path provisioner:
	// both are the node's agent, with the node's certificate.
	{"kubelet", nodeProcess("kubelet/"), auth.NodeUser},
	{"service proxy", nodeProcess("proxy/"), auth.NodeUser},
	// The metrics pipeline runs in each API server's process and
	// follows the Nodes as the server's loopback user (metrics.go).
	{"API server", func(c *Cluster, p string) (string, bool) { return "", c.Scenario.HasServer(p) },
		func(string) *rest.UserInfo { return auth.APIServerUser() }},
	{"the scenario's admin", func(_ *Cluster, p string) (string, bool) { return "", p == AdminProcess },
		func(string) *rest.UserInfo { return auth.AdminUser() }},
}

// nodeProcess matches the processes called prefix+NODE for a node of the
// cluster.
func nodeProcess(prefix string) func(c *Cluster, p string) (string, bool) {
	return func(c *Cluster, p string) (string, bool) {
		node, ok := strings.CutPrefix(p, prefix)
		return node, ok && (c.Scenario.HasNode(node) || c.cloud.has(node))
	}
}

// userOf returns the user process's requests carry (see identities).
func (c *Cluster) userOf(process string) *rest.UserInfo {
	if u, ok := c.users[process]; ok {
		return u
	}
	u := auth.AnonymousUser()
	if ou, ok := c.operatorUser(process); ok { // operators.go
		u = ou
	}
	for _, id := range identities {
		if node, ok := id.match(c, process); ok {
			u = id.user(node)
			break
		}
	}
	if c.users == nil {
		c.users = map[string]*rest.UserInfo{}
	}
	c.users[process] = u
	return u
}

// component names the control-plane or node component u is, for a
// reader ("the controller manager", "node-2's kubelet or proxy"), and
// reports whether u is one: a component must never be refused what it
// does (the components-authorized invariant).
func component(u *rest.UserInfo) (string, bool) {
	if u == nil {
		return "", false
	}
	if node, ok := auth.NodeName(u); ok {
		return node + "'s kubelet or proxy", true
	}
	switch u.Name {
	case auth.KubeScheduler:
		return "the scheduler", true
	case auth.KubeControllerManager:
		return "the controller manager", true
	}
	return "", false
}

// signedTransport sends every request as one user: the admin's client,
// which talks to its API server outside the simulated network.
type signedTransport struct {
	inner client.Transport
	user  *rest.UserInfo
}

func (t signedTransport) Do(ctx context.Context, req *rest.Request) (*rest.Response, error) {
	signed := *req
	signed.User = t.user
	return t.inner.Do(ctx, &signed)
}
