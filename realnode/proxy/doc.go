// Package proxy is the node's service proxy on nftables: the Backend that
// makes a Linux node's kernel route service traffic by the table
// core/proxy builds.
//
// Render turns a table into one nft script, a pure function: the script
// deletes and recreates the table `ip tinykube` in a single transaction,
// so every Apply replaces the previous ruleset atomically — a connection
// sees the old rules or the new ones, never half of each — and applying
// the same table twice changes nothing. The script, and what
// `nft list table ip tinykube` prints on the node, reads like this:
//
//	map service-ips    { 10.96.0.10 . tcp . 80 : goto svc/default/web/http, ... }
//	map service-nodeports { tcp . 30080 : goto svc/default/web/http }
//	chain prerouting   nat, from pods and other hosts ─┐
//	chain output       nat, from the node itself ──────┴─> chain services
//	chain services     daddr . proto . port  vmap @service-ips
//	                   fib daddr type local → proto . port vmap @service-nodeports
//	chain svc/default/web/http   numgen random mod 2 vmap { 0 : goto ep/…, 1 : goto ep/… }
//	chain ep/default/web/http/10.88.0.2/8080   mark for masquerade; dnat to 10.88.0.2:8080
//	chain postrouting  masquerade what was marked
//	chain no-endpoints filter: reject ports whose service has no ready backend
//
// NFT applies a script by running `nft -f -`, the way kube-proxy's
// nftables mode does (it too hands nft whole transactions).
//
// Book: chapter 11, "Services, the proxy and DNS" (book/11-services.md).
package proxy
