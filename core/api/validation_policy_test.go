package api

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestValidatePodDisruptionBudget(t *testing.T) {
	pct := func(s string) *IntOrString { v := FromString(s); return &v }
	num := func(n int32) *IntOrString { v := FromInt(n); return &v }
	bad := "Sometimes"
	tests := []struct {
		name string
		spec PodDisruptionBudgetSpec
		want []string // fields at fault
	}{
		{"minAvailable int", PodDisruptionBudgetSpec{MinAvailable: num(2), Selector: &LabelSelector{}}, nil},
		{"maxUnavailable percent", PodDisruptionBudgetSpec{MaxUnavailable: pct("25%")}, nil},
		{"both", PodDisruptionBudgetSpec{MinAvailable: num(1), MaxUnavailable: num(1)}, []string{"spec"}},
		{"negative", PodDisruptionBudgetSpec{MinAvailable: num(-1)}, []string{"spec.minAvailable"}},
		{"over 100%", PodDisruptionBudgetSpec{MaxUnavailable: pct("101%")}, []string{"spec.maxUnavailable"}},
		{"not a percent", PodDisruptionBudgetSpec{MinAvailable: pct("half")}, []string{"spec.minAvailable"}},
		{"bad selector", PodDisruptionBudgetSpec{Selector: &LabelSelector{MatchExpressions: []LabelSelectorRequirement{{Key: "a", Operator: "Near"}}}}, []string{"spec.selector"}},
		{"bad policy", PodDisruptionBudgetSpec{UnhealthyPodEvictionPolicy: &bad}, []string{"spec.unhealthyPodEvictionPolicy"}},
	}
	for _, tc := range tests {
		pdb := &PodDisruptionBudget{ObjectMeta: ObjectMeta{Name: "p", Namespace: "default"}, Spec: tc.spec}
		var got []string
		for _, e := range Validate(pdb) {
			got = append(got, e.Field)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s: Validate fields (-want +got)\n%s", tc.name, diff)
		}
	}
}
