package etcdstore

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"go.etcd.io/etcd/client/pkg/v3/transport"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/tinykube/tinykube/core/store"
)

// EmbedConfig describes an etcd member run inside this process.
type EmbedConfig struct {
	// DataDir holds etcd's write-ahead log and database; reopening the same
	// directory brings the data back. Required.
	DataDir string
	// ClientURL is where clients connect, e.g. "http://127.0.0.1:2379".
	// Required.
	ClientURL string
	// PeerURL is where other members would connect, e.g.
	// "http://127.0.0.1:2380". Required even for one member.
	PeerURL string
	// Name of the member; "tinykube" when empty.
	Name string
	// QuotaBackendBytes caps the database size; DefaultQuotaBackendBytes
	// when 0.
	QuotaBackendBytes int64
	// StartTimeout bounds how long StartEmbedded waits for etcd to serve;
	// one minute when 0.
	StartTimeout time.Duration
	// InitialCluster names every member of the cluster this member starts
	// in, as etcd's --initial-cluster ("a=http://10.0.0.1:2380,b=...");
	// empty means this member alone. It is read only on the first start:
	// a data directory that already holds a member reopens it.
	InitialCluster string
	// Join starts the member into an existing cluster that has already
	// added it (etcd's --initial-cluster-state=existing); false starts a
	// new cluster.
	Join bool
	// TLS, when set, has the member serve clients and peers over TLS only
	// and refuse any client or peer without a certificate from the CA;
	// the URLs are then https. nil serves plain HTTP (tests).
	TLS *EmbedTLS
}

// EmbedTLS are an embedded member's certificates (PEM files, as etcd
// reads them).
type EmbedTLS struct {
	// TrustedCAFile verifies clients and peers.
	TrustedCAFile string
	// ServerCertFile and ServerKeyFile are shown to clients.
	ServerCertFile, ServerKeyFile string
	// PeerCertFile and PeerKeyFile are shown to the other members, both
	// when they connect and when this one does (server and client usage).
	PeerCertFile, PeerKeyFile string
	// Client is what the member's own client (Embedded.Client) uses: the
	// CA and a client certificate.
	Client *tls.Config
	// ClientCNs and PeerCNs, when set, are the only common names a
	// client's or a peer's certificate may carry. The CA signs users' and
	// nodes' certificates too; without this, a node's certificate would
	// open the database under the API server.
	ClientCNs, PeerCNs []string
}

// DefaultQuotaBackendBytes is the database size cap of an embedded etcd:
// 3 GiB, a little above etcd's own 2 GiB default.
const DefaultQuotaBackendBytes = 3 << 30

// Embedded is a running etcd member inside this process and a client
// connected to it.
type Embedded struct {
	etcd   *embed.Etcd
	client *clientv3.Client
}

// StartEmbedded starts an etcd member in cfg.DataDir (alone, or into the
// cluster cfg.InitialCluster names) and waits until it serves clients, or
// fails after cfg.StartTimeout. A member joining a cluster is ready only
// once it has caught up with the leader. An existing data
// directory is reopened with its data. etcd's own log goes to etcd.log in
// the data directory at error level, so users do not see its chatter.
// Auto-compaction is off: the API server decides when to compact.
// The caller must Close the result.
func StartEmbedded(cfg EmbedConfig) (*Embedded, error) {
	if cfg.DataDir == "" || cfg.ClientURL == "" || cfg.PeerURL == "" {
		return nil, errors.New("etcdstore: EmbedConfig needs DataDir, ClientURL and PeerURL")
	}
	clientURL, err := url.Parse(cfg.ClientURL)
	if err != nil {
		return nil, fmt.Errorf("etcdstore: client URL %q: %w", cfg.ClientURL, err)
	}
	peerURL, err := url.Parse(cfg.PeerURL)
	if err != nil {
		return nil, fmt.Errorf("etcdstore: peer URL %q: %w", cfg.PeerURL, err)
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("etcdstore: data dir: %w", err)
	}
	name := cfg.Name
	if name == "" {
		name = "tinykube"
	}
	quota := cfg.QuotaBackendBytes
	if quota == 0 {
		quota = DefaultQuotaBackendBytes
	}
	timeout := cfg.StartTimeout
	if timeout == 0 {
		timeout = time.Minute
	}

	logger, err := fileLogger(filepath.Join(cfg.DataDir, "etcd.log"))
	if err != nil {
		return nil, err
	}

	ec := embed.NewConfig()
	ec.Name = name
	ec.Dir = cfg.DataDir
	ec.ListenClientUrls = []url.URL{*clientURL}
	ec.AdvertiseClientUrls = []url.URL{*clientURL}
	ec.ListenPeerUrls = []url.URL{*peerURL}
	ec.AdvertisePeerUrls = []url.URL{*peerURL}
	ec.InitialCluster = ec.InitialClusterFromName(name)
	if cfg.InitialCluster != "" {
		ec.InitialCluster = cfg.InitialCluster
	}
	if cfg.Join {
		ec.ClusterState = embed.ClusterStateFlagExisting
	}
	ec.QuotaBackendBytes = quota
	// Store checks every value against store.MaxValueBytes (the memory
	// store's limit too) before it sends it; etcd's own limit is on the
	// whole request, key and transaction included, so it is set a little
	// above, where it never decides first.
	ec.MaxRequestBytes = store.MaxValueBytes + 64<<10
	ec.AutoCompactionRetention = "0" // off: the API server compacts
	ec.EnableGRPCGateway = false
	ec.ZapLoggerBuilder = embed.NewZapLoggerBuilder(logger)
	var clientTLS *tls.Config
	if t := cfg.TLS; t != nil {
		ec.ClientTLSInfo = transport.TLSInfo{CertFile: t.ServerCertFile, KeyFile: t.ServerKeyFile, TrustedCAFile: t.TrustedCAFile, ClientCertAuth: true, AllowedCNs: t.ClientCNs}
		ec.PeerTLSInfo = transport.TLSInfo{CertFile: t.PeerCertFile, KeyFile: t.PeerKeyFile, TrustedCAFile: t.TrustedCAFile, ClientCertAuth: true, AllowedCNs: t.PeerCNs}
		clientTLS = t.Client
	}

	e, err := embed.StartEtcd(ec)
	if err != nil {
		logger.Sync()
		return nil, fmt.Errorf("etcdstore: start etcd in %s: %w (see %s)", cfg.DataDir, err, filepath.Join(cfg.DataDir, "etcd.log"))
	}
	select {
	case <-e.Server.ReadyNotify():
	case err := <-e.Err():
		e.Close()
		return nil, fmt.Errorf("etcdstore: etcd in %s failed while starting: %w", cfg.DataDir, err)
	case <-time.After(timeout):
		e.Close()
		return nil, fmt.Errorf("etcdstore: etcd in %s not ready after %v (see %s)", cfg.DataDir, timeout, filepath.Join(cfg.DataDir, "etcd.log"))
	}

	// The client follows membership changes: members added later become
	// endpoints, removed ones stop being tried.
	client, err := dial([]string{cfg.ClientURL}, 30*time.Second, clientTLS)
	if err != nil {
		e.Close()
		return nil, err
	}
	// Learn every member's client URL, so the client can go on through
	// another member should this one stop answering.
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	client.Sync(sctx)
	cancel()
	return &Embedded{etcd: e, client: client}, nil
}

// HasData reports whether dataDir already holds an etcd member (its
// write-ahead log), which StartEmbedded would reopen instead of starting
// or joining a cluster.
func HasData(dataDir string) bool {
	entries, err := os.ReadDir(filepath.Join(dataDir, "member", "wal"))
	return err == nil && len(entries) > 0
}

// ClusterID is the etcd cluster's ID, the same on every member, in hex.
func (e *Embedded) ClusterID() string { return e.etcd.Server.Cluster().ID().String() }

// MemberID is this member's ID in hex.
func (e *Embedded) MemberID() string { return e.etcd.Server.MemberID().String() }

// HasLeader reports whether this member knows a leader. A leader cut off
// from the majority steps down within an election timeout; a follower
// cut off may go on naming its old leader (with pre-vote, a candidate
// keeps it), so true does not prove the cluster has quorum.
func (e *Embedded) HasLeader() bool { return e.etcd.Server.Leader() != 0 }

// IsLearner reports whether this member is a learner: it receives the
// log but does not vote, and serves clients nothing but status.
func (e *Embedded) IsLearner() bool { return e.etcd.Server.IsLearner() }

// Stopped is closed when the member stops on its own: etcd failed, or
// this member was removed from its cluster.
func (e *Embedded) Stopped() <-chan struct{} { return e.etcd.Server.StopNotify() }

// Client returns the client connected to the embedded member. It stays
// valid until Close.
func (e *Embedded) Client() *clientv3.Client { return e.client }

// Close closes the client and stops the member; its data stays in the data
// directory. It returns the client's close error, if any.
func (e *Embedded) Close() error {
	err := e.client.Close()
	e.etcd.Close()
	return err
}

// Dial connects to the etcd cluster at endpoints (URLs such as
// "https://127.0.0.1:2379") with a quiet client logger, over TLS with tc
// when it is not nil (the CA to verify etcd with, and a client
// certificate). The caller must Close the client.
func Dial(endpoints []string, tc *tls.Config) (*clientv3.Client, error) {
	// No auto-sync: an external cluster's members may advertise client
	// URLs this machine cannot reach; the endpoints given are the ones
	// that work.
	return dial(endpoints, 0, tc)
}

func dial(endpoints []string, autoSync time.Duration, tc *tls.Config) (*clientv3.Client, error) {
	if len(endpoints) == 0 {
		return nil, errors.New("etcdstore: Dial needs at least one endpoint")
	}
	c, err := clientv3.New(clientv3.Config{
		Endpoints:        endpoints,
		DialTimeout:      10 * time.Second,
		Logger:           zap.NewNop(),
		AutoSyncInterval: autoSync,
		TLS:              tc,
	})
	if err != nil {
		return nil, fmt.Errorf("etcdstore: connect to etcd at %v: %w", endpoints, err)
	}
	return c, nil
}

// fileLogger returns a zap logger that appends error-level JSON lines to
// path.
func fileLogger(path string) (*zap.Logger, error) {
	zc := zap.NewProductionConfig()
	zc.Level = zap.NewAtomicLevelAt(zapcore.ErrorLevel)
	zc.OutputPaths = []string{path}
	zc.ErrorOutputPaths = []string{path}
	zc.Sampling = nil
	lg, err := zc.Build()
	if err != nil {
		return nil, fmt.Errorf("etcdstore: etcd log file %s: %w", path, err)
	}
	return lg, nil
}
