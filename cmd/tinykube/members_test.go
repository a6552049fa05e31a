package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tinykube/tinykube/realnode/controlplane"
)

func TestServerMembersAndFailoverFromTheCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("starts etcd")
	}
	dir := t.TempDir()
	s, err := controlplane.Start(context.Background(), controlplane.Config{DataDir: dir, Listen: "127.0.0.1:0",
		EtcdClientURL: freeURL(t), EtcdPeerURL: freeURL(t), Version: version, ClusterInit: true, NoControllers: true, Name: "first"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	t.Setenv("KUBECONFIG", s.Kubeconfig)

	code, out, errs := tk(t, s.URL, "", "server", "members", "--data-dir", dir)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 2 || !strings.HasPrefix(lines[0], "NAME") || !strings.HasPrefix(lines[1], "first*") ||
		!strings.Contains(lines[1], "Healthy") || !strings.Contains(lines[1], s.URL) {
		t.Errorf("server members = %d\n%s%s; want a header and one healthy leading member first* with its API URL", code, out, errs)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"server", "members", "--data-dir", dir, "--token", "wrong"}, "Error from server (Forbidden): the join token is wrong"},
		{[]string{"server", "members", "--data-dir", filepath.Join(dir, "none")}, "error: no join token"},
		{[]string{"server", "remove-member", "first", "--data-dir", dir}, "this server's own member"},
		{[]string{"server", "remove-member", "nobody", "--data-dir", dir}, `no etcd member named "nobody" (members: first)`},
	} {
		code, _, errs := tk(t, s.URL, "", tc.args...)
		if code == 0 || !strings.Contains(errs, tc.want) {
			t.Errorf("tinykube %s = %d, %q; want an error containing %q", strings.Join(tc.args, " "), code, errs, tc.want)
		}
	}

	// --server takes a list: a dead first server is skipped.
	code, out, errs = tk(t, freeURL(t)+","+s.URL, "", "get", "namespaces")
	if code != 0 || !strings.Contains(out, "kube-system") {
		t.Errorf("get namespaces with a dead first server = %d\n%s%s", code, out, errs)
	}
}
