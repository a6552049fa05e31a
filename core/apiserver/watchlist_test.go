package apiserver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/rest"
)

// events drains a raw watch stream into "TYPE name rv [end]" lines: name
// is empty for a bookmark, "end" marks the initial-events-end annotation.
func events(t *testing.T, resp *rest.Response) []string {
	t.Helper()
	if resp.Stream == nil {
		t.Fatalf("no watch stream: %d %s", resp.Code, resp.Body)
	}
	var out []string
	for {
		ev, ok := resp.Stream.Next()
		if !ok {
			return out
		}
		var obj struct {
			Kind     string `json:"kind"`
			Metadata struct {
				Name            string            `json:"name"`
				ResourceVersion string            `json:"resourceVersion"`
				Annotations     map[string]string `json:"annotations"`
			} `json:"metadata"`
		}
		if err := json.Unmarshal(ev.Object, &obj); err != nil {
			t.Fatalf("event %s: %v: %s", ev.Type, err, ev.Object)
		}
		line := fmt.Sprintf("%s %s %s", ev.Type, obj.Metadata.Name, obj.Metadata.ResourceVersion)
		if ev.Type == rest.Bookmark && obj.Kind != "Pod" {
			t.Errorf("bookmark of kind %q, want Pod", obj.Kind)
		}
		if obj.Metadata.Annotations[InitialEventsEndAnnotation] == "true" {
			line += " end"
		}
		out = append(out, line)
	}
}

// The streaming list: the current pods, a bookmark at the revision they
// were read at that says the initial events end there, then the changes
// after it — a list and a watch in one request, with no gap between them.
func TestStreamingList(t *testing.T) {
	f := newFixture(t)
	a, _ := pods(f).Create(f.ctx, newPod("a", nil), client.WriteOptions{})
	b, _ := pods(f).Create(f.ctx, newPod("b", nil), client.WriteOptions{})
	resp := f.do(http.MethodGet, "/api/v1/namespaces/default/pods", "", "", "watch", "true",
		"sendInitialEvents", "true", "resourceVersionMatch", "NotOlderThan", "allowWatchBookmarks", "true")
	defer resp.Stream.Stop()
	c, _ := pods(f).Create(f.ctx, newPod("c", nil), client.WriteOptions{})
	want := []string{
		"ADDED a " + a.ResourceVersion,
		"ADDED b " + b.ResourceVersion,
		"BOOKMARK  " + b.ResourceVersion + " end",
		"ADDED c " + c.ResourceVersion,
	}
	if diff := cmp.Diff(want, events(t, resp)); diff != "" {
		t.Errorf("streaming list (-want +got):\n%s", diff)
	}
}

// sendInitialEvents=false: only what changes from now on (or after the
// resourceVersion given), even without a resourceVersion.
func TestWatchWithoutInitialEvents(t *testing.T) {
	f := newFixture(t)
	a, _ := pods(f).Create(f.ctx, newPod("a", nil), client.WriteOptions{})
	resp := f.do(http.MethodGet, "/api/v1/namespaces/default/pods", "", "", "watch", "true",
		"sendInitialEvents", "false", "resourceVersionMatch", "NotOlderThan")
	defer resp.Stream.Stop()
	b, _ := pods(f).Create(f.ctx, newPod("b", nil), client.WriteOptions{})
	if diff := cmp.Diff([]string{"ADDED b " + b.ResourceVersion}, events(t, resp)); diff != "" {
		t.Errorf("without initial events (-want +got):\n%s", diff)
	}
	_ = a
}

// A watch whose selector drops every change still learns, by a bookmark,
// how far the collection moved — once, when nothing else is ready — and
// only when it allowed bookmarks.
func TestBookmarkAfterFilteredChanges(t *testing.T) {
	for _, allow := range []bool{true, false} {
		f := newFixture(t)
		start, _ := pods(f).Create(f.ctx, newPod("a", map[string]string{"app": "db"}), client.WriteOptions{})
		q := []string{"watch", "true", "resourceVersion", start.ResourceVersion, "labelSelector", "app=web"}
		if allow {
			q = append(q, "allowWatchBookmarks", "true")
		}
		resp := f.do(http.MethodGet, "/api/v1/namespaces/default/pods", "", "", q...)
		var last string
		for _, n := range []string{"b", "c"} {
			p, _ := pods(f).Create(f.ctx, newPod(n, map[string]string{"app": "db"}), client.WriteOptions{})
			last = p.ResourceVersion
		}
		var want []string
		if allow {
			want = []string{"BOOKMARK  " + last}
		}
		if diff := cmp.Diff(want, events(t, resp)); diff != "" {
			t.Errorf("allowWatchBookmarks=%v (-want +got):\n%s", allow, diff)
		}
		if got := events(t, resp); len(got) != 0 {
			t.Errorf("a second drain with nothing new gave %v, want nothing", got)
		}
		resp.Stream.Stop()
	}
}

// Options that do not go together are refused, naming the field, as
// Kubernetes refuses them.
func TestWatchOptionsRefused(t *testing.T) {
	for _, c := range []struct {
		query []string
		want  string
	}{
		{[]string{"sendInitialEvents", "true"}, "resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"},
		{[]string{"resourceVersionMatch", "NotOlderThan"}, "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided"},
		{[]string{"sendInitialEvents", "true", "resourceVersionMatch", "Exact"}, "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"},
		{[]string{"sendInitialEvents", "maybe", "resourceVersionMatch", "NotOlderThan"}, `invalid sendInitialEvents "maybe"`},
		{[]string{"allowWatchBookmarks", "yes"}, `invalid allowWatchBookmarks "yes"`},
		{[]string{"sendInitialEvents", "true", "resourceVersionMatch", "NotOlderThan", "resourceVersion", "999999"}, "Too large resource version"},
	} {
		f := newFixture(t)
		resp := f.do(http.MethodGet, "/api/v1/namespaces/default/pods", "", "", append([]string{"watch", "true"}, c.query...)...)
		if resp.Stream != nil {
			resp.Stream.Stop()
			t.Errorf("%v: a watch started, want a refusal", c.query)
			continue
		}
		if st := status(t, resp); !strings.Contains(st.Message, c.want) {
			t.Errorf("%v: %d %q, want it to say %q", c.query, resp.Code, st.Message, c.want)
		}
	}
}
