package runtime_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/tinykube/tinykube/core/kubelet"
	"github.com/tinykube/tinykube/core/loop"
	"github.com/tinykube/tinykube/sim/runtime"
	"pgregory.net/rapid"
)

// TestListPodIsListNarrowed: for sandboxes of random pods, labelled with
// their UID or not, and containers labelled with their pod's UID, with
// another's, or with none (belonging to their sandbox's pod), ListPod(uid)
// returns — in List's order — every object the kubelet attributes to uid
// from List, and nothing List attributes to uid is missing.
func TestListPodIsListNarrowed(t *testing.T) {
	uids := []string{"u1", "u2", "u3"}
	rapid.Check(t, func(rt *rapid.T) {
		r := runtime.New(loop.NewVirtual(t0), "node-1", rand.New(rand.NewPCG(1, 1)))
		var sandboxIDs []string
		for i, n := 0, rapid.IntRange(0, 5).Draw(rt, "sandboxes"); i < n; i++ {
			uid := rapid.SampledFrom(uids).Draw(rt, "uid")
			cfg := kubelet.SandboxConfig{PodUID: uid, Namespace: "default", Name: fmt.Sprintf("p%d", i)}
			if rapid.Bool().Draw(rt, "labelled") {
				cfg.Labels = map[string]string{kubelet.LabelPodUID: uid}
			}
			s, err := r.RunSandbox(cfg)
			if err != nil {
				rt.Fatal(err)
			}
			sandboxIDs = append(sandboxIDs, s.ID)
		}
		if len(sandboxIDs) > 0 {
			for i, n := 0, rapid.IntRange(0, 8).Draw(rt, "containers"); i < n; i++ {
				cfg := kubelet.ContainerConfig{Name: fmt.Sprintf("c%d", i), Image: "busybox", Labels: map[string]string{}}
				if label := rapid.SampledFrom(append([]string{""}, uids...)).Draw(rt, "container uid"); label != "" {
					cfg.Labels[kubelet.LabelPodUID] = label
				}
				if _, err := r.CreateContainer(rapid.SampledFrom(sandboxIDs).Draw(rt, "sandbox"), cfg); err != nil {
					rt.Fatal(err)
				}
			}
		}
		allS, allC, _ := r.List()
		owner := map[string]string{} // sandbox ID → pod UID, as the kubelet reads it
		for _, s := range allS {
			owner[s.ID] = s.Labels[kubelet.LabelPodUID]
			if owner[s.ID] == "" {
				owner[s.ID] = s.PodUID
			}
		}
		podOf := func(c kubelet.Container) string { // the container's pod, as the kubelet reads it
			if o := c.Labels[kubelet.LabelPodUID]; o != "" {
				return o
			}
			return owner[c.SandboxID]
		}
		for _, uid := range uids {
			var wantS []kubelet.Sandbox
			for _, s := range allS {
				if owner[s.ID] == uid {
					wantS = append(wantS, s)
				}
			}
			var wantC []kubelet.Container
			for _, c := range allC {
				if podOf(c) == uid {
					wantC = append(wantC, c)
				}
			}
			gotS, gotC, err := r.ListPod(uid)
			if err != nil {
				rt.Fatal(err)
			}
			if diff := cmp.Diff(wantS, gotS, cmpopts.EquateEmpty()); diff != "" {
				rt.Fatalf("pod %s: sandboxes (-List +ListPod):\n%s", uid, diff)
			}
			// ListPod may return more containers (the kubelet ignores them),
			// but every one List attributes to uid, in List's order.
			var gotMine []kubelet.Container
			for _, c := range gotC {
				if podOf(c) == uid {
					gotMine = append(gotMine, c)
				}
			}
			if diff := cmp.Diff(wantC, gotMine, cmpopts.EquateEmpty()); diff != "" {
				rt.Fatalf("pod %s: containers (-List +ListPod):\n%s", uid, diff)
			}
		}
	})
}
