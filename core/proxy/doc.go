// Package proxy is the service proxy's brain: it turns Services and their
// Endpoints into a Table — for every service port, the virtual addresses a
// client may dial (cluster IP, external and load-balancer IPs, the node
// port on any node address) and the ready backends behind them — and hands
// each new Table to a Backend that makes the kernel (or the simulator)
// route accordingly.
//
// Build is a pure function, so the table can be tested by itself and the
// same table drives every world: realnode renders it as nftables rules,
// the simulator routes its simulated requests through Route and a
// Balancer. The Proxy component watches the API on a Loop and reapplies
// the table whenever it changes, coalescing bursts of updates.
//
// Book: chapter 11, "Services, the proxy and DNS" (book/11-services.md).
package proxy
