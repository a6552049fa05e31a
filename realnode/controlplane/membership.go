package controlplane

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"go.etcd.io/etcd/api/v3/etcdserverpb"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/realnode/pki"
)

// Membership: the servers of a highly available control plane each run
// one member of one etcd cluster. A new server asks a running one to add
// its member (POST /tinykube/v1/join, with the join token); the running
// one adds it to etcd as a learner — a member that receives the log but
// does not vote, so the cluster keeps its quorum however long the new one
// takes to start — and answers with the list of members the new one starts
// its etcd with. Once its member has caught up, the new server asks for
// it to be promoted to a voting member (POST /tinykube/v1/promote).
// GET /tinykube/v1/members lists the members with their health, DELETE
// /tinykube/v1/members/NAME removes one (a dead server, before it is
// replaced). These paths are outside the Kubernetes API and need the
// secret of the join token. The joining server checks the CA first (its
// token carries the CA's hash) and sends the secret only over TLS
// verified with that CA; the answer carries the cluster's CA and
// token-signing key, which every server holds.
//
//	new server                       running server              etcd
//	    |-- POST /join {name, peer} -->|                            |
//	    |                              |-- MemberAddAsLearner ----->|
//	    |<-- {initialCluster, ...} ----|                            |
//	    |-- start member (state=existing), catch up --------------->|
//	    |-- POST /promote {name} ----->|-- MemberPromote ---------->|

const membershipPrefix = "/tinykube/v1/"

// JoinRequest is what a joining server sends.
type JoinRequest struct {
	// Name is the new etcd member's name, unique in the cluster.
	Name string `json:"name"`
	// PeerURL is where the other members reach the new one.
	PeerURL string `json:"peerURL"`
}

// JoinAnswer is what the running server answers.
type JoinAnswer struct {
	ClusterID string `json:"clusterID"`
	// InitialCluster is every member, the new one included, as etcd's
	// --initial-cluster wants it.
	InitialCluster string `json:"initialCluster"`
	// ClientURLs are the running members' client URLs.
	ClientURLs []string `json:"clientURLs"`
	// The cluster's secrets, which every server holds: the CA (PEM
	// certificate and key), the ServiceAccount token-signing key, and the
	// join token. They travel only over TLS that the joining server
	// verified with the CA its token pins, to a caller that proved it
	// holds the server secret.
	CACert            []byte `json:"caCert,omitempty"`
	CAKey             []byte `json:"caKey,omitempty"`
	ServiceAccountKey []byte `json:"serviceAccountKey,omitempty"`
}

// MemberList is the answer of GET /tinykube/v1/members.
type MemberList struct {
	ClusterID string   `json:"clusterID"`
	Members   []Member `json:"members"`
}

// Member is one etcd member and the tinykube server running it.
type Member struct {
	Name       string   `json:"name"`
	ID         string   `json:"id"`
	PeerURLs   []string `json:"peerURLs"`
	ClientURLs []string `json:"clientURLs"`
	// APIURL is where the member's server serves the API, as it recorded
	// when it last started ("" if it never did).
	APIURL string `json:"apiURL,omitempty"`
	// Started is false for a member added but never started (its server
	// failed between the join and its first start).
	Started bool `json:"started"`
	// Healthy: the member answered a status request within two seconds.
	Healthy bool `json:"healthy"`
	// Leader: the member is the etcd (raft) leader.
	Leader bool `json:"leader"`
	// Learner: the member receives the log but does not vote yet (its
	// server has joined and not yet been promoted).
	Learner bool `json:"learner,omitempty"`
	// Self: the member runs in the server that answered.
	Self  bool   `json:"self"`
	Error string `json:"error,omitempty"`
}

// serverKey is where a server records its API URL, so members and
// kubeconfigs can name every server.
func (s *Server) serverKey(name string) string {
	return s.cfg.EtcdPrefix + "/tinykube/servers/" + name
}

// serveMembership answers the /tinykube/v1/ paths.
func (s *Server) serveMembership(w http.ResponseWriter, r *http.Request) {
	if err := s.authorize(r); err != nil {
		writeStatus(w, err)
		return
	}
	if s.embedded == nil {
		writeStatus(w, api.NewStatusError(http.StatusBadRequest, api.ReasonBadRequest, nil,
			"this server uses an external etcd (--etcd-endpoints), whose membership tinykube does not manage: start more servers with the same --etcd-endpoints instead of --join, and manage members with etcdctl"))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 15*time.Second)
	defer cancel()
	path := strings.TrimPrefix(r.URL.Path, membershipPrefix)
	var (
		out any
		err error
	)
	switch {
	case path == "join" && r.Method == http.MethodPost:
		var req JoinRequest
		if err = json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&req); err != nil {
			err = api.NewStatusError(http.StatusBadRequest, api.ReasonBadRequest, nil, "decoding the join request: %v", err)
			break
		}
		var ans *JoinAnswer
		if ans, err = s.join(ctx, req); err == nil {
			err = s.addClusterSecrets(ans)
		}
		out = ans
	case path == "promote" && r.Method == http.MethodPost:
		var req JoinRequest
		if err = json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&req); err != nil {
			err = api.NewStatusError(http.StatusBadRequest, api.ReasonBadRequest, nil, "decoding the promote request: %v", err)
			break
		}
		err = s.promote(ctx, req.Name)
		out = map[string]string{"promoted": req.Name}
	case path == "members" && r.Method == http.MethodGet:
		out, err = s.members(ctx)
	case strings.HasPrefix(path, "members/") && r.Method == http.MethodDelete:
		err = s.removeMember(ctx, strings.TrimPrefix(path, "members/"))
		out = map[string]string{"removed": strings.TrimPrefix(path, "members/")}
	default:
		err = api.NewStatusError(http.StatusNotFound, api.ReasonNotFound, nil, "%s %s: no such membership operation (POST join, GET members, DELETE members/NAME)", r.Method, r.URL.Path)
	}
	if err != nil {
		writeStatus(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}

// addClusterSecrets puts the CA, its key and the token-signing key in a
// join answer.
func (s *Server) addClusterSecrets(ans *JoinAnswer) error {
	key, err := s.ca.KeyPEM()
	if err != nil {
		return err
	}
	sa, err := pki.SigningKeyPEM(s.saKey)
	if err != nil {
		return err
	}
	ans.CACert, ans.CAKey, ans.ServiceAccountKey = s.ca.CertPEM, key, sa
	return nil
}

// authorize checks the bearer token, the server secret of the join token:
// 401 when there is none, 403 when it is wrong or this server keeps no
// token.
func (s *Server) authorize(r *http.Request) error {
	h := r.Header.Get("Authorization")
	got, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || got == "" {
		return api.NewStatusError(http.StatusUnauthorized, api.ReasonUnauthorized, nil,
			"membership operations need the join token's secret (Authorization: Bearer SECRET): pass --token, the contents of DATA_DIR/token on a server of the cluster")
	}
	if s.token.Secret == "" {
		return api.NewStatusError(http.StatusForbidden, api.ReasonForbidden, nil,
			"this server has no join token: it was started without --cluster-init or --join; restart it with --cluster-init (its data is kept) to let others join")
	}
	if !tokenMatches(got, s.token.Secret) {
		return api.NewStatusError(http.StatusForbidden, api.ReasonForbidden, nil,
			"the join token is wrong: use the contents of DATA_DIR/token of a server of this cluster")
	}
	return nil
}

// join adds req's member to the etcd cluster and answers with the
// cluster the new member starts in. A member with the same peer URL that
// was added but never started (its server died before starting etcd) is
// reused, so a failed join can simply be retried.
func (s *Server) join(ctx context.Context, req JoinRequest) (*JoinAnswer, error) {
	if req.Name == "" || strings.ContainsAny(req.Name, "=,/ ") {
		return nil, api.NewStatusError(http.StatusBadRequest, api.ReasonBadRequest, nil, "join: name %q: want a non-empty name without '=', ',', '/' or spaces (--name)", req.Name)
	}
	if u, err := url.Parse(req.PeerURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, api.NewStatusError(http.StatusBadRequest, api.ReasonBadRequest, nil, "join: peerURL %q is not an http URL (--etcd-peer-url)", req.PeerURL)
	}
	list, err := s.etcd.MemberList(ctx)
	if err != nil {
		return nil, etcdUnavailable("listing etcd members", err)
	}
	var added *etcdserverpb.Member
	for _, m := range list.Members {
		samePeer := slices.Contains(m.PeerURLs, req.PeerURL)
		switch {
		case samePeer && m.Name == "":
			added = m // a join that never finished: reuse it
		case samePeer:
			return nil, api.NewStatusError(http.StatusConflict, api.ReasonAlreadyExists, nil,
				"member %q already has peer URL %s: if it is the dead server this one replaces, remove it first (tinykube server remove-member %s); otherwise choose another --etcd-peer-url", m.Name, req.PeerURL, m.Name)
		case m.Name == req.Name:
			return nil, api.NewStatusError(http.StatusConflict, api.ReasonAlreadyExists, nil,
				"a member named %q already exists (peer %s): choose another --name, or if it is the dead server this one replaces, remove it first (tinykube server remove-member %s)", req.Name, strings.Join(m.PeerURLs, ","), req.Name)
		case m.Name == "":
			return nil, api.NewStatusError(http.StatusConflict, api.ReasonConflict, nil,
				"member %x (peer %s) was added but never started: start its server, or remove it (tinykube server remove-member %x) before adding another", m.ID, strings.Join(m.PeerURLs, ","), m.ID)
		}
	}
	if added == nil {
		resp, err := s.etcd.MemberAddAsLearner(ctx, []string{req.PeerURL})
		if err != nil {
			if strings.Contains(err.Error(), "unhealthy cluster") {
				return nil, api.NewStatusError(http.StatusServiceUnavailable, api.ReasonServiceUnavailable, nil,
					"etcd adds a member only when every member has been connected for five seconds: one joined just now (the joining server retries), or one is down — then remove it first (tinykube server members; tinykube server remove-member NAME)")
			}
			return nil, etcdUnavailable("adding the etcd member", err)
		}
		added, list.Members = resp.Member, resp.Members
	}
	ans := &JoinAnswer{ClusterID: s.embedded.ClusterID()}
	var parts []string
	for _, m := range list.Members {
		name := m.Name
		if m.ID == added.ID {
			name = req.Name
		} else {
			ans.ClientURLs = append(ans.ClientURLs, m.ClientURLs...)
		}
		for _, p := range m.PeerURLs {
			parts = append(parts, name+"="+p)
		}
	}
	ans.InitialCluster = strings.Join(parts, ",")
	fmt.Fprintf(s.cfg.Log, "added etcd member %s (%s, id %x); it starts now\n", req.Name, req.PeerURL, added.ID)
	return ans, nil
}

// promote makes the learner named name a voting member, once it has
// caught up with the leader (etcd refuses before; this retries for up to
// the request's time). A member that votes already is left alone.
func (s *Server) promote(ctx context.Context, name string) error {
	for {
		list, err := s.etcd.MemberList(ctx)
		if err != nil {
			return etcdUnavailable("listing etcd members", err)
		}
		var found *etcdserverpb.Member
		for _, m := range list.Members {
			if m.Name == name {
				found = m
			}
		}
		if found == nil {
			return api.NewStatusError(http.StatusNotFound, api.ReasonNotFound, nil, "no started etcd member named %q to promote", name)
		}
		if !found.IsLearner {
			return nil
		}
		_, err = s.etcd.MemberPromote(ctx, found.ID)
		if err == nil {
			fmt.Fprintf(s.cfg.Log, "etcd member %s (id %x) votes now\n", name, found.ID)
			return nil
		}
		if strings.Contains(err.Error(), "too few") || strings.Contains(err.Error(), "not enough started") {
			return api.NewStatusError(http.StatusServiceUnavailable, api.ReasonServiceUnavailable, nil,
				"etcd refuses to promote member %s while too few voting members run: remove the dead members first (tinykube server members; tinykube server remove-member NAME)", name)
		}
		select {
		case <-ctx.Done():
			return etcdUnavailable("promoting member "+name+" (it has not caught up with the leader)", err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// members lists the etcd members with their health and API URLs.
func (s *Server) members(ctx context.Context) (*MemberList, error) {
	list, err := s.etcd.MemberList(ctx)
	if err != nil {
		return nil, etcdUnavailable("listing etcd members", err)
	}
	apis := map[string]string{}
	if resp, err := s.etcd.Get(ctx, s.serverKey(""), clientv3.WithPrefix()); err == nil {
		for _, kv := range resp.Kvs {
			apis[strings.TrimPrefix(string(kv.Key), s.serverKey(""))] = string(kv.Value)
		}
	}
	out := &MemberList{ClusterID: s.embedded.ClusterID()}
	self := s.embedded.MemberID()
	for _, m := range list.Members {
		mem := Member{Name: m.Name, ID: fmt.Sprintf("%x", m.ID), PeerURLs: m.PeerURLs, ClientURLs: m.ClientURLs,
			APIURL: apis[m.Name], Started: m.Name != "", Learner: m.IsLearner, Self: fmt.Sprintf("%x", m.ID) == self}
		if len(m.ClientURLs) > 0 {
			sctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			st, err := s.etcd.Status(sctx, m.ClientURLs[0])
			cancel()
			if err != nil {
				mem.Error = err.Error()
			} else {
				mem.Healthy, mem.Leader = true, st.Leader == m.ID
			}
		} else {
			mem.Error = "not started"
		}
		out.Members = append(out.Members, mem)
	}
	slices.SortFunc(out.Members, func(a, b Member) int { return strings.Compare(a.Name+a.ID, b.Name+b.ID) })
	return out, nil
}

// removeMember removes the member named name (or with that hex ID) from
// etcd and forgets its server's API URL. A server cannot remove its own
// member: its etcd would stop under the request.
func (s *Server) removeMember(ctx context.Context, name string) error {
	list, err := s.etcd.MemberList(ctx)
	if err != nil {
		return etcdUnavailable("listing etcd members", err)
	}
	var found *etcdserverpb.Member
	for _, m := range list.Members {
		if (m.Name != "" && m.Name == name) || fmt.Sprintf("%x", m.ID) == name {
			found = m
		}
	}
	if found == nil {
		var names []string
		for _, m := range list.Members {
			names = append(names, cmp(m.Name, fmt.Sprintf("%x", m.ID)))
		}
		return api.NewStatusError(http.StatusNotFound, api.ReasonNotFound, nil, "no etcd member named %q (members: %s)", name, strings.Join(names, ", "))
	}
	if fmt.Sprintf("%x", found.ID) == s.embedded.MemberID() {
		return api.NewStatusError(http.StatusConflict, api.ReasonConflict, nil,
			"%q is this server's own member: ask another server to remove it (--server URL of another server)", name)
	}
	if _, err := s.etcd.MemberRemove(ctx, found.ID); err != nil {
		return etcdUnavailable("removing the etcd member", err)
	}
	if found.Name != "" {
		s.etcd.Delete(ctx, s.serverKey(found.Name))
	}
	fmt.Fprintf(s.cfg.Log, "removed etcd member %s (id %x)\n", cmp(found.Name, "(never started)"), found.ID)
	return nil
}

func cmp(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func etcdUnavailable(what string, err error) error {
	return api.NewStatusError(http.StatusServiceUnavailable, api.ReasonServiceUnavailable, nil,
		"%s: %v (has the etcd cluster lost its quorum? see tinykube server members on another server)", what, err)
}

func writeStatus(w http.ResponseWriter, err error) {
	var se *api.StatusError
	if !errors.As(err, &se) {
		se = api.NewStatusError(http.StatusInternalServerError, api.ReasonInternalError, nil, "%v", err)
	}
	se.Status.Code = int32(statusCode(se))
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(statusCode(se))
	json.NewEncoder(w).Encode(se.Status)
}

func statusCode(se *api.StatusError) int {
	if se.Status.Code != 0 {
		return int(se.Status.Code)
	}
	return http.StatusInternalServerError
}

// MembershipClient calls a server's membership paths with the join
// token.
type MembershipClient struct {
	// Server is the API URL of a running server, e.g.
	// https://10.0.0.1:6443.
	Server string
	// Token is the join token (K10<CA hash>::<secret>, the contents of
	// DATA_DIR/token) or its bare secret; only the secret is sent.
	Token string
	// TLS verifies the server. nil pins the CA by the token's hash: the
	// client first fetches the server's CA (sending nothing), refuses one
	// with another hash, and verifies the server with it.
	TLS *tls.Config
}

// Join asks the server to add a member.
func (c MembershipClient) Join(ctx context.Context, req JoinRequest) (*JoinAnswer, error) {
	var ans JoinAnswer
	return &ans, c.call(ctx, http.MethodPost, "join", req, &ans)
}

// Promote asks the server to make the learner named name a voting member.
func (c MembershipClient) Promote(ctx context.Context, name string) error {
	return c.call(ctx, http.MethodPost, "promote", JoinRequest{Name: name}, nil)
}

// Members lists the cluster's members with their health.
func (c MembershipClient) Members(ctx context.Context) (*MemberList, error) {
	var l MemberList
	return &l, c.call(ctx, http.MethodGet, "members", nil, &l)
}

// RemoveMember removes the member named name (or with that hex ID).
func (c MembershipClient) RemoveMember(ctx context.Context, name string) error {
	return c.call(ctx, http.MethodDelete, "members/"+url.PathEscape(name), nil, nil)
}

// client returns the HTTP client to reach c.Server with and the bearer
// secret to send, pinning the CA by the token's hash when c has no TLS
// configuration.
func (c MembershipClient) client(ctx context.Context) (*http.Client, string, error) {
	secret := c.Token
	jt, err := pki.ParseJoinToken(c.Token)
	if err == nil {
		secret = jt.Secret
	}
	if !strings.HasPrefix(c.Server, "https://") {
		return nil, "", fmt.Errorf("the server URL %q is not https://: tinykube servers serve only HTTPS", c.Server)
	}
	tc := c.TLS
	if tc == nil {
		if err != nil {
			return nil, "", fmt.Errorf("no CA to verify %s with: give the whole join token (K10<CA hash>::<secret>, the contents of DATA_DIR/token), whose hash pins the CA", c.Server)
		}
		caPEM, err := pki.FetchCA(ctx, c.Server, jt.CAHash)
		if err != nil {
			return nil, "", err
		}
		tc = &tls.Config{RootCAs: x509.NewCertPool(), MinVersion: tls.VersionTLS12}
		tc.RootCAs.AppendCertsFromPEM(caPEM)
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: tc}}, secret, nil
}

func (c MembershipClient) call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	hc, secret, err := c.client(ctx)
	if err != nil {
		return err
	}
	defer hc.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(c.Server, "/")+membershipPrefix+path, body)
	if err != nil {
		return fmt.Errorf("server URL %q: %v", c.Server, err)
	}
	req.Header.Set("Authorization", "Bearer "+secret)
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("cannot reach the server at %s: %v\n(is it running, and is this its API address, its --listen? try another server of the cluster)", c.Server, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("reading the answer of %s: %v", c.Server, err)
	}
	if resp.StatusCode/100 != 2 {
		var st api.Status
		if json.Unmarshal(b, &st) == nil && st.Message != "" {
			st.Code = int32(resp.StatusCode)
			return &api.StatusError{Status: st}
		}
		return fmt.Errorf("%s %s: %s: %s (is %s a tinykube server of this version?)", method, req.URL, resp.Status, bytes.TrimSpace(b), c.Server)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("decoding the answer of %s: %v", c.Server, err)
		}
	}
	return nil
}
