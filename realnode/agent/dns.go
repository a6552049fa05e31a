package agent

import (
	"fmt"
	"net"

	cdns "github.com/tinykube/tinykube/core/dns"
	"github.com/tinykube/tinykube/realnode/dns"
	"github.com/tinykube/tinykube/realnode/podnet"
	"github.com/tinykube/tinykube/realnode/runloop"
)

// nodeDNS is the node's DNS server and the resolver that feeds it the
// cluster zone.
//
// Where it listens: on port 53 of the pod bridge's address (podnet's
// Gateway) unless Config.DNS says otherwise. Every pod on the node reaches
// that address directly, over its own veth, with no route, NAT or service
// rule in between; the bridge gets the address with the first pod, which
// the server's IP_FREEBIND sockets allow for. One server per node, not a
// cluster-wide service: a node's pods resolve names even while the API
// server is away, from the last zone the node saw.
//
// Whom it forwards to: Config.DNSUpstreams, or when nil the nameservers of
// the host's /etc/resolv.conf, loopback ones included (the server runs in
// the node's network namespace, where 127.0.0.53 answers). The host's
// search domains follow the cluster's in pods' resolv.conf.
type nodeDNS struct {
	server   *dns.Server
	resolver *cdns.Resolver
}

// listenDNS starts the node's DNS server as cfg says and returns it (nil
// when cfg.DNS is "off") with what pods must be told. With no server, or
// one on a port other than 53 (resolv.conf has no ports), PodDNS is empty
// and pods get the host's resolver.
func listenDNS(cfg Config, network *podnet.Network) (*nodeDNS, cdns.PodDNS, error) {
	if cfg.DNS == "off" {
		return nil, cdns.PodDNS{}, nil
	}
	listen := cfg.DNS
	if listen == "" {
		listen = net.JoinHostPort(network.Gateway(), "53")
	}
	upstreams, search := cfg.DNSUpstreams, []string(nil)
	if upstreams == nil {
		upstreams, search, _ = dns.HostResolvers("/etc/resolv.conf")
	}
	srv, err := dns.Listen(dns.Config{Listen: listen, Domain: cfg.ClusterDomain, Upstreams: upstreams, Log: cfg.Log})
	if err != nil {
		return nil, cdns.PodDNS{}, fmt.Errorf("node DNS server (set the agent's DNS address, or \"off\"): %w", err)
	}
	host, port, _ := net.SplitHostPort(srv.Addr())
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = network.Gateway()
	}
	pod := cdns.PodDNS{Nameserver: host, ClusterDomain: cfg.ClusterDomain, Searches: search}
	if port != "53" {
		fmt.Fprintf(cfg.Log, "node %s: DNS server on %s is not on port 53: pods use the host's resolver\n", cfg.NodeName, srv.Addr())
		pod = cdns.PodDNS{}
	}
	return &nodeDNS{server: srv}, pod, nil
}

// start feeds the server from a Resolver on the agent's loop. Call on the
// loop.
func (d *nodeDNS) start(l *runloop.Loop, cfg Config) {
	if d == nil {
		return
	}
	d.resolver = cdns.NewResolver(cdns.ResolverConfig{Loop: l, Client: cfg.Client, Domain: cfg.ClusterDomain, Publish: d.server.SetRecords})
	d.resolver.Start()
}

// stop stops watching (on the loop) and closes the server's sockets.
func (d *nodeDNS) stop(l *runloop.Loop) {
	if d == nil {
		return
	}
	if d.resolver != nil {
		l.Do(d.resolver.Stop)
	}
	d.server.Close()
}
