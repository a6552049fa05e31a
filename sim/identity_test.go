package sim

import (
	"context"
	"testing"

	"github.com/tinykube/tinykube/core/rest"
)

// The network puts the user Identity names on every request, over the
// one a process wrote: a process cannot choose who it is.
func TestNetworkSetsTheUser(t *testing.T) {
	w := NewWorld(1)
	var seen []string
	w.Net.Handler = func(_ context.Context, req *rest.Request) *rest.Response {
		name := "<none>"
		if req.User != nil {
			name = req.User.Name
		}
		seen = append(seen, name)
		return &rest.Response{Code: 200}
	}
	w.Net.Identity = func(process string) *rest.UserInfo { return &rest.UserInfo{Name: "user-of-" + process} }
	p := w.AddProcess("kubelet/node-1", func(*Process) {})
	p.Start()
	forged := &rest.Request{Method: "GET", Path: "/api/v1/secrets", User: &rest.UserInfo{Name: "kubernetes-admin", Groups: []string{"system:masters"}}}
	if _, err := p.Client().Do(context.Background(), forged); err != nil {
		t.Fatal(err)
	}
	if want := "user-of-kubelet/node-1"; len(seen) != 1 || seen[0] != want {
		t.Errorf("the server saw users %q, want [%q]", seen, want)
	}
	if forged.User.Name != "kubernetes-admin" {
		t.Errorf("the process's own request was changed: User = %q", forged.User.Name)
	}
}
