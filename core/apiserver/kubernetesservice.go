package apiserver

import (
	"context"
	"fmt"
	"net/netip"
	"slices"

	"github.com/tinykube/tinykube/core/api"
)

// The kubernetes Service: how pods find the API servers. It lives in
// default, has no selector (no pod backs it), takes the first address of
// the service CIDR as its cluster IP (10.96.0.1 by default — Kubernetes
// keeps that one for it, and clients such as client-go's InClusterConfig
// read it from the KUBERNETES_SERVICE_HOST variable the kubelet derives
// from this Service), and listens on 443 ("https"). Its Endpoints are the
// API servers' own addresses, so the service proxy sends a pod's
// connection to 10.96.0.1:443 to one of the servers.
//
// Kubernetes' API servers reconcile it themselves in a loop; in tinykube a
// driver, which knows where its servers listen, calls
// ReconcileKubernetesService at start and then periodically.

// kubernetesService names and labels, as Kubernetes writes them.
const (
	kubernetesServiceName      = "kubernetes"
	kubernetesServiceNamespace = "default"
	kubernetesServicePortName  = "https"
	kubernetesServicePort      = 443
)

// ReconcileKubernetesService makes the kubernetes Service in default exist
// (ClusterIP, the service CIDR's first address, port 443 "https" to
// targetPort port, no selector) and its Endpoints list exactly addresses
// (IPs, in any order, duplicates ignored) on port. It writes nothing when
// both are as they should be, so it may be called often and by every
// server; each caller passes the full list of the live servers it knows,
// and concurrent writers are resolved by resourceVersion (a conflicting
// write reads again and retries). A Service someone else made under that
// name keeps its cluster IP; its ports are set right.
//
// It fails on an address that is not an IP, an empty list (pods would
// reach nothing), or a first service address already taken by another
// Service (delete that Service, or restart with a fresh --service-cidr).
func (s *Server) ReconcileKubernetesService(ctx context.Context, addresses []string, port int32) error {
	if s.rangesErr != nil {
		return s.rangesErr
	}
	if port <= 0 || port > 65535 {
		return fmt.Errorf("kubernetes Service: API port %d is not a port (1-65535)", port)
	}
	ips, err := endpointIPs(addresses)
	if err != nil {
		return err
	}
	if err := s.reconcileKubernetesServiceObject(ctx, port); err != nil {
		return fmt.Errorf("reconciling the Service default/kubernetes: %w", err)
	}
	if err := s.reconcileKubernetesEndpoints(ctx, ips, port); err != nil {
		return fmt.Errorf("reconciling the Endpoints default/kubernetes: %w", err)
	}
	return nil
}

// endpointIPs checks the API servers' addresses and returns them sorted
// and without duplicates, in their canonical form.
func endpointIPs(addresses []string) ([]string, error) {
	if len(addresses) == 0 {
		return nil, fmt.Errorf("kubernetes Service: no API server addresses given; pass the advertise address of every live server")
	}
	var out []string
	for _, a := range addresses {
		ip, err := netip.ParseAddr(a)
		if err != nil || ip.IsUnspecified() {
			return nil, fmt.Errorf("kubernetes Service: API server address %q is not an IP a pod can reach; give each server's advertise address (--advertise-address)", a)
		}
		out = append(out, ip.String())
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// kubernetesServicePorts is the Service's one port.
func kubernetesServicePorts(port int32) []api.ServicePort {
	return []api.ServicePort{{Name: kubernetesServicePortName, Protocol: api.ProtocolTCP, Port: kubernetesServicePort, TargetPort: api.FromInt(port)}}
}

// reconcileKubernetesServiceObject creates the Service, or sets its type
// and ports when they drifted.
func (s *Server) reconcileKubernetesServiceObject(ctx context.Context, port int32) error {
	res := api.ResourceByPlural("", "services")
	t := target{res: res, namespace: kubernetesServiceNamespace, name: kubernetesServiceName}
	w := writer{manager: "tinykube-apiserver"}
	ip := s.serviceIPs.addr(1).String()
	svc := &api.Service{
		ObjectMeta: api.ObjectMeta{Name: kubernetesServiceName, Namespace: kubernetesServiceNamespace,
			Labels: map[string]string{"component": "apiserver", "provider": "kubernetes"}},
		Spec: api.ServiceSpec{Type: api.ServiceClusterIP, ClusterIP: ip, ClusterIPs: []string{ip}, Ports: kubernetesServicePorts(port)},
	}
	old, err := s.readOrCreate(ctx, t, svc, w)
	if old == nil || err != nil {
		return err
	}
	if o := old.(*api.Service); o.Spec.Type == api.ServiceClusterIP && slices.Equal(o.Spec.Ports, svc.Spec.Ports) {
		return nil
	}
	_, err = s.update(ctx, t, false, updateMain, w, func(cur api.Object) (api.Object, error) {
		c := cur.(*api.Service)
		c.Spec.Type = api.ServiceClusterIP
		c.Spec.Ports = kubernetesServicePorts(port)
		return c, nil
	})
	return err
}

// reconcileKubernetesEndpoints creates the Endpoints, or sets their one
// subset when its addresses or port differ.
func (s *Server) reconcileKubernetesEndpoints(ctx context.Context, ips []string, port int32) error {
	res := api.ResourceByPlural("", "endpoints")
	t := target{res: res, namespace: kubernetesServiceNamespace, name: kubernetesServiceName}
	w := writer{manager: "tinykube-apiserver"}
	subset := api.EndpointSubset{Ports: []api.EndpointPort{{Name: kubernetesServicePortName, Port: port, Protocol: api.ProtocolTCP}}}
	for _, ip := range ips {
		subset.Addresses = append(subset.Addresses, api.EndpointAddress{IP: ip})
	}
	want := []api.EndpointSubset{subset}
	ep := &api.Endpoints{
		// Kubernetes marks these so that EndpointSlices are not mirrored
		// from them (it writes the slice itself).
		ObjectMeta: api.ObjectMeta{Name: kubernetesServiceName, Namespace: kubernetesServiceNamespace,
			Labels: map[string]string{"endpointslice.kubernetes.io/skip-mirror": "true"}},
		Subsets: want,
	}
	old, err := s.readOrCreate(ctx, t, ep, w)
	if old == nil || err != nil {
		return err
	}
	if sameSubsets(old.(*api.Endpoints).Subsets, want) {
		return nil
	}
	_, err = s.update(ctx, t, false, updateMain, w, func(cur api.Object) (api.Object, error) {
		c := cur.(*api.Endpoints)
		c.Subsets = want
		return c, nil
	})
	return err
}

// readOrCreate returns the object t as stored or, when there is none,
// creates obj and returns nil. It reads first: creating a Service that
// exists would fail on its cluster IP before it failed on its name. A
// create that loses a race with another server's reads what that server
// wrote.
func (s *Server) readOrCreate(ctx context.Context, t target, obj api.Object, w writer) (api.Object, error) {
	old, _, err := s.read(ctx, t.res, t.namespace, t.name)
	if err == nil || !api.IsNotFound(err) {
		return old, err
	}
	if _, err = s.create(ctx, t, obj, false, w); err == nil {
		return nil, nil
	}
	if again, _, rerr := s.read(ctx, t.res, t.namespace, t.name); rerr == nil {
		return again, nil
	}
	return nil, err
}

// sameSubsets compares the kubernetes Endpoints' subsets: one subset, same
// addresses (IPs only) and ports, in order.
func sameSubsets(a, b []api.EndpointSubset) bool {
	return slices.EqualFunc(a, b, func(x, y api.EndpointSubset) bool {
		return len(x.NotReadyAddresses) == 0 && len(y.NotReadyAddresses) == 0 &&
			slices.Equal(x.Ports, y.Ports) &&
			slices.EqualFunc(x.Addresses, y.Addresses, func(p, q api.EndpointAddress) bool {
				return p.IP == q.IP && p.Hostname == q.Hostname && p.NodeName == nil && q.NodeName == nil && p.TargetRef == nil && q.TargetRef == nil
			})
	})
}
