package controlplane

import (
	"crypto/ed25519"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/tinykube/tinykube/core/apiserver"
	"github.com/tinykube/tinykube/core/auth"
	"github.com/tinykube/tinykube/core/auth/serviceaccount"
	"github.com/tinykube/tinykube/realnode/etcdstore"
	"github.com/tinykube/tinykube/realnode/httpapi"
	"github.com/tinykube/tinykube/realnode/pki"
)

// A server's certificates. The cluster CA (DATA_DIR/pki/ca.crt, ca.key)
// signs all of them; every server of a cluster holds the same CA and the
// same token-signing key (sa.key), drawn by the first server and handed to
// each server that joins. Everything else each server issues itself, on
// every start, from the CA:
//
//	pki/apiserver.crt        the API's serving certificate, for every name
//	                         and address a client may use (kubernetes.default.svc…)
//	pki/admin.crt            kubernetes-admin (system:masters), in the kubeconfig
//	pki/etcd/server.crt      etcd's, shown to its clients
//	pki/etcd/peer.crt        etcd's, shown to and presented at the other members
//	pki/apiserver-etcd-client.crt   the API server's, at etcd
//
// etcd refuses clients and peers without a certificate from the CA, so
// etcd's ports are no way around the API's authentication.

// pkiDir is where a server keeps its CA and certificates (mode 0700).
func pkiDir(dataDir string) string { return filepath.Join(dataDir, "pki") }

// loadPKI loads the CA and the token-signing key, creating both when
// create is set and there are none (the first server of a cluster).
func (s *Server) loadPKI(create bool) error {
	dir := pkiDir(s.cfg.DataDir)
	var err error
	if create {
		s.ca, err = pki.LoadOrCreateCA(dir, "tinykube-ca")
	} else {
		s.ca, err = pki.LoadCA(dir)
	}
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%s holds no cluster CA (ca.crt, ca.key): a server that joined a cluster receives it at its join; move %s away and join again with --join URL --token TOKEN", dir, filepath.Join(s.cfg.DataDir, "etcd"))
	}
	if err != nil {
		return fmt.Errorf("the cluster CA in %s: %v", dir, err)
	}
	if _, err := os.Stat(filepath.Join(dir, pki.SigningKeyFile)); err != nil && !create {
		return fmt.Errorf("%s holds no token-signing key (%s): copy it from a server of the cluster", dir, pki.SigningKeyFile)
	}
	if s.saKey, err = pki.LoadOrCreateSigningKey(dir); err != nil {
		return err
	}
	return nil
}

// serviceAccountKeys are the keys the API signs and checks ServiceAccount
// tokens with.
func (s *Server) serviceAccountKeys() *serviceaccount.Keys {
	return &serviceaccount.Keys{
		Issuer:    serviceaccount.DefaultIssuer,
		Signing:   s.saKey,
		Verifying: []ed25519.PublicKey{s.saKey.Public().(ed25519.PublicKey)},
		Audiences: []string{serviceaccount.DefaultIssuer},
	}
}

// servingCertificate issues the API's serving certificate for every name
// a client may reach it by (see servingNames), and writes it to
// pki/apiserver.crt.
func (s *Server) servingCertificate(listenHost string) (tls.Certificate, error) {
	dns, ips := s.servingNames(listenHost)
	certPEM, keyPEM, err := s.ca.Issue(pki.Request{CommonName: "kube-apiserver", DNSNames: dns, IPs: ips, Server: true})
	if err != nil {
		return tls.Certificate{}, err
	}
	if err := pki.WriteKeyPair(pkiDir(s.cfg.DataDir), "apiserver", certPEM, keyPEM); err != nil {
		return tls.Certificate{}, err
	}
	return pki.TLSCertificate(certPEM, keyPEM)
}

// servingNames are the API's names: its listen host (every address of the
// machine for a wildcard), its advertise address, loopback and localhost, the machine's
// hostname, the `kubernetes` Service's DNS names and its cluster IP (the
// first of the service CIDR), so that clients on the machine, on the
// network and in pods all verify it.
func (s *Server) servingNames(listenHost string) (dns []string, ips []net.IP) {
	dns = []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"}
	if h, err := os.Hostname(); err == nil && h != "" {
		dns = append(dns, h)
	}
	ips = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	add := func(host string) {
		if ip := net.ParseIP(host); ip != nil {
			if !ip.IsUnspecified() && !slices.ContainsFunc(ips, ip.Equal) {
				ips = append(ips, ip)
			}
		} else if host != "" && !slices.Contains(dns, host) {
			dns = append(dns, host)
		}
	}
	host, _, _ := net.SplitHostPort(s.cfg.Listen)
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		if addrs, err := net.InterfaceAddrs(); err == nil {
			for _, a := range addrs {
				if n, ok := a.(*net.IPNet); ok {
					add(n.IP.String())
				}
			}
		}
	}
	add(listenHost)
	// Where pods reach it: the kubernetes Service's endpoint.
	add(s.advertiseAddress())
	if ip := kubernetesServiceIP(s.cfg.ServiceCIDR); ip != nil {
		add(ip.String())
	}
	return dns, ips
}

// kubernetesServiceIP is the cluster IP of the `kubernetes` Service: the
// first address of the service CIDR (10.96.0.1 by default).
func kubernetesServiceIP(cidr string) net.IP {
	if cidr == "" {
		cidr = apiserver.DefaultServiceCIDR
	}
	_, n, err := net.ParseCIDR(cidr)
	if err != nil {
		return nil
	}
	ip := slices.Clone(n.IP)
	ip[len(ip)-1]++
	return ip
}

// adminCredentials returns the admin's client certificate
// (CN=kubernetes-admin, O=system:masters) kept in pki/admin.crt, issued
// anew when there is none, another CA signed it, or it expires within 30
// days.
func (s *Server) adminCredentials() (certPEM, keyPEM []byte, err error) {
	dir := pkiDir(s.cfg.DataDir)
	certPEM, cerr := os.ReadFile(filepath.Join(dir, "admin.crt"))
	keyPEM, kerr := os.ReadFile(filepath.Join(dir, "admin.key"))
	if cerr == nil && kerr == nil && s.ca.Signed(certPEM, 30*24*time.Hour) {
		if _, err := tls.X509KeyPair(certPEM, keyPEM); err == nil {
			return certPEM, keyPEM, nil
		}
	}
	admin := auth.AdminUser()
	certPEM, keyPEM, err = s.ca.Issue(pki.Request{CommonName: admin.Name, Organization: []string{auth.Masters}, Client: true})
	if err != nil {
		return nil, nil, err
	}
	return certPEM, keyPEM, pki.WriteKeyPair(dir, "admin", certPEM, keyPEM)
}

// ClientConfig issues a client certificate for user name in groups and
// returns the credentials to reach this server with (the cluster CA and
// the certificate). `up` gives its node one (system:node:NAME in
// system:nodes); tests use it to act as any user.
func (s *Server) ClientConfig(name string, groups ...string) (httpapi.ClientConfig, error) {
	certPEM, keyPEM, err := s.ca.Issue(pki.Request{CommonName: name, Organization: groups, Client: true})
	if err != nil {
		return httpapi.ClientConfig{}, err
	}
	return httpapi.ClientConfig{CAData: s.ca.CertPEM, CertData: certPEM, KeyData: keyPEM}, nil
}

// etcdTLS issues the embedded member's certificates (for the hosts of its
// client and peer URLs) and the API server's etcd client certificate,
// writes them under pki/etcd, and returns them as the member wants them.
func (s *Server) etcdTLS(clientURL, peerURL string) (*etcdstore.EmbedTLS, error) {
	dir := filepath.Join(pkiDir(s.cfg.DataDir), "etcd")
	names := func(rawURL string) ([]string, []net.IP) {
		dns, ips := []string{"localhost"}, []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
		if u, err := url.Parse(rawURL); err == nil {
			if ip := net.ParseIP(u.Hostname()); ip != nil {
				ips = append(ips, ip)
			} else if u.Hostname() != "" {
				dns = append(dns, u.Hostname())
			}
		}
		return dns, ips
	}
	issue := func(file string, r pki.Request) error {
		certPEM, keyPEM, err := s.ca.Issue(r)
		if err != nil {
			return err
		}
		return pki.WriteKeyPair(dir, file, certPEM, keyPEM)
	}
	dns, ips := names(clientURL)
	if err := issue("server", pki.Request{CommonName: s.cfg.Name, DNSNames: dns, IPs: ips, Server: true}); err != nil {
		return nil, err
	}
	dns, ips = names(peerURL)
	if err := issue("peer", pki.Request{CommonName: EtcdPeerCN, DNSNames: dns, IPs: ips, Server: true, Client: true}); err != nil {
		return nil, err
	}
	client, err := s.etcdClientTLS()
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "ca.crt"), s.ca.CertPEM, 0o644); err != nil {
		return nil, err
	}
	return &etcdstore.EmbedTLS{
		TrustedCAFile:  filepath.Join(dir, "ca.crt"),
		ServerCertFile: filepath.Join(dir, "server.crt"), ServerKeyFile: filepath.Join(dir, "server.key"),
		PeerCertFile: filepath.Join(dir, "peer.crt"), PeerKeyFile: filepath.Join(dir, "peer.key"),
		Client: client, ClientCNs: []string{EtcdClientCN}, PeerCNs: []string{EtcdPeerCN},
	}, nil
}

// The common names etcd accepts: the API servers' client certificate and
// the members' peer certificate. No request to the CSR signer may ask for
// them (see reservedNames in csrsigner.go).
const (
	EtcdClientCN = "kube-apiserver-etcd-client"
	EtcdPeerCN   = "tinykube-etcd-peer"
)

// etcdClientTLS issues the API server's client certificate at etcd.
func (s *Server) etcdClientTLS() (*tls.Config, error) {
	cc, err := s.ClientConfig(EtcdClientCN)
	if err != nil {
		return nil, err
	}
	return cc.TLS()
}

// externalEtcdTLS is the TLS configuration for an external etcd from the
// --etcd-cafile, --etcd-certfile and --etcd-keyfile flags (nil without a
// CA file: a plain-HTTP etcd).
func externalEtcdTLS(cfg *Config) (*tls.Config, error) {
	if cfg.EtcdCAFile == "" {
		if cfg.EtcdCertFile != "" || cfg.EtcdKeyFile != "" {
			return nil, errors.New("--etcd-certfile and --etcd-keyfile need --etcd-cafile, the CA that signed the etcd servers' certificates")
		}
		return nil, nil
	}
	var cc httpapi.ClientConfig
	var err error
	if cc.CAData, err = os.ReadFile(cfg.EtcdCAFile); err != nil {
		return nil, fmt.Errorf("--etcd-cafile: %v", err)
	}
	if (cfg.EtcdCertFile == "") != (cfg.EtcdKeyFile == "") {
		return nil, errors.New("give both --etcd-certfile and --etcd-keyfile, or neither")
	}
	if cfg.EtcdCertFile != "" {
		if cc.CertData, err = os.ReadFile(cfg.EtcdCertFile); err != nil {
			return nil, fmt.Errorf("--etcd-certfile: %v", err)
		}
		if cc.KeyData, err = os.ReadFile(cfg.EtcdKeyFile); err != nil {
			return nil, fmt.Errorf("--etcd-keyfile: %v", err)
		}
	}
	tc, err := cc.TLS()
	if err != nil {
		return nil, fmt.Errorf("the external etcd's TLS files: %v", err)
	}
	return tc, nil
}
