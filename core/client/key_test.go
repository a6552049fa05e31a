package client

import (
	"testing"

	"github.com/tinykube/tinykube/core/api"
)

func TestSplitKey(t *testing.T) {
	for _, tt := range []struct {
		key      string
		ns, name string
	}{
		{"default/web", "default", "web"},
		{"kube-system/coredns-1", "kube-system", "coredns-1"},
		{"node-1", "", "node-1"},    // cluster-scoped
		{"default/", "default", ""}, // never built by Key, split all the same
		{"/web", "", "web"},         // likewise
		{"a/b/c", "a", "b/c"},       // the first slash separates
		{"", "", ""},
	} {
		ns, name := SplitKey(tt.key)
		if ns != tt.ns || name != tt.name {
			t.Errorf("SplitKey(%q) = (%q, %q), want (%q, %q)", tt.key, ns, name, tt.ns, tt.name)
		}
	}
}

// SplitKey undoes Key for namespaced and cluster-scoped objects alike.
func TestSplitKeyUndoesKey(t *testing.T) {
	for _, obj := range []api.Object{
		&api.Pod{ObjectMeta: api.ObjectMeta{Namespace: "default", Name: "web-0"}},
		&api.Node{ObjectMeta: api.ObjectMeta{Name: "node-1"}},
	} {
		m := obj.GetObjectMeta()
		if ns, name := SplitKey(Key(obj)); ns != m.Namespace || name != m.Name {
			t.Errorf("SplitKey(Key(%s/%s)) = (%q, %q), want (%q, %q)", m.Namespace, m.Name, ns, name, m.Namespace, m.Name)
		}
	}
}

func TestKeyFor(t *testing.T) {
	for _, tt := range []struct {
		ns, name, want string
	}{
		{"default", "web", "default/web"},
		{"", "node-1", "node-1"},
	} {
		if got := KeyFor(tt.ns, tt.name); got != tt.want {
			t.Errorf("KeyFor(%q, %q) = %q, want %q", tt.ns, tt.name, got, tt.want)
		}
		if ns, name := SplitKey(KeyFor(tt.ns, tt.name)); ns != tt.ns || name != tt.name {
			t.Errorf("SplitKey(KeyFor(%q, %q)) = (%q, %q)", tt.ns, tt.name, ns, name)
		}
	}
}
