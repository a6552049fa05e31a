package proxy

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/proxy"
)

// Options say where the rules go.
type Options struct {
	// Table is the nftables table (family ip) holding every rule; default
	// "tinykube". Nothing outside it is touched.
	Table string
	// Bridge is the pods' bridge (podnet's Config.Bridge). It does not
	// change the rules; NFT turns route_localnet on for it, and the script
	// names it in its header.
	Bridge string
}

// DefaultTable is the table's name when Options leave it out.
const DefaultTable = "tinykube"

// masqMark is the packet mark the endpoint chains set and postrouting
// masquerades on (the same bit kube-proxy uses for the same purpose).
const masqMark = "0x4000"

func (o Options) table() string {
	if o.Table == "" {
		return DefaultTable
	}
	return o.Table
}

// Render returns the nft script that makes the kernel route by t. It is a
// pure function of t and opts: the same table gives the same script byte
// for byte, and nft runs the whole script as one transaction.
//
// Ports Render cannot express are left out with a comment saying why: an
// address that is not IPv4 (the table is family ip), a protocol nft does
// not know, a name that is not a valid chain name, or an address and port
// a port earlier in the table already claimed (the same rule as
// core/proxy's Route: the first in the table's order wins).
func Render(t *proxy.Table, opts Options) string {
	r := renderer{opts: opts, claimed: map[string]string{}}
	if t != nil {
		for _, p := range t.Ports {
			r.port(p)
		}
	}
	return r.script()
}

// renderer collects the parts of the script as it walks the table's ports.
type renderer struct {
	opts    Options
	claimed map[string]string // map key → the port that claimed it

	notes     []string // why ports or addresses were left out
	ips       []string // service-ips elements
	nodePorts []string // service-nodeports elements
	noEPIPs   []string // no-endpoint-ips elements
	noEPNode  []string // no-endpoint-nodeports elements
	sets      []string // affinity sets
	chains    []string // svc/ and ep/ chains
	count     int      // ports rendered
}

// nftProto is how nft names each protocol.
var nftProto = map[api.Protocol]string{api.ProtocolTCP: "tcp", api.ProtocolUDP: "udp", api.ProtocolSCTP: "sctp"}

func (r *renderer) port(p *proxy.Port) {
	proto, ok := nftProto[p.Protocol]
	if !ok {
		r.notes = append(r.notes, fmt.Sprintf("%s: protocol %q is not supported; left out", p, p.Protocol))
		return
	}
	if !validName(p.Namespace) || !validName(p.Name) || !validName(p.PortName) {
		r.notes = append(r.notes, fmt.Sprintf("%q: not a valid namespace/name:port for a chain name; left out", p.String()))
		return
	}
	chain := "svc/" + p.Namespace + "/" + p.Name
	if p.PortName != "" {
		chain += "/" + p.PortName
	}
	var addrs []string // IP:port keys this port answers on
	for _, ip := range append([]string{p.ClusterIP}, p.ExternalIPs...) {
		if a, err := netip.ParseAddr(ip); err != nil || !a.Is4() {
			r.notes = append(r.notes, fmt.Sprintf("%s: address %q is not IPv4; left out", p, ip))
			continue
		}
		if r.claim(fmt.Sprintf("%s . %s . %d", ip, proto, p.Port), p) {
			addrs = append(addrs, fmt.Sprintf("%s . %s . %d", ip, proto, p.Port))
		}
	}
	nodePort := ""
	if p.NodePort != 0 && r.claim(fmt.Sprintf("%s . %d", proto, p.NodePort), p) {
		nodePort = fmt.Sprintf("%s . %d", proto, p.NodePort)
	}
	if len(addrs) == 0 && nodePort == "" {
		return
	}
	r.count++

	var backends []proxy.Endpoint
	for _, b := range p.Backends {
		if a, err := netip.ParseAddr(b.IP); err != nil || !a.Is4() || b.Port <= 0 || b.Port > 65535 {
			r.notes = append(r.notes, fmt.Sprintf("%s: backend %s:%d is not an IPv4 address and port; left out", p, b.IP, b.Port))
			continue
		}
		backends = append(backends, b)
	}
	if len(backends) == 0 {
		// Not in the nat maps at all: the filter chains reject it instead.
		r.noEPIPs = append(r.noEPIPs, addrs...)
		if nodePort != "" {
			r.noEPNode = append(r.noEPNode, nodePort)
		}
		return
	}
	for _, a := range addrs {
		r.ips = append(r.ips, a+" : goto "+chain)
	}
	if nodePort != "" {
		r.nodePorts = append(r.nodePorts, nodePort+" : goto "+chain)
	}

	// The service chain: a returning client goes back to its backend
	// (ClientIP affinity), anyone else to one picked at random.
	var svc strings.Builder
	fmt.Fprintf(&svc, "\t# %s\n", describe(p))
	fmt.Fprintf(&svc, "\tchain %s {\n", chain)
	eps := make([]string, len(backends))
	for i, b := range backends {
		eps[i] = fmt.Sprintf("ep/%s/%d", chain[len("svc/"):]+"/"+b.IP, b.Port)
		if p.Affinity > 0 {
			fmt.Fprintf(&svc, "\t\tip saddr @%s goto %s\n", affinitySet(eps[i]), eps[i])
		}
	}
	if len(eps) == 1 {
		fmt.Fprintf(&svc, "\t\tgoto %s\n", eps[0])
	} else {
		fmt.Fprintf(&svc, "\t\tnumgen random mod %d vmap {\n", len(eps))
		for i, ep := range eps {
			fmt.Fprintf(&svc, "\t\t\t%d : goto %s,\n", i, ep)
		}
		svc.WriteString("\t\t}\n")
	}
	svc.WriteString("\t}\n")
	r.chains = append(r.chains, svc.String())

	// One chain per backend: mark for masquerade, remember the client
	// (affinity), rewrite the destination.
	for i, b := range backends {
		var ep strings.Builder
		fmt.Fprintf(&ep, "\tchain %s {\n", eps[i])
		fmt.Fprintf(&ep, "\t\tmeta mark set meta mark | %s\n", masqMark)
		if p.Affinity > 0 {
			fmt.Fprintf(&ep, "\t\tupdate @%s { ip saddr }\n", affinitySet(eps[i]))
			r.sets = append(r.sets, fmt.Sprintf("\tset %s {\n\t\ttype ipv4_addr\n\t\tflags dynamic,timeout\n\t\ttimeout %ds\n\t}\n",
				affinitySet(eps[i]), int64(p.Affinity/time.Second)))
		}
		fmt.Fprintf(&ep, "\t\tmeta l4proto %s dnat to %s:%d\n", proto, b.IP, b.Port)
		ep.WriteString("\t}\n")
		r.chains = append(r.chains, ep.String())
	}
}

// claim records that p answers on key; false when an earlier port did.
func (r *renderer) claim(key string, p *proxy.Port) bool {
	if owner, taken := r.claimed[key]; taken {
		r.notes = append(r.notes, fmt.Sprintf("%s: %s is already %s's; left out", p, key, owner))
		return false
	}
	r.claimed[key] = p.String()
	return true
}

// affinitySet names the set of clients pinned to endpoint chain ep.
func affinitySet(ep string) string { return "affinity/" + strings.TrimPrefix(ep, "ep/") }

// describe is the comment above a service chain: the port as
// core/proxy's Table.String shows it, with a count of its backends.
func describe(p *proxy.Port) string {
	if n := len(p.Backends); n != 1 {
		return fmt.Sprintf("%s -> %d backends", p.Frontend(), n)
	}
	return p.Frontend() + " -> 1 backend"
}

// validName reports whether s can be part of a chain name unquoted: API
// names are DNS labels and subdomains, so this only fails for objects the
// API server should not have accepted.
func validName(s string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// elements renders a set's or map's elements, one a line; nothing for an
// empty one (nft rejects `elements = { }`).
func elements(es []string) string {
	if len(es) == 0 {
		return ""
	}
	return "\t\telements = {\n\t\t\t" + strings.Join(es, ",\n\t\t\t") + ",\n\t\t}\n"
}

func (r *renderer) script() string {
	var b strings.Builder
	table := r.opts.table()
	fmt.Fprintf(&b, "# tinykube service proxy: %d service ports", r.count)
	if r.opts.Bridge != "" {
		fmt.Fprintf(&b, ", pods on bridge %s", r.opts.Bridge)
	}
	b.WriteString(".\n# Generated by realnode/proxy; `nft -f` applies it as one transaction.\n")
	for _, n := range r.notes {
		fmt.Fprintf(&b, "# %s\n", n)
	}
	fmt.Fprintf(&b, `
# Replace the whole table at once. Adding it first makes the delete
# succeed when the table does not exist yet.
add table ip %[1]s
delete table ip %[1]s

table ip %[1]s {
	# Where service traffic goes: address . protocol . port → its service chain.
	map service-ips {
		type ipv4_addr . inet_proto . inet_service : verdict
%[2]s	}

	# Node ports, open on every local address of the node.
	map service-nodeports {
		type inet_proto . inet_service : verdict
%[3]s	}

	# Service ports without a ready backend: refused at once rather than
	# left to time out (see chain no-endpoints).
	set no-endpoint-ips {
		type ipv4_addr . inet_proto . inet_service
%[4]s	}

	set no-endpoint-nodeports {
		type inet_proto . inet_service
%[5]s	}
`, table, elements(r.ips), elements(r.nodePorts), elements(r.noEPIPs), elements(r.noEPNode))
	if len(r.sets) > 0 {
		b.WriteString("\n\t# sessionAffinity: ClientIP — the clients each backend has served\n\t# recently; a client found here goes back to the same backend.\n")
		for _, s := range r.sets {
			b.WriteString(s)
		}
	}
	fmt.Fprintf(&b, `
	# Traffic from pods and other hosts is DNATed as it arrives ...
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		jump services
	}

	# ... and the node's own traffic as it leaves its sockets. (-100 is
	# dstnat: nft 1.0.6 takes the name in prerouting only.)
	chain output {
		type nat hook output priority -100; policy accept;
		jump services
	}

	chain services {
		ip daddr . meta l4proto . th dport vmap @service-ips
		fib daddr type local meta l4proto . th dport vmap @service-nodeports
	}

	# Every DNATed connection (marked by its endpoint chain) leaves with
	# the node's address as its source, so the backend's replies come back
	# through the node, where conntrack undoes the DNAT. Without it a pod
	# reaching a pod on the same bridge through a cluster IP would get the
	# reply straight from the other pod's IP across the bridge: a packet
	# from an address it never sent to, which it drops. Connections from
	# loopback (127.0.0.1:nodePort, a load balancer address in 127/8) need
	# it too: no pod can answer 127.0.0.1. The kernel also needs
	# route_localnet on the pods' bridge to route such packets at all.
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		meta mark & %[1]s == %[1]s masquerade
	}

	# Ports with no ready backend. Reject (ICMP port unreachable, which a
	# TCP client sees as "connection refused") rather than drop: a client
	# fails in a moment instead of retrying for minutes.
	chain no-endpoints {
		ip daddr . meta l4proto . th dport @no-endpoint-ips reject
		fib daddr type local meta l4proto . th dport @no-endpoint-nodeports reject
	}

	chain filter-input {
		type filter hook input priority filter; policy accept;
		jump no-endpoints
	}

	chain filter-forward {
		type filter hook forward priority filter; policy accept;
		jump no-endpoints
	}

	chain filter-output {
		type filter hook output priority filter; policy accept;
		jump no-endpoints
	}
`, masqMark)
	for _, c := range r.chains {
		b.WriteString("\n")
		b.WriteString(c)
	}
	b.WriteString("}\n")
	return b.String()
}
