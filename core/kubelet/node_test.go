package kubelet

import (
	"context"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// TestNodeStatusPostedOnChangeOrReportInterval follows one kubelet's Node
// through steps: an unchanged status is not written every StatusInterval
// (the Lease is the heartbeat), a status someone else changed (the node
// controller marking it Unknown) is put right within one StatusInterval,
// and an unchanged one is posted again once ReportInterval has passed.
func TestNodeStatusPostedOnChangeOrReportInterval(t *testing.T) {
	v, c, _, k := setup(t)
	ctx := context.Background()
	nodes := client.For[*api.Node](c)
	v.RunFor(time.Second) // registered
	first, err := nodes.Get(ctx, "", "n1")
	if err != nil {
		t.Fatalf("node not registered: %v", err)
	}
	rv := first.ResourceVersion
	readyOf := func(n *api.Node) api.ConditionStatus {
		if cond := n.Status.FindCondition(api.NodeReady); cond != nil {
			return cond.Status
		}
		return ""
	}
	for _, step := range []struct {
		name    string
		do      func()
		run     time.Duration
		written bool // whether the Node is written during the step
		ready   api.ConditionStatus
	}{
		{name: "unchanged for two minutes", run: 2 * time.Minute, written: false, ready: api.ConditionTrue},
		{name: "marked Unknown by someone else", do: func() {
			n, err := nodes.Get(ctx, "", "n1")
			if err != nil {
				t.Fatal(err)
			}
			n.Status.FindCondition(api.NodeReady).Status = api.ConditionUnknown
			if _, err := nodes.UpdateStatus(ctx, n, client.WriteOptions{}); err != nil {
				t.Fatal(err)
			}
		}, run: k.cfg.StatusInterval, written: true, ready: api.ConditionTrue},
		{name: "unchanged until just before the report interval", run: k.cfg.ReportInterval - 2*k.cfg.StatusInterval, written: false, ready: api.ConditionTrue},
		{name: "report interval passed", run: 2 * k.cfg.StatusInterval, written: true, ready: api.ConditionTrue},
	} {
		if step.do != nil {
			step.do()
			n, _ := nodes.Get(ctx, "", "n1")
			rv = n.ResourceVersion
		}
		v.RunFor(step.run)
		n, err := nodes.Get(ctx, "", "n1")
		if err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if got := n.ResourceVersion != rv; got != step.written {
			t.Errorf("%s: Node written = %v (resourceVersion %s -> %s), want %v", step.name, got, rv, n.ResourceVersion, step.written)
		}
		if got := readyOf(n); got != step.ready {
			t.Errorf("%s: Ready = %q, want %q", step.name, got, step.ready)
		}
		rv = n.ResourceVersion
	}
}
