// Package servicelb is the service load-balancer controller, the part of a
// cloud controller manager that gives Services of type LoadBalancer an
// external address. It watches Services and Nodes; for each LoadBalancer
// service it asks a Provider to make sure a load balancer exists (aimed at
// the cluster's ready nodes) and records the provider's addresses in
// status.loadBalancer.ingress. When a service stops being a LoadBalancer,
// or is deleted, it asks the provider to release the load balancer first,
// holding deletion back with the finalizer
// service.kubernetes.io/load-balancer-cleanup until the release succeeds.
//
// The Provider is the seam to the outside world. PoolProvider, in this
// package, hands out addresses from a configured pool without doing any IO:
// it is the provider of a cluster on one machine (like k3s's service load
// balancer) and of the simulator. Making traffic to those addresses reach
// the pods is the service proxy's job, not this package's.
//
//	Service/Node events ─▶ queue ─▶ Reconcile(ns/name)
//	                                  ├─ wants a LB: add finalizer ─▶ Provider.EnsureLoadBalancer ─▶ status.loadBalancer.ingress
//	                                  └─ no longer:  Provider.EnsureLoadBalancerDeleted ─▶ clear status ─▶ remove finalizer
//
// Book: chapter 11, "Services, the proxy and DNS" (book/11-services.md).
package servicelb
