package cluster

import (
	"maps"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tinykube/tinykube/sim/scenario"
)

// TestFaultKinds checks that the cluster performs exactly the fault
// actions a scenario may name, and that every heal is one of them.
func TestFaultKinds(t *testing.T) {
	got := slices.Sorted(maps.Keys(faultKinds))
	want := slices.Sorted(maps.Keys(scenario.Actions))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("faultKinds and scenario.Actions differ (-scenario.Actions +faultKinds):\n%s", diff)
	}
	for action, k := range faultKinds {
		if k.inject == nil {
			t.Errorf("faultKinds[%q].inject is nil", action)
		}
		if _, ok := faultKinds[k.healedBy]; k.healedBy != "" && !ok {
			t.Errorf("faultKinds[%q].healedBy = %q, which is no fault action", action, k.healedBy)
		}
	}
}
