package hpalab

import (
	"strings"
	"testing"

	"github.com/tinykube/tinykube/core/controller/podautoscaler"
	"github.com/tinykube/tinykube/labs/lab"
)

// The checker's own answer is the controller's: on every draw of 50
// seeds, expected agrees with podautoscaler.Recommend, so a reason the
// checker prints never contradicts the controller it stands for.
func TestExpectedIsTheControllers(t *testing.T) {
	for seed := uint64(1); seed <= 50; seed++ {
		env := lab.NewEnv(seed)
		for range 300 {
			in := drawInput(env)
			want, wantErr := podautoscaler.Recommend(in.current, clonePods(in.pods), in.target, in.tol)
			got, gotErr, why := expected(in)
			if (gotErr != nil) != (wantErr != nil) || (wantErr == nil && got != want) {
				t.Fatalf("seed %d: expected(%s) = %+v, %v (%s), want %+v, %v", seed, in.describe(), got, gotErr, why, want, wantErr)
			}
		}
	}
}

// The draws reach every branch of the contract, or the rule test could
// pass code that never took one.
func TestDrawsReachEveryBranch(t *testing.T) {
	seen := map[string]int{}
	for seed := uint64(1); seed <= 50; seed++ {
		env := lab.NewEnv(seed)
		for range 300 {
			_, _, why := expected(drawInput(env))
			for _, branch := range branches {
				if strings.Contains(why, branch) {
					seen[branch]++
				}
			}
		}
	}
	for _, branch := range branches {
		if seen[branch] < 20 {
			t.Errorf("the draws of 50 seeds reach %q %d times, want at least 20", branch, seen[branch])
		}
	}
}

var branches = []string{
	"no pods", "has no request", "no pod is both ready and measured",
	"within the tolerance", "nobody left out", "as idle, on a scale-up", "of its request, on a scale-down",
	"at the target", "stays out: the ratio is exactly 1", "(unready) back as idle", "unready pods stay out",
	"turned the direction around", "moves against the ratio's direction",
}
