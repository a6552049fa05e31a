package podautoscaler

import (
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func at(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }

func TestStabilizeLegacy(t *testing.T) {
	h := &history{}
	steps := []struct {
		sec       int
		desired   int32
		want      int32
		situation string
	}{
		{0, 5, 5, "first recommendation"},
		{60, 2, 5, "a scale-down inside the window waits for the highest"},
		{200, 3, 5, "still inside"},
		{301, 2, 3, "the 5 left the window; 3 (at 200 s) is the highest"},
		{501, 2, 2, "the whole window agrees"},
	}
	for _, s := range steps {
		if got := h.stabilizeLegacy(s.desired, at(s.sec), 300*time.Second); got != s.want {
			t.Errorf("%s: stabilizeLegacy(%d) at %ds = %d, want %d", s.situation, s.desired, s.sec, got, s.want)
		}
	}
}

func TestStabilizeWithWindows(t *testing.T) {
	h := &history{}
	steps := []struct {
		sec              int
		current, desired int32
		want             int32
		situation        string
	}{
		{0, 1, 4, 1, "a scale-up inside the 60 s up window waits for the lowest (1, at -1 s)"},
		{30, 1, 4, 1, "the 1 recommended at -1 s is still inside the up window"},
		{61, 1, 4, 4, "the up window agrees"},
		{90, 4, 1, 4, "a scale-down inside the 120 s down window waits"},
		{200, 4, 1, 1, "the down window agrees"},
	}
	h.record(1, at(-1), 120*time.Second)
	for _, s := range steps {
		got, _ := h.stabilize(s.current, s.desired, 60*time.Second, 120*time.Second, at(s.sec))
		if got != s.want {
			t.Errorf("%s: stabilize(%d→%d) at %ds = %d, want %d", s.situation, s.current, s.desired, s.sec, got, s.want)
		}
	}
}

func TestLimits(t *testing.T) {
	i32 := func(n int32) *int32 { return &n }
	sel := func(s string) *string { return &s }
	defaults := &api.HorizontalPodAutoscalerBehavior{ScaleUp: api.DefaultScaleUpRules(), ScaleDown: api.DefaultScaleDownRules()}
	onePodPerMinute := &api.HorizontalPodAutoscalerBehavior{ScaleUp: api.DefaultScaleUpRules(),
		ScaleDown: &api.HPAScalingRules{SelectPolicy: sel("Max"), Policies: []api.HPAScalingPolicy{{Type: "Pods", Value: 1, PeriodSeconds: 60}}}}
	disabledDown := &api.HorizontalPodAutoscalerBehavior{ScaleUp: api.DefaultScaleUpRules(),
		ScaleDown: &api.HPAScalingRules{SelectPolicy: sel("Disabled"), StabilizationWindowSeconds: i32(0), Policies: api.DefaultScaleDownRules().Policies}}
	tests := []struct {
		name                             string
		b                                *api.HorizontalPodAutoscalerBehavior
		events                           []timedReplicas // scale-ups, at seconds before now
		current, desired, min, max, want int32
		reason                           string
	}{
		{"default: 4 pods or double, from 2", defaults, nil, 2, 20, 1, 100, 6, "ScaleUpLimit"},
		{"default: double from 10", defaults, nil, 10, 50, 1, 100, 20, "ScaleUpLimit"},
		{"max bounds first", defaults, nil, 10, 50, 1, 12, 12, "TooManyReplicas"},
		{"an earlier scale-up in the period counts", defaults, []timedReplicas{{4, at(-10)}}, 6, 20, 1, 100, 6, "ScaleUpLimit"},
		{"a scale-up older than the period does not", defaults, []timedReplicas{{4, at(-20)}}, 6, 20, 1, 100, 12, "ScaleUpLimit"},
		{"default scale-down: any number", defaults, nil, 10, 1, 1, 100, 1, "DesiredWithinRange"},
		{"min bounds a scale-down", defaults, nil, 10, 1, 3, 100, 3, "TooFewReplicas"},
		{"one pod a minute", onePodPerMinute, nil, 10, 1, 1, 100, 9, "ScaleDownLimit"},
		{"scale-down disabled", disabledDown, nil, 10, 1, 1, 100, 10, "ScaleDownLimit"},
		{"within range", defaults, nil, 3, 4, 1, 100, 4, "DesiredWithinRange"},
	}
	for _, tc := range tests {
		h := &history{scaleUps: tc.events}
		got, why := h.limitByPolicies(tc.current, tc.desired, tc.min, tc.max, tc.b, at(0))
		if got != tc.want || why.reason != tc.reason {
			t.Errorf("%s: limitByPolicies(%d→%d) = %d (%s), want %d (%s)", tc.name, tc.current, tc.desired, got, why.reason, tc.want, tc.reason)
		}
	}
	legacy := []struct {
		current, desired, min, max, want int32
		reason                           string
	}{
		{1, 10, 1, 10, 4, "ScaleUpLimit"},
		{5, 20, 1, 100, 10, "ScaleUpLimit"},
		{5, 20, 1, 8, 8, "TooManyReplicas"},
		{5, 0, 2, 8, 2, "TooFewReplicas"},
		{5, 3, 2, 8, 3, "DesiredWithinRange"},
	}
	for _, tc := range legacy {
		got, why := limitLegacy(tc.current, tc.desired, tc.min, tc.max)
		if got != tc.want || why.reason != tc.reason {
			t.Errorf("limitLegacy(%d→%d, [%d,%d]) = %d (%s), want %d (%s)", tc.current, tc.desired, tc.min, tc.max, got, why.reason, tc.want, tc.reason)
		}
	}
}
