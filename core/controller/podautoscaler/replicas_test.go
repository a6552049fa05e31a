package podautoscaler

import (
	"testing"
)

func TestRecommend(t *testing.T) {
	ready := func(name string, usage, request int64) PodUsage {
		return PodUsage{Name: name, Measured: true, Usage: usage, Request: request}
	}
	missing := func(name string, request int64) PodUsage { return PodUsage{Name: name, Request: request} }
	unready := func(name string, usage, request int64) PodUsage {
		return PodUsage{Name: name, State: PodUnready, Measured: true, Usage: usage, Request: request}
	}
	ignored := func(name string, usage, request int64) PodUsage {
		return PodUsage{Name: name, State: PodIgnored, Measured: true, Usage: usage, Request: request}
	}
	half := Target{Utilization: 50}
	tests := []struct {
		name     string
		current  int32
		pods     []PodUsage
		target   Target
		tol      Tolerance
		want     int32
		wantUtil int32
		wantErr  bool
	}{
		{"double the target doubles", 3, []PodUsage{ready("a", 1000, 1000), ready("b", 1000, 1000), ready("c", 1000, 1000)}, half, DefaultTolerance, 6, 100, false},
		{"within tolerance stays", 3, []PodUsage{ready("a", 520, 1000), ready("b", 520, 1000), ready("c", 520, 1000)}, half, DefaultTolerance, 3, 52, false},
		{"no tolerance acts on 4%", 3, []PodUsage{ready("a", 520, 1000), ready("b", 520, 1000), ready("c", 520, 1000)}, half, Tolerance{}, 4, 52, false},
		{"idle scales down", 3, []PodUsage{ready("a", 100, 1000), ready("b", 100, 1000), ready("c", 100, 1000)}, half, DefaultTolerance, 1, 10, false},
		{"missing pod counts as its whole request on a scale-down", 4,
			[]PodUsage{ready("a", 100, 1000), ready("b", 100, 1000), ready("c", 100, 1000), missing("d", 1000)}, half, DefaultTolerance, 3, 10, false},
		{"missing pod counts as idle on a scale-up", 3, []PodUsage{ready("a", 1000, 1000), ready("b", 1000, 1000), missing("c", 1000)}, half, DefaultTolerance, 4, 100, false},
		{"unready pod counts as idle on a scale-up", 3, []PodUsage{ready("a", 1000, 1000), ready("b", 1000, 1000), unready("c", 1000, 1000)}, half, DefaultTolerance, 4, 100, false},
		{"unready pod left out of a scale-down", 3, []PodUsage{ready("a", 100, 1000), ready("b", 100, 1000), unready("c", 900, 1000)}, half, DefaultTolerance, 1, 10, false},
		{"ignored pods do not count", 2, []PodUsage{ready("a", 1000, 1000), ignored("b", 0, 1000)}, half, DefaultTolerance, 2, 100, false},
		{"missing pods with the measured ones exactly on target keep the scale", 4,
			[]PodUsage{ready("a", 500, 1000), ready("b", 500, 1000), missing("c", 1000), missing("d", 1000)}, half, DefaultTolerance, 4, 50, false},
		{"missing pods flipping the direction keep the scale", 3, []PodUsage{ready("a", 600, 1000), missing("b", 1000), missing("c", 1000)}, half, DefaultTolerance, 3, 60, false},
		{"average value", 2, []PodUsage{ready("a", 200, 0), ready("b", 200, 0)}, Target{AverageValue: 100}, DefaultTolerance, 4, 0, false},
		{"target above 100%: missing pods count at the target", 2, []PodUsage{ready("a", 100, 1000), missing("b", 1000)}, Target{Utilization: 200}, DefaultTolerance, 2, 10, false},
		{"exactly on target: missing pods are not guessed", 4, []PodUsage{ready("a", 500, 1000), missing("b", 1000), missing("c", 1000), missing("d", 1000)}, half, DefaultTolerance, 4, 50, false},
		{"no request", 1, []PodUsage{ready("a", 100, 0)}, half, DefaultTolerance, 0, 0, true},
		{"no pods", 1, nil, half, DefaultTolerance, 0, 0, true},
		{"no ready pods", 1, []PodUsage{unready("a", 100, 1000), missing("b", 1000)}, half, DefaultTolerance, 0, 0, true},
	}
	for _, tc := range tests {
		got, err := Recommend(tc.current, tc.pods, tc.target, tc.tol)
		if (err != nil) != tc.wantErr {
			t.Errorf("%s: Recommend error = %v, want error %v", tc.name, err, tc.wantErr)
			continue
		}
		if err != nil {
			continue
		}
		if got.Replicas != tc.want || got.Utilization != tc.wantUtil {
			t.Errorf("%s: Recommend(%d, …) = %d replicas at %d%%, want %d at %d%%", tc.name, tc.current, got.Replicas, got.Utilization, tc.want, tc.wantUtil)
		}
	}
}
