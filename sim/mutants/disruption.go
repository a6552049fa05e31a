package mutants

import (
	"github.com/tinykube/tinykube/core/controller/disruption"
	"github.com/tinykube/tinykube/core/controller/manager"
)

// startBudgetBlindDisruption runs the real disruption controller with the
// one rule changed: every healthy pod counts as a disruption allowed, as
// if the budget's minimum were zero. The eviction subresource trusts the
// status it is given, so a drain then evicts pods faster than their
// replacements become Ready. The real rule (disruption.Allowed) allows
// only the healthy pods above desiredHealthy.
func startBudgetBlindDisruption(cfg manager.Config) manager.Running {
	c := disruption.New(disruption.Config{Loop: cfg.Loop, Client: cfg.Client, Recorder: cfg.Recorder,
		Allowed: func(c disruption.Counts) int32 { return c.Healthy }})
	c.Start()
	return c
}
