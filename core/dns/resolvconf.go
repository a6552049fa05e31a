package dns

import (
	"cmp"
	"fmt"
	"strings"
)

// PodDNS is what a node tells its pods about cluster DNS.
type PodDNS struct {
	// Nameserver is the address pods send their questions to.
	Nameserver string
	// ClusterDomain is the cluster zone (DefaultDomain when empty).
	ClusterDomain string
	// Searches are appended to the cluster's search domains: the node's
	// own, so that short names of the site still resolve.
	Searches []string
}

// ResolvConf renders /etc/resolv.conf for a pod of namespace ns under
// dnsPolicy ClusterFirst, as the kubelet does: short names are tried in
// the pod's namespace, then as SERVICE.NAMESPACE, then below the zone, and
// ndots:5 makes a resolver try the search list first for any name with
// fewer than five dots (so "web.default" and even
// "web.default.svc.cluster.local" without its final dot go through it).
func ResolvConf(ns string, d PodDNS) string {
	zone := strings.TrimSuffix(strings.ToLower(cmp.Or(d.ClusterDomain, DefaultDomain)), ".")
	search := []string{ns + ".svc." + zone, "svc." + zone, zone}
	search = append(search, d.Searches...)
	return fmt.Sprintf("nameserver %s\nsearch %s\noptions ndots:5\n", d.Nameserver, strings.Join(search, " "))
}

// Hosts renders a pod's /etc/hosts as the kubelet does: loopback names,
// then the pod's IP with its hostname, fully qualified first when the pod
// has a subdomain (HOSTNAME.SUBDOMAIN.NS.svc.ZONE, the name a headless
// service of that subdomain gives it).
func Hosts(ip, hostname, subdomain, ns, domain string) string {
	var b strings.Builder
	b.WriteString("# Kubernetes-managed hosts file (tinykube).\n")
	b.WriteString("127.0.0.1\tlocalhost\n")
	b.WriteString("::1\tlocalhost ip6-localhost ip6-loopback\n")
	b.WriteString("fe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n")
	if ip != "" && hostname != "" {
		if subdomain != "" {
			zone := strings.TrimSuffix(strings.ToLower(cmp.Or(domain, DefaultDomain)), ".")
			fmt.Fprintf(&b, "%s\t%s.%s.%s.svc.%s\t%s\n", ip, hostname, subdomain, ns, zone, hostname)
		} else {
			fmt.Fprintf(&b, "%s\t%s\n", ip, hostname)
		}
	}
	return b.String()
}
