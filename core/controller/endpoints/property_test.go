package endpoints

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client/clienttest"
	"pgregory.net/rapid"
)

// podSpec is one random pod of the property test.
type podSpec struct {
	name     string
	app      string // "web" is selected, "db" is not
	ip       string // "" for none yet
	phase    api.PodPhase
	ready    bool
	named    int32 // the container port named "web", 0 for none
	deleting bool
}

func drawPods(t *rapid.T) []podSpec {
	n := rapid.IntRange(0, 7).Draw(t, "pods")
	var out []podSpec
	for i := range n {
		out = append(out, podSpec{
			name:     fmt.Sprintf("p%d", i),
			app:      rapid.SampledFrom([]string{"web", "web", "db"}).Draw(t, "app"),
			ip:       rapid.SampledFrom([]string{"", "10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.10"}).Draw(t, "ip"),
			phase:    rapid.SampledFrom([]api.PodPhase{api.PodRunning, api.PodRunning, api.PodPending, api.PodSucceeded, api.PodFailed}).Draw(t, "phase"),
			ready:    rapid.Bool().Draw(t, "ready"),
			named:    rapid.SampledFrom([]int32{0, 8080, 8081}).Draw(t, "named"),
			deleting: rapid.IntRange(0, 3).Draw(t, "deleting") == 0,
		})
	}
	return out
}

// model is what the Endpoints of service web must say, computed plainly
// from the pods, in the shape summary prints.
func model(pods []podSpec, publishNotReady bool) []string {
	type set struct{ ready, notReady []string }
	sets := map[string]*set{}
	for _, p := range pods {
		if p.app != "web" || p.ip == "" || p.deleting || p.phase == api.PodSucceeded || p.phase == api.PodFailed {
			continue
		}
		ports := "admin:9000/TCP"
		if p.named != 0 {
			ports += fmt.Sprintf(",http:%d/TCP", p.named)
		}
		if sets[ports] == nil {
			sets[ports] = &set{}
		}
		addr := p.ip + "(" + p.name + ")"
		if p.ready || publishNotReady {
			sets[ports].ready = append(sets[ports].ready, addr)
		} else {
			sets[ports].notReady = append(sets[ports].notReady, addr)
		}
	}
	if len(sets) == 0 {
		return []string{}
	}
	var out []string
	for ports, s := range sets {
		// "10.0.0.1(p3)" < "10.0.0.1(p4)" < "10.0.0.10(p0)" in byte order,
		// which is IP then name order for these IPs and names.
		sort.Strings(s.ready)
		sort.Strings(s.notReady)
		out = append(out, ports+" ready="+strings.Join(s.ready, ",")+" notReady="+strings.Join(s.notReady, ","))
	}
	sort.Strings(out)
	return out
}

// TestEndpointsMatchModel creates random pods, in a random order, with a
// service selecting some of them, and checks that the Endpoints equal the
// model, and are the same object (byte for byte in their subsets) as when
// the pods are created in name order.
func TestEndpointsMatchModel(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		pods := drawPods(rt)
		publish := rapid.Bool().Draw(rt, "publishNotReady")
		order := rapid.Permutation(pods).Draw(rt, "order")

		run := func(order []podSpec) *api.Endpoints {
			e := newEnv(t)
			e.service("web", func(s *api.Service) {
				s.Spec.PublishNotReadyAddresses = publish
				s.Spec.Ports = []api.ServicePort{
					{Name: "http", Port: 80, TargetPort: api.FromString("web")},
					{Name: "admin", Port: 9000},
				}
			})
			for _, p := range order {
				e.pod(p.name, map[string]string{"app": p.app}, "", false, func(pod *api.Pod) {
					if p.named != 0 {
						pod.Spec.Containers[0].Ports = []api.ContainerPort{{Name: "web", ContainerPort: p.named}}
					}
				})
				e.Settle()
			}
			for _, p := range order {
				if p.ip != "" {
					pod := e.getPod(p.name)
					e.setStatus(pod, p.ip, p.phase, p.ready)
				}
				if p.deleting {
					e.deletePod(p.name)
				}
				e.Settle()
			}
			e.RunFor(10e9)
			if n := e.ctrl.queue.Len(); n != 0 {
				rt.Fatalf("%d keys still queued after the world settled", n)
			}
			// Subsets itself does not care about the order of its input.
			svc, all := e.getService("web"), selectedPods(e)
			shuffled := rapid.Permutation(all).Draw(rt, "shuffled")
			if !sameSubsets(&api.Endpoints{Subsets: Subsets(svc, all)}, &api.Endpoints{Subsets: Subsets(svc, shuffled)}) {
				rt.Fatalf("Subsets differs when its pods are shuffled")
			}
			return e.endpoints("web")
		}

		got := run(order)
		want := model(pods, publish)
		if s := summary(got); !slices.Equal(s, want) {
			rt.Fatalf("endpoints web, pods created in order %v:\n got %q\nwant %q", names(order), s, want)
		}
		again := run(pods)
		if a, b := fmt.Sprint(got.Subsets), fmt.Sprint(again.Subsets); !sameSubsets(got, again) {
			rt.Fatalf("endpoints depend on the order pods were created in:\n%v: %s\n%v: %s", names(order), a, names(pods), b)
		}
	})
}

// selectedPods returns the pods of service web's namespace that it
// selects, as the API lists them.
func selectedPods(e *env) []*api.Pod {
	var out []*api.Pod
	for _, p := range clienttest.List[*api.Pod](e.t, e.api, "default") {
		if p.Labels["app"] == "web" {
			out = append(out, p)
		}
	}
	return out
}

func names(pods []podSpec) []string {
	var out []string
	for _, p := range pods {
		out = append(out, p.name)
	}
	return out
}

// sameSubsets compares two Endpoints' subsets as marshalled, with the pod
// uids (which differ between runs) blanked.
func sameSubsets(a, b *api.Endpoints) bool {
	strip := func(ep *api.Endpoints) *api.Endpoints {
		ep = api.DeepCopy(ep)
		for _, ss := range ep.Subsets {
			for _, list := range [][]api.EndpointAddress{ss.Addresses, ss.NotReadyAddresses} {
				for i := range list {
					list[i].TargetRef.UID = ""
				}
			}
		}
		return ep
	}
	x, y := strip(a), strip(b)
	y.Labels, y.Annotations = x.Labels, x.Annotations
	return same(x, y)
}
