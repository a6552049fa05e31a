package controlplane

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/realnode/etcdstore"
	"github.com/tinykube/tinykube/realnode/httpapi"
	"github.com/tinykube/tinykube/realnode/pki"
)

// startEtcd connects to the external etcd, or starts the embedded member:
// alone or restarted from the data directory, or joined to the cluster of
// cfg.JoinURL.
func (s *Server) startEtcd(ctx context.Context) error {
	cfg := &s.cfg
	if len(cfg.EtcdEndpoints) > 0 {
		if cfg.ClusterInit || cfg.JoinURL != "" {
			return errors.New("--cluster-init and --join make servers of an embedded etcd cluster; with an external etcd (--etcd-endpoints) just start every server with the same --etcd-endpoints (and a copy of the first server's DATA_DIR/pki and DATA_DIR/token)")
		}
		if err := s.loadPKI(true); err != nil {
			return err
		}
		if err := s.keepToken(); err != nil {
			return err
		}
		tc, err := externalEtcdTLS(cfg)
		if err != nil {
			return err
		}
		if s.etcd, err = etcdstore.Dial(cfg.EtcdEndpoints, tc); err != nil {
			return fmt.Errorf("connecting to etcd at %s: %v", strings.Join(cfg.EtcdEndpoints, ","), err)
		}
		return nil
	}
	if cfg.ClusterInit && cfg.JoinURL != "" {
		return errors.New("--cluster-init starts a new cluster and --join joins an existing one: give one of them")
	}
	if cfg.JoinURL != "" {
		if cfg.Token == "" {
			return errors.New("--join needs --token: the contents of DATA_DIR/token on a server of the cluster")
		}
		jt, err := pki.ParseJoinToken(cfg.Token)
		if err != nil {
			return fmt.Errorf("--token: %v", err)
		}
		if !jt.IsServerSecret() {
			return errors.New("--token: a server joins with the cluster's server token (the contents of DATA_DIR/token on a server); a bootstrap token from 'tinykube token create' admits agents only")
		}
		if !strings.HasPrefix(cfg.JoinURL, "https://") {
			return fmt.Errorf("--join %s: servers serve their API over HTTPS only: use https://", cfg.JoinURL)
		}
	}
	if cfg.Name == "" {
		cfg.Name = "tinykube"
	}
	host := listenHost(cfg.Listen)
	if cfg.EtcdClientURL == "" {
		cfg.EtcdClientURL = "https://" + net.JoinHostPort(host, "2379")
	}
	if cfg.EtcdPeerURL == "" {
		cfg.EtcdPeerURL = "https://" + net.JoinHostPort(host, "2380")
	}
	for flag, u := range map[string]string{"--etcd-client-url": cfg.EtcdClientURL, "--etcd-peer-url": cfg.EtcdPeerURL} {
		if !strings.HasPrefix(u, "https://") {
			return fmt.Errorf("%s %s: the embedded etcd serves TLS only (certificates from the cluster CA): use https://", flag, u)
		}
	}
	dir := filepath.Join(cfg.DataDir, "etcd")
	ec := etcdstore.EmbedConfig{DataDir: dir, ClientURL: cfg.EtcdClientURL, PeerURL: cfg.EtcdPeerURL, Name: cfg.Name}
	switch {
	case cfg.JoinURL != "" && etcdstore.HasData(dir):
		// A restart: the member is in the cluster already, and the CA
		// came with its join. Refuse a data directory of another
		// cluster, when the join URL can tell.
		if err := s.loadPKI(false); err != nil {
			return err
		}
		if err := s.keepToken(); err != nil {
			return err
		}
		if err := s.sameCluster(ctx); err != nil {
			return err
		}
	case cfg.JoinURL != "":
		ans, err := s.joinRetrying(ctx)
		if err != nil {
			return fmt.Errorf("joining the cluster of %s: %w", cfg.JoinURL, err)
		}
		if err := s.keepClusterSecrets(ans); err != nil {
			return err
		}
		ec.InitialCluster, ec.Join = ans.InitialCluster, true
		fmt.Fprintf(cfg.Log, "joining etcd cluster %s: %s\n", ans.ClusterID, ans.InitialCluster)
	default:
		// The first server of a cluster, a lone server, or a restarted
		// member: the CA and the join token are made on the first start
		// and kept.
		if err := s.loadPKI(true); err != nil {
			return err
		}
		if err := s.keepToken(); err != nil {
			return err
		}
	}
	var err error
	if ec.TLS, err = s.etcdTLS(cfg.EtcdClientURL, cfg.EtcdPeerURL); err != nil {
		return fmt.Errorf("issuing etcd's certificates: %v", err)
	}
	s.embedded, err = etcdstore.StartEmbedded(ec)
	if err != nil {
		hint := "if the ports are taken, choose others with --etcd-client-url and --etcd-peer-url"
		if etcdstore.HasData(dir) && !ec.Join {
			hint = fmt.Sprintf("if this server's member was removed from the cluster (tinykube server members on another server no longer lists it), move %s away and start with --join URL --token TOKEN to join as a fresh member; otherwise see %s", dir, filepath.Join(dir, "etcd.log"))
		}
		if ec.Join {
			hint = "the member was added to the cluster but could not start; fix the cause and start again with the same flags (the join is retried with the same member), or remove it: tinykube server remove-member " + cfg.Name
		}
		return fmt.Errorf("starting the embedded etcd in %s: %v\n(%s)", dir, err, hint)
	}
	if cfg.JoinURL != "" {
		if err := s.promoteSelf(ctx, ec.Join); err != nil {
			return err
		}
	}
	s.etcd = s.embedded.Client()
	if err := os.WriteFile(clusterIDFile(cfg.DataDir), []byte(s.embedded.ClusterID()+" "+s.embedded.MemberID()+"\n"), 0o600); err != nil {
		return fmt.Errorf("recording the cluster ID: %v", err)
	}
	go s.watchEtcd()
	return nil
}

// keepToken reads (or draws) the join token for this server's CA.
func (s *Server) keepToken() error {
	t, err := ensureToken(s.cfg.DataDir, pki.Hash(s.ca.CertPEM))
	if err != nil {
		return err
	}
	s.token = t
	return nil
}

// keepClusterSecrets writes what a join brought — the cluster CA, the
// token-signing key and the join token — into this server's data
// directory, and loads them.
func (s *Server) keepClusterSecrets(ans *JoinAnswer) error {
	jt, _ := pki.ParseJoinToken(s.cfg.Token)
	if got := pki.Hash(ans.CACert); got != jt.CAHash {
		return fmt.Errorf("the join answer of %s carries a CA with hash %s, not the token's %s", s.cfg.JoinURL, got, jt.CAHash)
	}
	dir := pkiDir(s.cfg.DataDir)
	if err := pki.WriteKeyPair(dir, "ca", ans.CACert, ans.CAKey); err != nil {
		return fmt.Errorf("keeping the cluster CA: %v", err)
	}
	if err := pki.WriteSigningKey(dir, ans.ServiceAccountKey); err != nil {
		return fmt.Errorf("keeping the token-signing key: %v", err)
	}
	if err := writeToken(s.cfg.DataDir, s.cfg.Token); err != nil {
		return err
	}
	if err := s.loadPKI(false); err != nil {
		return err
	}
	return s.keepToken()
}

// promoteSelf asks the join server to make this server's member vote,
// after a join (required) or a restart (in case the server stopped between
// its join and its promotion; an unreachable join server is then no error,
// as the member most likely votes already).
func (s *Server) promoteSelf(ctx context.Context, required bool) error {
	err := MembershipClient{Server: s.cfg.JoinURL, Token: s.cfg.Token}.Promote(ctx, s.cfg.Name)
	if err == nil {
		// The promotion is committed; wait until this member has applied
		// it too, as until then it refuses clients.
		deadline := time.Now().Add(30 * time.Second)
		for s.embedded.IsLearner() {
			if time.Now().After(deadline) {
				return fmt.Errorf("this server's etcd member %s was promoted but still acts as a learner after 30s (see %s)", s.cfg.Name, filepath.Join(s.cfg.DataDir, "etcd", "etcd.log"))
			}
			time.Sleep(50 * time.Millisecond)
		}
		s.embedded.Client().Sync(ctx)
		return nil
	}
	var se *api.StatusError
	if !required && !errors.As(err, &se) {
		fmt.Fprintf(s.cfg.Log, "note: %s did not answer to confirm that this member votes: %v\n", s.cfg.JoinURL, err)
		return nil
	}
	return fmt.Errorf("promoting this server's etcd member %s to a voting member through %s: %w\n(start this server again with the same flags to retry)", s.cfg.Name, s.cfg.JoinURL, err)
}

// joinRetrying asks cfg.JoinURL to add this member. etcd refuses to add a
// member until every existing one has been connected for a few seconds
// (so a server joined just before cannot count yet): such refusals, 503s,
// are retried for up to a minute.
func (s *Server) joinRetrying(ctx context.Context) (*JoinAnswer, error) {
	mc := MembershipClient{Server: s.cfg.JoinURL, Token: s.cfg.Token}
	req := JoinRequest{Name: s.cfg.Name, PeerURL: s.cfg.EtcdPeerURL}
	deadline := time.Now().Add(time.Minute)
	for {
		ans, err := mc.Join(ctx, req)
		var se *api.StatusError
		if err == nil || !errors.As(err, &se) || se.Status.Code != http.StatusServiceUnavailable || time.Now().After(deadline) {
			return ans, err
		}
		fmt.Fprintf(s.cfg.Log, "join refused for now, retrying: %v\n", err)
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(time.Second):
		}
	}
}

func clusterIDFile(dataDir string) string { return filepath.Join(dataDir, "cluster-id") }

// sameCluster checks, for a server restarted with --join, that its data
// directory holds a member of the cluster it is told to join. When the
// join URL does not answer, the member restarts from its data: its peers
// are what matters, not that one server.
func (s *Server) sameCluster(ctx context.Context) error {
	b, err := os.ReadFile(clusterIDFile(s.cfg.DataDir))
	if err != nil {
		return nil // written by an older tinykube, or never started: nothing to compare
	}
	mine, member, _ := strings.Cut(strings.TrimSpace(string(b)), " ")
	l, err := MembershipClient{Server: s.cfg.JoinURL, Token: s.cfg.Token}.Members(ctx)
	if err != nil {
		fmt.Fprintf(s.cfg.Log, "note: restarting the etcd member in %s from its data; %s did not answer (%v)\n", s.cfg.DataDir, s.cfg.JoinURL, err)
		return nil
	}
	if l.ClusterID != mine {
		return fmt.Errorf("the data directory %s holds etcd data of cluster %s, but %s serves cluster %s.\nTo join that cluster, start with an empty --data-dir (or move %s away); to run the old cluster, start without --join",
			s.cfg.DataDir, mine, s.cfg.JoinURL, l.ClusterID, filepath.Join(s.cfg.DataDir, "etcd"))
	}
	if member != "" && !slices.ContainsFunc(l.Members, func(m Member) bool { return m.ID == member }) {
		return fmt.Errorf("this server's etcd member %s was removed from the cluster of %s.\nTo join again as a fresh member, move %s away (or use an empty --data-dir) and start with the same --join and --token",
			member, s.cfg.JoinURL, filepath.Join(s.cfg.DataDir, "etcd"))
	}
	return nil
}

// watchEtcd ends the server when its etcd member stops on its own: it was
// removed from the cluster, or failed.
func (s *Server) watchEtcd() {
	<-s.embedded.Stopped()
	s.once.Do(func() {
		s.err = s.etcdStopped()
		close(s.done)
	})
}

func (s *Server) etcdStopped() error {
	return fmt.Errorf("the embedded etcd member %s stopped: it was removed from the cluster (tinykube server remove-member), or failed (see %s).\nTo rejoin as a fresh member: move %s away and start with --join URL --token TOKEN",
		s.cfg.Name, filepath.Join(s.cfg.DataDir, "etcd", "etcd.log"), filepath.Join(s.cfg.DataDir, "etcd"))
}

// Done is closed when the server cannot go on (Err says why); a server
// command exits then.
func (s *Server) Done() <-chan struct{} { return s.done }

// Err is why Done was closed.
func (s *Server) Err() error { return s.err }

// listenHost is the host of a listen address, 127.0.0.1 for a wildcard.
func listenHost(listen string) string {
	host, _, err := net.SplitHostPort(listen)
	if err != nil || host == "" {
		return "127.0.0.1"
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		return "127.0.0.1"
	}
	return host
}

// register records this server's API URL in etcd and returns every
// server's, this one first.
func (s *Server) register(ctx context.Context) ([]string, error) {
	if s.embedded == nil {
		return []string{s.URL}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := s.etcd.Put(ctx, s.serverKey(s.cfg.Name), s.URL); err != nil {
		return nil, fmt.Errorf("recording this server's address in etcd: %v", err)
	}
	return s.servers(ctx)
}

// hasQuorum reports whether this server's etcd can serve consistent
// requests, as far as recent probes tell (always true on an external
// etcd, whose health is its own business).
func (s *Server) hasQuorum() bool {
	return s.embedded == nil || (s.embedded.HasLeader() && !s.noQuorum.Load())
}

// probeQuorum reads a key with a quorum (linearizable) read every half
// second, and records whether the last two failed. A member that knows
// its cluster has no leader fails the check at once (HasLeader); one that
// still believes in a lost leader is caught here, within about two
// seconds.
func (s *Server) probeQuorum(ctx context.Context) {
	defer s.bg.Done()
	if s.embedded == nil {
		return
	}
	failures := 0
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		pctx, cancel := context.WithTimeout(ctx, time.Second)
		_, err := s.etcd.Get(pctx, s.serverKey(s.cfg.Name))
		cancel()
		if err == nil {
			failures = 0
		} else if ctx.Err() == nil {
			failures++
		}
		bad := failures >= 2
		if s.noQuorum.Swap(bad) != bad {
			if bad {
				fmt.Fprintf(s.cfg.Log, "etcd has no quorum (%v): answering 503 until it is back\n", err)
			} else {
				fmt.Fprintln(s.cfg.Log, "etcd has a quorum again")
			}
		}
	}
}

// followServers rewrites the kubeconfig whenever a server of the cluster
// is added or removed, so that it always names every server.
func (s *Server) followServers(ctx context.Context) {
	defer s.bg.Done()
	if s.embedded == nil {
		return
	}
	for ctx.Err() == nil {
		for range s.etcd.Watch(clientv3.WithRequireLeader(ctx), s.serverKey(""), clientv3.WithPrefix()) {
			servers, err := s.servers(ctx)
			if err == nil {
				err = s.writeKubeconfig(servers)
			}
			if err != nil && ctx.Err() == nil {
				fmt.Fprintf(s.cfg.Log, "updating the kubeconfig with the cluster's servers: %v\n", err)
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

// servers lists every server's API URL, this one first.
func (s *Server) servers(ctx context.Context) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	resp, err := s.etcd.Get(ctx, s.serverKey(""), clientv3.WithPrefix())
	if err != nil {
		return nil, fmt.Errorf("reading the servers' addresses from etcd: %v", err)
	}
	out := []string{s.URL}
	for _, kv := range resp.Kvs {
		if u := string(kv.Value); !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	return out, nil
}

// handler serves the membership paths, and the API unless this server's
// etcd member has lost its quorum: then it answers 503 at once, so that
// clients try another server instead of waiting on a store that cannot
// answer.
func (s *Server) handler(apiHandler http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, membershipPrefix) {
			s.serveMembership(w, r)
			return
		}
		if !s.hasQuorum() {
			w.Header().Set(httpapi.UnprocessedHeader, "no-quorum")
			writeStatus(w, api.NewStatusError(http.StatusServiceUnavailable, api.ReasonServiceUnavailable, nil,
				"the etcd member of server %s has no quorum: its cluster has lost a majority of its members, or this server is cut off from them; try another server", s.cfg.Name))
			return
		}
		apiHandler.ServeHTTP(w, r)
	})
}
