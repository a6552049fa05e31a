package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/tinykube/tinykube/core/apiserver"
	"github.com/tinykube/tinykube/core/metricsserver"
	"github.com/tinykube/tinykube/realnode/agent"
	"github.com/tinykube/tinykube/realnode/controlplane"
	"github.com/tinykube/tinykube/realnode/kubeconfig"
)

func (c *cli) serverCommand() *cobra.Command {
	cfg := controlplane.Config{Version: version}
	var noKubeconfig bool
	cmd := &cobra.Command{
		Use:   "server",
		Short: "Run the control plane: the API server over etcd (embedded by default)",
		Long: `Run the API server, with etcd embedded in --data-dir unless --etcd-endpoints
names an external etcd. Everything is kept in the data directory: stop the server
and start it again on the same directory, and every object is still there.

The server serves the API over HTTPS only. On its first start it creates the
cluster CA (DATA_DIR/pki, readable by its owner only) and a join token
(DATA_DIR/token, K10<CA hash>::server:<secret>), and it writes an admin
kubeconfig — the CA and a client certificate for kubernetes-admin — to
DATA_DIR/kubeconfig and ~/.tinykube/kubeconfig, which the CLI (and kubectl) use
to find and verify it. Without credentials only /healthz, /livez, /readyz,
/version and /cacerts answer; everything else is 401.

A highly available control plane is three (or five) servers, each running one
member of one etcd cluster and its own scheduler and controller manager, of
which one at a time acts (leader election on Leases in kube-system):

  first:   tinykube server --cluster-init --listen 10.0.0.1:6443
           (writes the join token to DATA_DIR/token)
  others:  tinykube server --join https://10.0.0.1:6443 --token TOKEN --listen 10.0.0.2:6443

A joining server first fetches the CA (sending nothing), checks it against the
hash in its token, and only then sends the token's secret, over TLS verified
with that CA; it receives the CA and the token-signing key and issues its own
certificates.

etcd listens on ports 2379 (clients) and 2380 (peers) of the --listen host, so
three servers fit on one machine as 127.0.0.11, .12 and .13. A restarted server
reuses its data directory (no second join). Agents and the CLI take every server:
--server URL1,URL2,URL3.

  tinykube server members                list the etcd members and their health
  tinykube server remove-member NAME     remove a dead server's member

To replace a dead server: remove its member, then join a fresh server (empty
--data-dir). etcd refuses to add a member while a dead one still counts
towards the quorum.

etcd's client and peer ports speak TLS only and refuse anyone without a
certificate from the cluster CA.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			start := time.Now()
			if !noKubeconfig {
				p, err := kubeconfig.DefaultPath()
				if err == nil {
					cfg.KubeconfigPath = p
				}
			}
			cfg.Log = c.stderr
			if cfg.AdvertiseAddress == "" {
				cfg.AdvertiseAddress = controlplane.DefaultAdvertiseAddress(cfg.Listen, agent.HostAddress)
			}
			if cfg.Name == "" {
				cfg.Name = defaultServerName(cfg.Listen)
			}
			s, err := controlplane.Start(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			defer s.Close()
			if cfg.ClusterInit {
				fmt.Fprintf(c.stdout, "join token in %s: start more servers with --join %s --token $(cat %s)\n", filepath.Join(cfg.DataDir, "token"), s.URL, filepath.Join(cfg.DataDir, "token"))
			}
			etcd := "embedded in " + filepath.Join(cfg.DataDir, "etcd")
			if len(cfg.EtcdEndpoints) > 0 {
				etcd = fmt.Sprint(cfg.EtcdEndpoints)
			}
			fmt.Fprintf(c.stdout, "tinykube server %s ready in %.1fs\n", version, time.Since(start).Seconds())
			fmt.Fprintf(c.stdout, "  API:        %s\n  etcd:       %s\n  kubeconfig: %s", s.URL, etcd, s.Kubeconfig)
			if cfg.KubeconfigPath != "" {
				fmt.Fprintf(c.stdout, " and %s", cfg.KubeconfigPath)
			}
			fmt.Fprintf(c.stdout, "\nTry: tinykube get namespaces\n")
			select {
			case <-cmd.Context().Done():
			case <-s.Done():
				return s.Err()
			}
			fmt.Fprintln(c.stdout, "shutting down")
			return nil
		},
	}
	cmd.AddCommand(c.membersCommand(), c.removeMemberCommand())
	fl := cmd.Flags()
	fl.StringVar(&cfg.DataDir, "data-dir", defaultDataDir(), "where etcd keeps its data and the kubeconfig is written")
	fl.StringVar(&cfg.Listen, "listen", "127.0.0.1:6443", "the API's address (HTTPS; its certificate names this address, or every address of the machine for 0.0.0.0)")
	fl.StringVar(&cfg.AdvertiseAddress, "advertise-address", "", "the IP pods reach this server at, listed by the kubernetes Service's Endpoints (default: the --listen host unless it is loopback, else this machine's first non-loopback IPv4); with --listen on loopback the API is served there too")
	fl.StringSliceVar(&cfg.EtcdEndpoints, "etcd-endpoints", nil, "use this external etcd (comma-separated URLs) instead of the embedded one")
	fl.StringVar(&cfg.EtcdPrefix, "etcd-prefix", "", "a key prefix inside an external etcd shared with others")
	fl.StringVar(&cfg.EtcdCAFile, "etcd-cafile", "", "for an external etcd over TLS: the CA of its servers' certificates")
	fl.StringVar(&cfg.EtcdCertFile, "etcd-certfile", "", "for an external etcd over TLS: this server's client certificate")
	fl.StringVar(&cfg.EtcdKeyFile, "etcd-keyfile", "", "for an external etcd over TLS: the key of --etcd-certfile")
	fl.StringVar(&cfg.EtcdClientURL, "etcd-client-url", "", "where the embedded etcd serves clients, over TLS (default: https://LISTEN-HOST:2379)")
	fl.StringVar(&cfg.EtcdPeerURL, "etcd-peer-url", "", "where the embedded etcd serves its peers, the other servers' members, over TLS (default: https://LISTEN-HOST:2380)")
	fl.StringVar(&cfg.Name, "name", "", "this server's etcd member name, unique in the cluster (default: the hostname, plus the --listen host unless it is 127.0.0.1)")
	fl.BoolVar(&cfg.ClusterInit, "cluster-init", false, "start a cluster other servers can join (every server keeps its join token in DATA_DIR/token)")
	fl.StringVar(&cfg.JoinURL, "join", "", "join the cluster of the server whose API is at this https URL (needs --token)")
	fl.StringVar(&cfg.Token, "token", "", "the join token for --join: the contents of DATA_DIR/token on a server of the cluster (K10<CA hash>::server:<secret>)")
	fl.DurationVar(&cfg.LeaderElection.LeaseDuration, "leader-elect-lease-duration", 15*time.Second, "how long a scheduler or controller manager lease lasts unrenewed before another server may take it")
	fl.DurationVar(&cfg.LeaderElection.RenewDeadline, "leader-elect-renew-deadline", 10*time.Second, "how long the leader keeps trying to renew before it stops acting")
	fl.DurationVar(&cfg.LeaderElection.RetryPeriod, "leader-elect-retry-period", 2*time.Second, "how often candidates try to take the lease and the leader renews it")
	fl.DurationVar(&cfg.CompactionInterval, "compaction-interval", 5*time.Minute, "how often history older than one interval is compacted (0 never); with an external etcd this compacts all of it, other users' keys included")
	fl.StringVar(&cfg.Controllers.LoadBalancerPool, "lb-pool", controlplane.DefaultLoadBalancerPool, "addresses for Services of type LoadBalancer: CIDR prefixes and addresses, comma-separated (the default is on loopback, reachable on this machine only)")
	fl.BoolVar(&noKubeconfig, "no-user-kubeconfig", false, "do not write ~/.tinykube/kubeconfig (only DATA_DIR/kubeconfig)")
	serviceRangeFlags(fl, &cfg)
	hardeningFlags(fl, &cfg)
	limitFlags(fl, &cfg)
	fl.DurationVar(&cfg.MetricResolution, "metric-resolution", metricsserver.DefaultResolution, "how often the metrics pipeline asks every kubelet for its stats summary (kubectl top, autoscalers); metrics-server's flag")
	return cmd
}

// hardeningFlags adds the flags for Secrets at rest and the audit log,
// named as kube-apiserver names them.
func hardeningFlags(fl *pflag.FlagSet, cfg *controlplane.Config) {
	fl.StringVar(&cfg.EncryptionProviderConfig, "encryption-provider-config", "", "an EncryptionConfiguration file (apiserver.config.k8s.io/v1): how Secrets are encrypted in etcd; give every server of a cluster the same file")
	fl.StringVar(&cfg.Audit.LogPath, "audit-log-path", "", "append an audit event for every request to this file as JSON lines (- for standard output)")
	fl.StringVar(&cfg.Audit.PolicyFile, "audit-policy-file", "", "an audit.k8s.io/v1 Policy saying what is recorded and at which level (default: every change at Metadata; reads, events, leases and node status heartbeats are left out)")
	fl.IntVar(&cfg.Audit.MaxSizeMB, "audit-log-maxsize", 100, "rotate the audit log once it reaches this many megabytes (0: never)")
	fl.IntVar(&cfg.Audit.MaxBackups, "audit-log-maxbackup", 10, "how many rotated audit logs to keep (0: all)")
	fl.IntVar(&cfg.Audit.MaxAgeDays, "audit-log-maxage", 0, "delete rotated audit logs older than this many days (0: never)")
}

// serviceRangeFlags adds the flags of the ranges Services draw cluster IPs
// and node ports from, named as kube-apiserver names them.
func serviceRangeFlags(fl *pflag.FlagSet, cfg *controlplane.Config) {
	fl.StringVar(&cfg.ServiceCIDR, "service-cidr", apiserver.DefaultServiceCIDR, "the range Services get cluster IPs from")
	fl.StringVar(&cfg.NodePortRange, "service-node-port-range", apiserver.DefaultNodePortRange, "the range NodePort and LoadBalancer Services get node ports from (FIRST-LAST)")
}

// defaultDataDir is ~/.tinykube/server, or /var/lib/tinykube for root.
func defaultDataDir() string {
	if os.Geteuid() == 0 {
		return "/var/lib/tinykube"
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".tinykube", "server")
	}
	return ".tinykube-server"
}

// defaultServerName is the hostname, with the --listen host appended when
// it is a specific address other than 127.0.0.1 (several servers on one
// machine, on 127.0.0.11, .12, .13, get distinct names).
func defaultServerName(listen string) string {
	name, err := os.Hostname()
	if err != nil || name == "" {
		name = "tinykube"
	}
	host, _, err := net.SplitHostPort(listen)
	if err != nil || host == "" || host == "127.0.0.1" || host == "localhost" {
		return name
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		return name
	}
	return name + "-" + host
}
