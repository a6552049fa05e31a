// Package sim is tinykube's deterministic simulator: a whole cluster — API
// server, scheduler, controllers, every node's kubelet — on one thread, in
// virtual time, replayable bit for bit from a seed.
//
//	World ── loop.Virtual (time, ordered callbacks)
//	  ├─ Processes: named groups of components sharing a fate; a crash
//	  │  drops every callback they had pending, a restart builds them anew
//	  ├─ Network: every API call and watch event between a process and the
//	  │  API server crosses it: latency, loss, lost responses, partitions
//	  ├─ Servers: API servers over one store, each serving watches (and
//	  │  resourceVersion "0" reads) from a cache that follows the store
//	  │  late; clients fail over from one to the next after a failed call
//	  ├─ Rand(name): one random stream per component, derived from the seed
//	  └─ Trace: one line per event, and Chrome trace JSON for Perfetto
//
// Nothing here reads the wall clock or starts a goroutine: given the same
// scenario and seed, the trace is the same, byte for byte.
//
// Book: chapter 8, "The simulator" (book/08-simulator.md); chapter 12
// (book/12-leader-election.md) for processes' clocks, chapter 13
// (book/13-high-availability.md) for several API servers and their faults.
package sim
