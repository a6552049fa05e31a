package controlplane

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strconv"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// The kubernetes Service in default is how pods reach the API: its
// Endpoints must list the servers that are alive, at addresses pods can
// reach (their advertise addresses). As Kubernetes' "lease" endpoint
// reconciler does, each server keeps a key under apiEndpointsKey alive
// with an etcd lease; every kubernetesServiceInterval it lists the keys and
// sets the Endpoints to exactly them. A server that dies stops renewing;
// its key expires after apiEndpointTTL and the next reconcile, by any
// server, drops it.
const (
	kubernetesServiceInterval = 10 * time.Second
	apiEndpointTTL            = 15 // seconds
)

// apiEndpointKey is where server name records its advertise address and
// API port ("10.0.0.1:6443").
func (s *Server) apiEndpointKey(name string) string {
	return s.cfg.EtcdPrefix + "/tinykube/apiserver-endpoints/" + name
}

// DefaultAdvertiseAddress is the address a server with API listen address
// listen tells pods to reach it at, when --advertise-address is not
// given: the listen host when it is a specific, non-loopback IP, else
// hostAddress() (the machine's first non-loopback IPv4, as agents pick
// their node address).
func DefaultAdvertiseAddress(listen string, hostAddress func() string) string {
	host, _, err := net.SplitHostPort(listen)
	if ip := net.ParseIP(host); err == nil && ip != nil && !ip.IsLoopback() && !ip.IsUnspecified() {
		return ip.String()
	}
	return hostAddress()
}

// advertiseAddress is cfg.AdvertiseAddress or, unset, the listen host (a
// loopback one included: the Service then exists but only this machine's
// processes outside pods could use it).
func (s *Server) advertiseAddress() string {
	if s.cfg.AdvertiseAddress != "" {
		return s.cfg.AdvertiseAddress
	}
	return listenHost(s.cfg.Listen)
}

// listenForPods opens a second listener on the advertise address, at the
// API's port, when the API listens on loopback only: pods reach the API
// through the node's address (the proxy sends the kubernetes Service
// there), never through a loopback one, which inside a pod is the pod's
// own. Failing to open it (the port is taken there, as by another server
// of the same machine) is logged, not fatal: that server's pods go to the
// other servers. It returns the listener or nil.
func (s *Server) listenForPods(api *net.TCPAddr, h http.Handler) net.Listener {
	adv := net.ParseIP(s.advertiseAddress())
	if adv == nil || adv.IsLoopback() || !api.IP.IsLoopback() {
		return nil
	}
	addr := net.JoinHostPort(adv.String(), strconv.Itoa(api.Port))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintf(s.cfg.Log, "note: pods cannot reach this server's API at its advertise address %s (%v); give --listen an address pods reach, or --advertise-address\n", addr, err)
		return nil
	}
	fmt.Fprintf(s.cfg.Log, "API also served on %s, the advertise address, for pods (the kubernetes Service)\n", addr)
	// The same HTTPS as the main listener: a pod's client checks the
	// certificate (it names the kubernetes Service's IP and names) and
	// proves who it is with its token.
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, TLSConfig: s.http.TLSConfig.Clone(), ErrorLog: s.http.ErrorLog}
	s.extra = append(s.extra, srv)
	go srv.ServeTLS(ln, "", "")
	return ln
}

// followKubernetesService keeps this server's endpoint key alive and the
// kubernetes Service's Endpoints equal to the live servers' addresses,
// until ctx ends; then it withdraws this server's key, so that the others
// drop it at their next reconcile rather than after the lease's TTL.
func (s *Server) followKubernetesService(ctx context.Context, port int32) {
	defer s.bg.Done()
	self := net.JoinHostPort(s.advertiseAddress(), strconv.Itoa(int(port)))
	var lease clientv3.LeaseID
	t := time.NewTicker(kubernetesServiceInterval)
	defer t.Stop()
	for {
		var err error
		if lease, err = s.keepEndpoint(ctx, lease, self); err == nil {
			err = s.reconcileKubernetesService(ctx, port)
		}
		if err != nil && ctx.Err() == nil {
			fmt.Fprintf(s.cfg.Log, "reconciling the kubernetes Service: %v\n", err)
		}
		select {
		case <-ctx.Done():
			if lease != 0 {
				rctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				s.etcd.Revoke(rctx, lease)
				cancel()
			}
			return
		case <-t.C:
		}
	}
}

// keepEndpoint makes sure this server's endpoint key exists under a live
// lease: it renews lease once, or grants a new one (the first time, or
// after etcd lost it) and writes the key under it. It returns the lease in
// use.
func (s *Server) keepEndpoint(ctx context.Context, lease clientv3.LeaseID, self string) (clientv3.LeaseID, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if lease != 0 {
		if _, err := s.etcd.KeepAliveOnce(ctx, lease); err == nil {
			return lease, nil
		}
	}
	g, err := s.etcd.Grant(ctx, apiEndpointTTL)
	if err != nil {
		return 0, fmt.Errorf("granting the lease of this server's endpoint: %v", err)
	}
	if _, err := s.etcd.Put(ctx, s.apiEndpointKey(s.cfg.Name), self, clientv3.WithLease(g.ID)); err != nil {
		return 0, fmt.Errorf("recording this server's endpoint %s: %v", self, err)
	}
	return g.ID, nil
}

// reconcileKubernetesService sets the Service's Endpoints to the live
// servers' advertise addresses (port is this server's API port: the
// Service has one target port, so every server is assumed to use the same).
func (s *Server) reconcileKubernetesService(ctx context.Context, port int32) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	resp, err := s.etcd.Get(ctx, s.apiEndpointKey(""), clientv3.WithPrefix())
	if err != nil {
		return fmt.Errorf("listing the live servers' endpoints: %v", err)
	}
	var ips []string
	for _, kv := range resp.Kvs {
		if host, _, err := net.SplitHostPort(string(kv.Value)); err == nil && !slices.Contains(ips, host) {
			ips = append(ips, host)
		}
	}
	if len(ips) == 0 {
		ips = []string{s.advertiseAddress()}
	}
	return s.API.ReconcileKubernetesService(ctx, ips, port)
}
