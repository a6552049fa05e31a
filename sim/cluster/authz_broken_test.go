package cluster

import (
	"strings"
	"testing"
)

// A controller manager whose ClusterRole lacks one verb (delete on pods)
// is caught by components-authorized as soon as a rolling update's old
// ReplicaSet scales down, with a message that names the component, the
// verb, the resource and the namespace.
func TestControllerManagerMissingAVerbIsCaught(t *testing.T) {
	s := load(t, "rolling-update.yaml")
	s.Cluster.Broken = "controller-manager-role-lacks-delete-pods"
	if _, err := New(s, 1); err != nil {
		if strings.Contains(err.Error(), "is the API server's bootstrap making the default roles?") {
			t.Skipf("the API server bootstraps no default roles yet: %v", err)
		}
		t.Fatal(err)
	}
	_, r, seed := caught(t, s, 3,
		`components-authorized: system:kube-controller-manager was denied "delete pods" on "`, "controller manager's role")
	if want := `in namespace "default": its role is missing that permission`; !strings.Contains(r.Violation.Error(), want) {
		t.Errorf("seed %d: the violation %q does not say %q", seed, r.Violation, want)
	}
	t.Logf("seed %d caught: %v", seed, r.Violation)
}
