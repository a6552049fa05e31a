package apiserver

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"pgregory.net/rapid"
)

// drain returns every event the watch has ready, as "TYPE name rv" lines.
func drain[T api.Object](t *testing.T, w *client.Watch[T]) []string {
	t.Helper()
	var out []string
	for {
		ev, ok := w.Next()
		if !ok {
			return out
		}
		if ev.Err != nil {
			out = append(out, "ERROR "+ev.Err.Error())
			continue
		}
		m := ev.Object.GetObjectMeta()
		out = append(out, fmt.Sprintf("%s %s", ev.Type, m.Name))
	}
}

func TestListThenWatchMissesNothing(t *testing.T) {
	f := newFixture(t)
	for _, n := range []string{"a", "b"} {
		if _, err := pods(f).Create(f.ctx, newPod(n, nil), client.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	l, err := pods(f).List(f.ctx, "default", client.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Changes after the list but before the watch starts must be seen.
	if _, err := pods(f).Create(f.ctx, newPod("c", nil), client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	w, err := pods(f).Watch(f.ctx, "default", client.ListOptions{ResourceVersion: l.ResourceVersion})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	a, _ := pods(f).Get(f.ctx, "default", "a")
	a.Labels = map[string]string{"x": "1"}
	if _, err := pods(f).Update(f.ctx, a, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := pods(f).Delete(f.ctx, "default", "b", client.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	want := []string{"ADDED c", "MODIFIED a", "DELETED b"}
	if diff := cmp.Diff(want, drain(t, w)); diff != "" {
		t.Errorf("watch events (-want +got):\n%s", diff)
	}
}

func TestWatchWithoutVersionStartsWithCurrentObjects(t *testing.T) {
	f := newFixture(t)
	for _, n := range []string{"b", "a"} {
		if _, err := pods(f).Create(f.ctx, newPod(n, nil), client.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	w, err := pods(f).Watch(f.ctx, "default", client.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	if _, err := pods(f).Create(f.ctx, newPod("c", nil), client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"ADDED a", "ADDED b", "ADDED c"}, drain(t, w)); diff != "" {
		t.Errorf("watch events (-want +got):\n%s", diff)
	}
}

func TestWatchSelectorTransitions(t *testing.T) {
	f := newFixture(t)
	w, err := pods(f).Watch(f.ctx, "default", client.ListOptions{LabelSelector: "app=web"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	p, err := pods(f).Create(f.ctx, newPod("p", map[string]string{"app": "web"}), client.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pods(f).Create(f.ctx, newPod("other", map[string]string{"app": "db"}), client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	p.Labels["app"] = "db" // leaves the selection: DELETED
	if p, err = pods(f).Update(f.ctx, p, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	p.Labels["app"] = "web" // comes back: ADDED
	if _, err = pods(f).Update(f.ctx, p, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	want := []string{"ADDED p", "DELETED p", "ADDED p"}
	if diff := cmp.Diff(want, drain(t, w)); diff != "" {
		t.Errorf("watch events through app=web (-want +got):\n%s", diff)
	}
}

func TestWatchFromCompactedRevisionIsGone(t *testing.T) {
	f := newFixture(t)
	first, err := pods(f).Create(f.ctx, newPod("a", nil), client.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if _, err := pods(f).Create(f.ctx, newPod(fmt.Sprint("p", i), nil), client.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	rev, _ := f.store.Revision(f.ctx)
	if err := f.store.Compact(f.ctx, rev); err != nil {
		t.Fatal(err)
	}
	resp := f.do(http.MethodGet, "/api/v1/namespaces/default/pods", "", "", "watch", "true", "resourceVersion", first.ResourceVersion)
	st := status(t, resp)
	if resp.Code != http.StatusGone || st.Reason != api.ReasonExpired {
		t.Errorf("watch from compacted %s = %d %s, want 410 Expired", first.ResourceVersion, resp.Code, st.Reason)
	}
	// The current revision is still watchable.
	if _, err := pods(f).Watch(f.ctx, "default", client.ListOptions{ResourceVersion: strconv.FormatInt(rev, 10)}); err != nil {
		t.Errorf("watch from the current revision: %v", err)
	}
}

// TestWatchSeesEveryWriteOnceInOrder drives random writes through the API
// and checks that a watch opened after a list sees exactly the acknowledged
// writes, in order, and that replaying them on the list gives the final
// state.
func TestWatchSeesEveryWriteOnceInOrder(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		f := newFixture(t)
		names := []string{"a", "b", "c"}
		pre := rapid.IntRange(0, 3).Draw(rt, "pre")
		for i := 0; i < pre; i++ {
			pods(f).Create(f.ctx, newPod(names[i%len(names)], nil), client.WriteOptions{})
		}
		l, err := pods(f).List(f.ctx, "default", client.ListOptions{})
		if err != nil {
			rt.Fatal(err)
		}
		w, err := pods(f).Watch(f.ctx, "default", client.ListOptions{ResourceVersion: l.ResourceVersion})
		if err != nil {
			rt.Fatal(err)
		}
		defer w.Stop()
		var acked []string
		for i, n := 0, rapid.IntRange(0, 25).Draw(rt, "ops"); i < n; i++ {
			name := rapid.SampledFrom(names).Draw(rt, "name")
			switch rapid.IntRange(0, 2).Draw(rt, "op") {
			case 0:
				p, err := pods(f).Create(f.ctx, newPod(name, nil), client.WriteOptions{})
				if err == nil {
					acked = append(acked, "ADDED "+name+" "+p.ResourceVersion)
				}
			case 1:
				p, err := pods(f).Get(f.ctx, "default", name)
				if err != nil {
					continue
				}
				p.Labels = map[string]string{"n": strconv.Itoa(i)}
				p, err = pods(f).Update(f.ctx, p, client.WriteOptions{})
				if err == nil {
					acked = append(acked, "MODIFIED "+name+" "+p.ResourceVersion)
				}
			case 2:
				p, err := pods(f).Delete(f.ctx, "default", name, client.DeleteOptions{})
				if err == nil {
					acked = append(acked, "DELETED "+name+" "+p.ResourceVersion)
				}
			}
		}
		var seen []string
		state := map[string]bool{}
		for _, p := range l.Items {
			state[p.Name] = true
		}
		for {
			ev, ok := w.Next()
			if !ok {
				break
			}
			if ev.Err != nil {
				rt.Fatalf("watch error: %v", ev.Err)
			}
			m := ev.Object.GetObjectMeta()
			seen = append(seen, ev.Type+" "+m.Name+" "+m.ResourceVersion)
			state[m.Name] = ev.Type != "DELETED"
		}
		if diff := cmp.Diff(acked, seen); diff != "" {
			rt.Fatalf("watch events vs acknowledged writes (-acked +seen):\n%s", diff)
		}
		final, err := pods(f).List(f.ctx, "default", client.ListOptions{})
		if err != nil {
			rt.Fatal(err)
		}
		var want, got []string
		for _, p := range final.Items {
			want = append(want, p.Name)
		}
		for n, present := range state {
			if present {
				got = append(got, n)
			}
		}
		sort.Strings(got)
		if diff := cmp.Diff(want, got); diff != "" {
			rt.Fatalf("list + replayed watch vs final list (-final +replayed):\n%s", diff)
		}
	})
}
