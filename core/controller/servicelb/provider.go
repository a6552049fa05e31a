package servicelb

import "github.com/tinykube/tinykube/core/api"

// Provider makes load balancers exist or not exist. It is called from the
// controller's loop only, one call at a time, so it need not lock. Every
// method must be idempotent: the controller calls again after a failure,
// after a restart, and whenever the nodes change.
type Provider interface {
	// Name identifies the provider in events and logs ("pool").
	Name() string
	// EnsureLoadBalancer makes a load balancer for svc (a Service of type
	// LoadBalancer) exist, sending traffic to nodes (the ready nodes, by
	// name), and returns its addresses. An error means the service has no
	// usable load balancer yet; the controller records it as an event and
	// tries again later.
	EnsureLoadBalancer(svc *api.Service, nodes []*api.Node) ([]api.LoadBalancerIngress, error)
	// EnsureLoadBalancerDeleted releases whatever svc's load balancer
	// holds. svc may already be of another type, or being deleted. Asking
	// to release a load balancer that does not exist is not an error.
	EnsureLoadBalancerDeleted(svc *api.Service) error
}

// Adopter is implemented by providers that keep what they handed out in
// memory only, as PoolProvider does. Before its first reconcile, the
// controller calls Adopt with every service in its cache whose status
// records load-balancer addresses, so that a restarted controller learns
// which addresses are taken before it hands any out.
type Adopter interface {
	Adopt(svc *api.Service)
}
