package kubelet

import "github.com/tinykube/tinykube/core/client"

// Start assembles the kubelet of one node and starts it: the one assembly
// the simulator, `tinykube agent` and `tinykube up` share, so a world says
// only what differs in it (its loop, client, runtime, prober, the node's
// name, address and capacity, tuning). It fills what every world would
// fill alike: the event recorder (component "kubelet", host NodeName) and,
// when Prober is nil and the runtime can probe its own containers (the
// simulated one can), the runtime as the prober.
//
// Contract: called on cfg.Loop. cfg.Prober must be set for a runtime that
// cannot probe (containerd's: realnode/prober execs and dials for it).
func Start(cfg Config) *Kubelet {
	if cfg.Recorder == nil {
		cfg.Recorder = client.NewRecorder(cfg.Loop, cfg.Client, "kubelet", cfg.NodeName)
	}
	if cfg.Prober == nil {
		if p, ok := cfg.Runtime.(Prober); ok {
			cfg.Prober = p
		} else {
			panic("kubelet.Start: Config.Prober is nil and the runtime cannot probe; pass a Prober")
		}
	}
	k := New(cfg)
	k.Start()
	return k
}
