package controlplane

import (
	"bytes"
	"context"
	"crypto/tls"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/realnode/kubeconfig"
	"github.com/tinykube/tinykube/realnode/pki"
)

// freeURL returns an https URL on a loopback port that was free a moment
// ago (etcd's URLs are https: it serves TLS only).
func freeURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return "https://" + ln.Addr().String()
}

// adminTLS verifies s with the cluster CA (and shows the admin's
// certificate, which the membership paths do not look at).
func adminTLS(t *testing.T, s *Server) *tls.Config {
	t.Helper()
	tc, err := s.Admin().TLS()
	if err != nil {
		t.Fatal(err)
	}
	return tc
}

// serverConfig is a server on loopback with its own etcd ports, short
// leases, and its data in dir.
func serverConfig(t *testing.T, name, dir string) Config {
	return Config{DataDir: dir, Listen: "127.0.0.1:0", Name: name,
		EtcdClientURL: freeURL(t), EtcdPeerURL: freeURL(t), Version: "test",
		LeaderElection: LeaderElectionConfig{LeaseDuration: 3 * time.Second, RenewDeadline: 2 * time.Second, RetryPeriod: 200 * time.Millisecond}}
}

func start(t *testing.T, cfg Config) *Server {
	t.Helper()
	s, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatalf("starting server %s: %v", cfg.Name, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func names(l *MemberList) string {
	var out []string
	for _, m := range l.Members {
		st := "healthy"
		if !m.Healthy {
			st = "unhealthy"
		}
		out = append(out, m.Name+":"+st)
	}
	return strings.Join(out, " ")
}

// TestServersJoinListAndReplaceMembers walks the life of a three-server
// control plane: join, refuse bad joins, lose a server, remove it, refuse
// its stale data, replace it.
func TestServersJoinListAndReplaceMembers(t *testing.T) {
	if testing.Short() {
		t.Skip("starts four etcd members")
	}
	dir := t.TempDir()
	ctx := context.Background()
	cfg1 := serverConfig(t, "one", filepath.Join(dir, "one"))
	cfg1.ClusterInit = true
	s1 := start(t, cfg1)
	token, err := ReadToken(cfg1.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(tokenFile(cfg1.DataDir)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("token file mode = %v, %v; want 0600", fi.Mode().Perm(), err)
	}

	// Bad tokens are refused before etcd is touched.
	var se *api.StatusError
	_, err = MembershipClient{Server: s1.URL, TLS: adminTLS(t, s1)}.Members(ctx)
	if !asStatus(err, &se) || se.Status.Code != 401 {
		t.Errorf("members without a token: err = %v, want 401", err)
	}
	jt, err := pki.ParseJoinToken(token)
	if err != nil || !jt.IsServerSecret() || jt.CAHash != pki.Hash(s1.CA().CertPEM) {
		t.Fatalf("DATA_DIR/token = %q (%v): want K10<hash of the CA>::server:<hex>", token, err)
	}
	for _, tc := range []struct{ token, want string }{
		{"not-the-token", "does not start with K10"},
		{pki.JoinToken{CAHash: jt.CAHash, Secret: "server:0000"}.String(), "join token is wrong"},
		{pki.JoinToken{CAHash: strings.Repeat("0", 64), Secret: jt.Secret}.String(), "presents a CA with hash " + jt.CAHash + ", but the join token expects " + strings.Repeat("0", 64)},
		{pki.JoinToken{CAHash: jt.CAHash, Secret: "abcdef.0123456789abcdef"}.String(), "admits agents only"},
	} {
		bad := serverConfig(t, "bad", filepath.Join(dir, "bad"))
		bad.JoinURL, bad.Token = s1.URL, tc.token
		if _, err := Start(ctx, bad); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("joining with token %q: err = %v, want %q", tc.token, err, tc.want)
		}
	}
	unreachable := serverConfig(t, "far", filepath.Join(dir, "far"))
	unreachable.JoinURL, unreachable.Token = freeURL(t), token
	if _, err := Start(ctx, unreachable); err == nil || !strings.Contains(err.Error(), "fetching the CA from") {
		t.Errorf("joining an unreachable server: err = %v, want 'fetching the CA from'", err)
	}

	join := func(name string, via *Server) (*Server, Config) {
		cfg := serverConfig(t, name, filepath.Join(dir, name))
		cfg.JoinURL, cfg.Token = via.URL, token
		t0 := time.Now()
		s := start(t, cfg)
		t.Logf("server %s joined in %v", name, time.Since(t0))
		return s, cfg
	}
	s2, _ := join("two", s1)
	s3, cfg3 := join("three", s2)
	l, err := MembershipClient{Server: s3.URL, Token: token}.Members(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := names(l); got != "one:healthy three:healthy two:healthy" {
		t.Errorf("members = %s, want all three healthy", got)
	}
	// A joined server holds the cluster's CA and token, and serves with
	// its own certificate from that CA.
	if got, err := ReadToken(filepath.Join(dir, "three")); err != nil || got != token {
		t.Errorf("server three's token = %q, %v; want the cluster's %q", got, err, token)
	}
	if !bytes.Equal(s3.CA().CertPEM, s1.CA().CertPEM) {
		t.Errorf("server three's CA differs from server one's")
	}
	// The first server's kubeconfig learns of the servers that joined.
	waitFor(t, "server one's kubeconfig listing three servers", 5*time.Second, func() bool {
		kc, err := kubeconfig.Load(s1.Kubeconfig)
		if err != nil {
			return false
		}
		servers, _, _ := kc.CurrentServers()
		return len(servers) == 3 && servers[0] == s1.URL
	})
	if same := serverConfig(t, "two", filepath.Join(dir, "dup")); true {
		same.JoinURL, same.Token = s1.URL, token
		if _, err := Start(ctx, same); err == nil || !strings.Contains(err.Error(), `a member named "two" already exists`) {
			t.Errorf("joining under a name in use: err = %v", err)
		}
	}

	// One etcd cluster: a write through one server is read through another.
	c1 := client.For[*api.ConfigMap](client.New(s1.AdminTransport()))
	c3 := client.For[*api.ConfigMap](client.New(s3.AdminTransport()))
	if _, err := c1.Create(ctx, &api.ConfigMap{ObjectMeta: api.ObjectMeta{Name: "x", Namespace: "default"}}, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c3.Get(ctx, "default", "x"); err != nil {
		t.Errorf("reading through server three what server one wrote: %v", err)
	}

	// One scheduler and one controller manager lead among the three.
	holders := map[string]int{}
	deadline := time.Now().Add(10 * time.Second)
	for len(holders) < 2 && time.Now().Before(deadline) {
		clear(holders)
		for _, s := range []*Server{s1, s2, s3} {
			for _, n := range s.Leading() {
				holders[n]++
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	if holders["kube-scheduler"] != 1 || holders["kube-controller-manager"] != 1 {
		t.Errorf("lease holders = %v, want one server leading each", holders)
	}

	// A server cannot remove itself.
	if err := (MembershipClient{Server: s1.URL, Token: token}).RemoveMember(ctx, "one"); err == nil || !strings.Contains(err.Error(), "own member") {
		t.Errorf("removing the answering server's own member: err = %v", err)
	}

	// Server three dies for good; it is removed, and its old data cannot
	// come back.
	s3.Close()
	if err := (MembershipClient{Server: s1.URL, Token: token}).RemoveMember(ctx, "three"); err != nil {
		t.Fatalf("removing the dead member: %v", err)
	}
	cfg3.EtcdClientURL, cfg3.EtcdPeerURL = freeURL(t), freeURL(t)
	if _, err := Start(ctx, cfg3); err == nil || !strings.Contains(err.Error(), "was removed from the cluster") {
		t.Errorf("restarting a removed member from its data: err = %v, want 'was removed from the cluster'", err)
	}

	// Another cluster's data dir cannot join this one.
	other := serverConfig(t, "other", filepath.Join(dir, "other"))
	other.ClusterInit = true
	other.NoControllers = true
	o := start(t, other)
	o.Close()
	other.ClusterInit, other.JoinURL, other.Token = false, s1.URL, token
	if _, err := Start(ctx, other); err == nil || !strings.Contains(err.Error(), "holds etcd data of cluster") {
		t.Errorf("joining with another cluster's data: err = %v, want 'holds etcd data of cluster'", err)
	}

	// The replacement joins with an empty data dir.
	s4, _ := join("four", s2)
	l, err = MembershipClient{Server: s4.URL, Token: token}.Members(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := names(l); got != "four:healthy one:healthy two:healthy" {
		t.Errorf("members after the replacement = %s", got)
	}
	if _, err := client.For[*api.ConfigMap](client.New(s4.AdminTransport())).Get(ctx, "default", "x"); err != nil {
		t.Errorf("the replacement does not serve the cluster's data: %v", err)
	}

	// Two of three servers gone: the last has no quorum and says so at
	// once with a 503, which sends clients to another server.
	s2.Close()
	s4.Close()
	closed := time.Now()
	var last error
	waitFor(t, "server one answering 503 without quorum", 10*time.Second, func() bool {
		gctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		_, err := c1.Get(gctx, "default", "x")
		last = err
		var se *api.StatusError
		return asStatus(err, &se) && se.Status.Code == 503 && strings.Contains(se.Status.Message, "no quorum")
	}, &last)
	t.Logf("server one answered 503 %.1fs after losing its quorum", time.Since(closed).Seconds())
}

func asStatus(err error, se **api.StatusError) bool {
	s, ok := err.(*api.StatusError)
	*se = s
	return ok
}

// A server that loses the controller manager's Lease stops its
// controllers at once, stands again, and runs fresh ones when it wins.
func TestLosingTheLeaseStopsTheControllersUntilWonBack(t *testing.T) {
	if testing.Short() {
		t.Skip("starts etcd")
	}
	s := start(t, serverConfig(t, "solo", t.TempDir()))
	ctx := context.Background()
	c := client.New(s.AdminTransport())
	leads := func(lease string) bool { return slices.Contains(s.Leading(), lease) }
	waitFor(t, "leading the controller manager", 10*time.Second, func() bool { return leads("kube-controller-manager") })

	// Another replica takes the Lease (as after a partition).
	leases := client.For[*api.Lease](c)
	l, err := leases.Get(ctx, "kube-system", "kube-controller-manager")
	if err != nil {
		t.Fatal(err)
	}
	thief, secs := "thief", int32(3)
	l.Spec.HolderIdentity, l.Spec.LeaseDurationSeconds = &thief, &secs
	if _, err := leases.Update(ctx, l, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "stopping to lead", 3*time.Second, func() bool { return !leads("kube-controller-manager") })
	lost := time.Now()

	// No controller acts now: a ReplicaSet gets no pods.
	one := int32(1)
	rs := &api.ReplicaSet{ObjectMeta: api.ObjectMeta{Name: "rs", Namespace: "default"},
		Spec: api.ReplicaSetSpec{Replicas: &one, Selector: &api.LabelSelector{MatchLabels: map[string]string{"a": "b"}},
			Template: api.PodTemplateSpec{ObjectMeta: api.ObjectMeta{Labels: map[string]string{"a": "b"}},
				Spec: api.PodSpec{Containers: []api.Container{{Name: "c", Image: "busybox"}}}}}}
	if _, err := client.For[*api.ReplicaSet](c).Create(ctx, rs, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	pods := func() int {
		l, err := client.For[*api.Pod](c).List(ctx, "default", client.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return len(l.Items)
	}
	time.Sleep(time.Second)
	if n := pods(); n != 0 && !leads("kube-controller-manager") {
		t.Fatalf("%d pods created while this server did not hold the lease", n)
	}
	// The thief never renews: the server takes the Lease back after a
	// lease duration, and its new controllers do the work.
	waitFor(t, "leading again", 10*time.Second, func() bool { return leads("kube-controller-manager") })
	t.Logf("lease won back %.1fs after losing it", time.Since(lost).Seconds())
	waitFor(t, "the ReplicaSet's pod", 10*time.Second, func() bool { return pods() == 1 })
}

// waitFor polls cond until it holds or fails the test after d, with the
// last error seen when lastErr is given.
func waitFor(t *testing.T, what string, d time.Duration, cond func() bool, lastErr ...*error) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			if len(lastErr) > 0 {
				t.Fatalf("%s: not within %v; last error: %v", what, d, *lastErr[0])
			}
			t.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
