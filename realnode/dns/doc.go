// Package dns is a node's DNS server: it answers the cluster zone from
// core/dns and forwards every other name to the node's own resolvers.
//
// The agent runs one per node, listening on UDP and TCP port 53 of the pod
// bridge's address (podnet's Gateway), which every pod on the node reaches
// directly, and writes that address into each pod's /etc/resolv.conf. So
// DNS needs no service IP and no proxy rule, and a node's pods keep
// resolving while the API server is away (from the last zone seen). The
// bridge only gets its address when the first pod's network is set up, so
// the sockets are bound with IP_FREEBIND: they bind now and receive once
// the address appears.
//
//	pod ──UDP/TCP 53──▶ 10.88.0.1 (tk0) ─▶ Server ─▶ cluster.local?  core/dns Records (TTL 5s, AA)
//	                                          │
//	                                          └────▶ anything else: forwarded as is to Upstreams
//
// Forwarding: the server runs in the node's network namespace, not in a
// pod's, so it reaches every resolver the node itself uses, loopback ones
// included (systemd-resolved's 127.0.0.53, a local dnsmasq): the agent
// hands it the nameservers of the host's /etc/resolv.conf unchanged. That
// is also why pods are not given those nameservers directly: 127.0.0.53
// inside a pod is the pod's own loopback. A question is forwarded over the
// transport it came on (a truncated UDP answer makes the client retry over
// TCP, and that retry is forwarded over TCP), to each upstream in turn
// until one answers. With no upstream the server answers REFUSED at once,
// so a resolver moves on instead of timing out.
//
// Answers bigger than the client can take over UDP (512 bytes, or the size
// its EDNS0 record offers) are sent truncated, with the TC bit, and the
// client asks again over TCP.
//
// Book: chapter 11, "Services, the proxy and DNS" (book/11-services.md).
package dns
