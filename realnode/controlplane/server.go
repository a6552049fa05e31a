package controlplane

import (
	"context"
	"crypto/ed25519"
	crand "crypto/rand"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/tinykube/tinykube/core/apiserver"
	"github.com/tinykube/tinykube/core/store"
	"github.com/tinykube/tinykube/realnode/etcdstore"
	"github.com/tinykube/tinykube/realnode/httpapi"
	"github.com/tinykube/tinykube/realnode/kubeconfig"
	promreg "github.com/tinykube/tinykube/realnode/metrics"
	"github.com/tinykube/tinykube/realnode/pki"
	"github.com/tinykube/tinykube/realnode/wallclock"
)

// Config is how to run a server.
type Config struct {
	// DataDir holds the embedded etcd's data (DataDir/etcd), the cluster
	// CA and certificates (DataDir/pki), the join token (DataDir/token)
	// and the admin kubeconfig (DataDir/kubeconfig).
	DataDir string
	// Listen is the API's host:port, e.g. "127.0.0.1:6443" (":0" picks a
	// free port).
	Listen string
	// AdvertiseAddress is the IP pods reach this server at: the kubernetes
	// Service's Endpoints list it. Empty: the host of Listen (see
	// DefaultAdvertiseAddress for what the CLI picks). When Listen is on
	// loopback and this address is not, the API is served here too.
	AdvertiseAddress string
	// EtcdEndpoints, when set, uses that external etcd instead of the
	// embedded one; EtcdPrefix then keeps tinykube's keys apart.
	EtcdEndpoints []string
	EtcdPrefix    string
	// EtcdCAFile, EtcdCertFile and EtcdKeyFile are the TLS files for an
	// external etcd: the CA of its servers' certificates, and this
	// server's client certificate and key (empty: plain HTTP).
	EtcdCAFile, EtcdCertFile, EtcdKeyFile string
	// EtcdClientURL and EtcdPeerURL are where the embedded etcd listens;
	// empty means port 2379 and 2380 of the host of Listen (127.0.0.1
	// when Listen names no host), so servers on 127.0.0.11, .12 and .13
	// of one machine do not collide.
	EtcdClientURL string
	EtcdPeerURL   string
	// Name is this server's etcd member name, unique in its cluster;
	// "tinykube" when empty.
	Name string
	// ClusterInit makes this the first server of a cluster others can
	// join. Every server keeps the cluster CA in DATA_DIR/pki and a join
	// token in DATA_DIR/token (drawn on the first start); ClusterInit
	// only says no --join is meant.
	ClusterInit bool
	// JoinURL, with Token (K10<CA hash>::server:<hex>, the contents of
	// DATA_DIR/token on a server of the cluster), adds this server's etcd
	// member to the cluster of the server whose API is at JoinURL
	// (https://). A data directory that already holds a member restarts
	// it instead (no second join).
	JoinURL, Token string
	// LeaderElection tunes the elections the scheduler and the controller
	// manager run under.
	LeaderElection LeaderElectionConfig
	// KubeconfigPath is an extra place to write the kubeconfig (the CLI
	// looks in ~/.tinykube/kubeconfig); "" writes only DataDir/kubeconfig.
	KubeconfigPath string
	// CompactionInterval is how often history older than one interval is
	// compacted away (Kubernetes: 5 minutes). 0 disables compaction.
	CompactionInterval time.Duration
	// Version is reported by /version.
	Version string
	// ServiceCIDR and NodePortRange are the ranges Services get cluster
	// IPs and node ports from ("" is Kubernetes' default: 10.96.0.0/12,
	// 30000-32767).
	ServiceCIDR   string
	NodePortRange string
	// RepairInterval is how often leaked Service allocations are freed
	// (default 3 minutes).
	RepairInterval time.Duration
	// EncryptionProviderConfig is the path of an EncryptionConfiguration
	// (apiserver.config.k8s.io/v1, kube-apiserver's
	// --encryption-provider-config): how Secrets are encrypted in etcd.
	// Every server of a cluster must be given the same file. "" stores
	// them as they are.
	EncryptionProviderConfig string
	// Audit is where and what the audit log records ("" path: no log).
	Audit AuditConfig
	// Limits bound the requests served at once and how long a body may
	// take to arrive (limits.go).
	Limits Limits
	// Log receives one line per notable event; nil discards them.
	Log io.Writer
	// MetricResolution is how often the metrics pipeline scrapes every
	// kubelet (metrics-server's --metric-resolution; 15s when 0).
	MetricResolution time.Duration
	// Controllers, unless NoControllers, are run in the server process.
	Controllers   ControllerConfig
	NoControllers bool
}

// AuditConfig is the audit log's settings, named after kube-apiserver's
// --audit-* flags.
type AuditConfig struct {
	// LogPath is the file events are appended to as JSON lines ("-" is
	// standard output); "" records nothing.
	LogPath string
	// PolicyFile is an audit.k8s.io/v1 Policy; "" logs every request
	// except reads at the Metadata level.
	PolicyFile string
	// MaxSizeMB rotates the log once it grows past this many megabytes
	// (0: never); MaxBackups and MaxAgeDays bound the rotated files kept
	// (0: no bound).
	MaxSizeMB, MaxBackups, MaxAgeDays int
}

// Server is a running API server process.
type Server struct {
	cfg      Config
	embedded *etcdstore.Embedded
	etcd     *clientv3.Client
	Store    store.Store
	API      *apiserver.Server
	http     *http.Server
	extra    []*http.Server // the listener for pods (listenForPods), if any
	// URL is where the API answers, e.g. "https://127.0.0.1:6443".
	URL string
	// Kubeconfig is the path of the admin kubeconfig written in the data
	// dir.
	Kubeconfig string
	stop       context.CancelFunc
	bg         sync.WaitGroup // compact, repair, followServers, probeQuorum, followKubernetesService
	// ca is the cluster CA, saKey the ServiceAccount token-signing key;
	// both are the same on every server of the cluster.
	ca    *pki.CA
	saKey ed25519.PrivateKey
	// admin is the admin's credentials (the kubeconfig's).
	admin httpapi.ClientConfig
	// token is the join token (DATA_DIR/token).
	token pki.JoinToken
	// done is closed, with err set, when etcd stops under the server.
	done      chan struct{}
	once      sync.Once
	err       error
	noQuorum  atomic.Bool // set by probeQuorum
	closeOnce sync.Once   // makes Close idempotent
	closeErr  error
	// groups are the elected components (scheduler, controller manager).
	groups []*electedGroup
	// audit is the audit log (audit.go); nil without one.
	audit *serverAudit
	// metrics is the metrics pipeline (metrics.go).
	metrics *metricsPipeline
	// prom is the process' Prometheus metrics (prommetrics.go).
	prom *promreg.Registry
}

// Start brings up etcd, the API and its listener, and returns once the API
// answers. Close stops everything.
func Start(ctx context.Context, cfg Config) (_ *Server, err error) {
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	if cfg.DataDir == "" {
		return nil, errors.New("a data directory is required (--data-dir)")
	}
	apiCfg := apiserver.Config{Clock: wallclock.Clock{}, Version: cfg.Version, ServiceCIDR: cfg.ServiceCIDR, NodePortRange: cfg.NodePortRange}
	if err := apiCfg.Check(); err != nil {
		return nil, fmt.Errorf("%v (--service-cidr, --service-node-port-range)", err)
	}
	if a := cfg.AdvertiseAddress; a != "" && (net.ParseIP(a) == nil || net.ParseIP(a).IsUnspecified()) {
		return nil, fmt.Errorf("--advertise-address %q is not an IP address pods can reach: give this machine's address on the nodes' network", a)
	}
	if cfg.RepairInterval <= 0 {
		cfg.RepairInterval = 3 * time.Minute
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("cannot create the data directory: %v", err)
	}
	s := &Server{cfg: cfg, done: make(chan struct{}), prom: promreg.NewRegistry()}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	if err := s.openAudit(); err != nil {
		return nil, err
	}
	if err := s.startEtcd(ctx); err != nil {
		return nil, err
	}
	s.Store = s.measuredStore(etcdstore.New(s.etcd, cfg.EtcdPrefix))
	if err := s.encryptStore(ctx); err != nil {
		return nil, err
	}
	apiCfg.Store, apiCfg.Rand = s.Store, rand.New(rand.NewPCG(seed(), seed()))
	apiCfg.ServiceAccountKeys = s.serviceAccountKeys()
	apiCfg.Authorization = &apiserver.Authorization{}
	if err := s.prepareMetrics(&apiCfg); err != nil {
		return nil, err
	}
	apiCfg.Recorder = s.recorder()
	s.API = apiserver.New(apiCfg)
	bctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := s.API.Bootstrap(bctx); err != nil {
		return nil, fmt.Errorf("bootstrapping the API (system namespaces, service allocations): %v", err)
	}
	cert, err := s.servingCertificate(listenHost(cfg.Listen))
	if err != nil {
		return nil, fmt.Errorf("issuing the API's serving certificate: %v", err)
	}
	if s.admin, err = s.adminClientConfig(); err != nil {
		return nil, fmt.Errorf("issuing the admin's client certificate: %v", err)
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %s: %v (is another server running? choose another address with --listen)", cfg.Listen, err)
	}
	s.URL = "https://" + clientAddr(ln.Addr().(*net.TCPAddr))
	opts, err := s.handlerOptions()
	if err != nil {
		ln.Close()
		return nil, err
	}
	opts.BodyTimeout = cfg.Limits.BodyTimeout
	opts.Metrics = s.prom.Handler()
	s.http = &http.Server{
		Handler:           s.handler(httpapi.LimitInflight(httpapi.Handler(s.API.Handle, opts), cfg.Limits.inflightLimits())),
		ReadHeaderTimeout: headerTimeout,
		IdleTimeout:       idleTimeout,
		// HTTPS only: a client certificate is checked against the CA when
		// one is shown; a client without one may still prove who it is
		// with a bearer token.
		TLSConfig: &tls.Config{
			Certificates: []tls.Certificate{cert},
			ClientAuth:   tls.VerifyClientCertIfGiven,
			ClientCAs:    s.ca.Pool(),
			MinVersion:   tls.VersionTLS12,
		},
		ErrorLog: log.New(io.Discard, "", 0), // TLS handshake noise from scanners and curl -k
	}
	go s.http.ServeTLS(ln, "", "")
	s.listenForPods(ln.Addr().(*net.TCPAddr), s.http.Handler)
	servers, err := s.register(ctx)
	if err != nil {
		return nil, err
	}
	s.Kubeconfig = filepath.Join(s.cfg.DataDir, "kubeconfig")
	if err := s.writeKubeconfig(servers); err != nil {
		return nil, err
	}
	rctx, stop := context.WithCancel(context.Background())
	s.stop = stop
	s.bg.Add(5)
	go s.compact(rctx)
	go s.repair(rctx)
	go s.followServers(rctx)
	go s.probeQuorum(rctx)
	go s.followKubernetesService(rctx, int32(ln.Addr().(*net.TCPAddr).Port))
	s.startMetrics(rctx)
	if !cfg.NoControllers {
		if err := s.startControllers(rctx, cfg.Controllers); err != nil {
			return nil, fmt.Errorf("starting the controllers: %v", err)
		}
	}
	return s, nil
}

// clientAddr is the address clients should use for a listener: a wildcard
// listen address is reached through loopback.
func clientAddr(a *net.TCPAddr) string {
	host := a.IP.String()
	if a.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, fmt.Sprint(a.Port))
}

// handlerOptions are the API's edge: who a request comes from (client
// certificates, the server secret, the API's own tokens: ServiceAccount
// and bootstrap tokens), the relayed pod subresources authorized by the
// API server and carried to kubelets over TLS with the API server's
// kubelet-client certificate, and the CA for joins.
func (s *Server) handlerOptions() (httpapi.Options, error) {
	kc, err := LoadOrIssueKubeletClient(filepath.Join(s.cfg.DataDir, "pki"), s.ca)
	if err != nil {
		return httpapi.Options{}, fmt.Errorf("issuing the API server's kubelet-client certificate: %v", err)
	}
	return httpapi.Options{
		Authenticator: &httpapi.Authenticator{ServerSecret: s.token.Secret, Token: s.API.AuthenticateToken},
		Authorize:     s.API.Authorize,
		// Impersonation (kubectl --as) is authorized part by part.
		AuthorizeAttributes: s.API.AuthorizeAttributes,
		CACert:              s.ca.CertPEM,
		KubeletTLS:          &httpapi.KubeletTLS{CA: s.ca.Pool(), Client: kc},
		// Custom resources: JSON-only at the edge, and in OpenAPI.
		Resources: s.API.Resources,
		Audit:     s.auditOptions(),
	}, nil
}

// adminClientConfig is the admin's credentials: the CA and the
// kubernetes-admin client certificate.
func (s *Server) adminClientConfig() (httpapi.ClientConfig, error) {
	certPEM, keyPEM, err := s.adminCredentials()
	if err != nil {
		return httpapi.ClientConfig{}, err
	}
	return httpapi.ClientConfig{CAData: s.ca.CertPEM, CertData: certPEM, KeyData: keyPEM}, nil
}

// CA is the cluster's certificate authority (the agent of `up`, the
// kubelet's client certificate and the CSR signer issue from it).
func (s *Server) CA() *pki.CA { return s.ca }

// Admin returns the admin's credentials (kubernetes-admin, in
// system:masters), as the kubeconfig holds them.
func (s *Server) Admin() httpapi.ClientConfig { return s.admin }

// AdminTransport returns a transport to this server as the admin.
func (s *Server) AdminTransport() *httpapi.Transport {
	t, err := httpapi.NewTransportConfig(s.URL, s.admin)
	if err != nil {
		panic(err) // the server's own CA and URL: cannot fail
	}
	return t
}

// JoinToken is the cluster's join token (the contents of DATA_DIR/token).
func (s *Server) JoinToken() string { return s.token.String() }

// writeKubeconfig writes the admin kubeconfig naming this server first,
// then the other servers of the cluster (servers).
func (s *Server) writeKubeconfig(servers []string) error {
	kc := kubeconfig.New(s.URL)
	kc.SetServers(servers)
	kc.SetCredentials(s.admin.CAData, kubeconfig.User{ClientCertificateData: s.admin.CertData, ClientKeyData: s.admin.KeyData})
	if err := kubeconfig.Write(s.Kubeconfig, kc); err != nil {
		return fmt.Errorf("writing %s: %v", s.Kubeconfig, err)
	}
	if p := s.cfg.KubeconfigPath; p != "" {
		if err := kubeconfig.Write(p, kc); err != nil {
			return fmt.Errorf("writing %s: %v", p, err)
		}
	}
	return nil
}

// compact discards history older than one interval, every interval, as
// Kubernetes' API server does: a watcher that falls further behind than
// that gets 410 Gone and relists.
func (s *Server) compact(ctx context.Context) {
	defer s.bg.Done()
	if s.cfg.CompactionInterval <= 0 {
		<-ctx.Done()
		return
	}
	t := time.NewTicker(s.cfg.CompactionInterval)
	defer t.Stop()
	var last int64
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		rev, err := s.Store.Revision(ctx)
		if err != nil {
			continue
		}
		if last > 0 {
			if err := s.Store.Compact(ctx, last); err != nil && ctx.Err() == nil {
				fmt.Fprintf(s.cfg.Log, "compaction to revision %d failed: %v\n", last, err)
			}
		}
		last = rev
	}
}

// repair frees leaked Service allocations every RepairInterval (see
// apiserver.RepairServiceAllocations), and logs what it cannot fix.
func (s *Server) repair(ctx context.Context) {
	defer s.bg.Done()
	t := time.NewTicker(s.cfg.RepairInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := s.API.RepairServiceAllocations(ctx); err != nil && ctx.Err() == nil {
			fmt.Fprintf(s.cfg.Log, "repairing service allocations: %v\n", err)
		}
	}
}

// Close gives up the Leases this server holds (so another server takes
// over at once), then stops the controllers, the listener, the background
// loops and etcd.
// It may be called more than once; later calls do nothing.
func (s *Server) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.close() })
	return s.closeErr
}

func (s *Server) close() error {
	s.once.Do(func() { close(s.done) })
	for _, g := range s.groups {
		g.loop.Do(g.release)
	}
	if s.stop != nil {
		s.stop()
		s.bg.Wait()
	}
	for _, h := range append([]*http.Server{s.http}, s.extra...) {
		if h == nil {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		h.Shutdown(ctx)
		cancel()
		h.Close()
	}
	if err := s.closeAudit(); err != nil {
		fmt.Fprintf(s.cfg.Log, "closing the audit log: %v\n", err)
	}
	if s.Store != nil {
		s.Store.Close()
	}
	if s.embedded != nil {
		return s.embedded.Close()
	} else if s.etcd != nil {
		return s.etcd.Close()
	}
	return nil
}

func seed() uint64 {
	var b [8]byte
	if _, err := crand.Read(b[:]); err != nil {
		return uint64(time.Now().UnixNano())
	}
	return binary.LittleEndian.Uint64(b[:])
}
