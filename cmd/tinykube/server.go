package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/tinykube/tinykube/core/apiserver"
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

The server writes a kubeconfig to DATA_DIR/kubeconfig and ~/.tinykube/kubeconfig,
which the CLI (and kubectl) use to find it.`,
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
			s, err := controlplane.Start(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			defer s.Close()
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
			<-cmd.Context().Done()
			fmt.Fprintln(c.stdout, "shutting down")
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&cfg.DataDir, "data-dir", defaultDataDir(), "where etcd keeps its data and the kubeconfig is written")
	fl.StringVar(&cfg.Listen, "listen", "127.0.0.1:6443", "the API's address (plain HTTP: keep it on loopback)")
	fl.StringSliceVar(&cfg.EtcdEndpoints, "etcd-endpoints", nil, "use this external etcd (comma-separated URLs) instead of the embedded one")
	fl.StringVar(&cfg.EtcdPrefix, "etcd-prefix", "", "a key prefix inside an external etcd shared with others")
	fl.StringVar(&cfg.EtcdClientURL, "etcd-client-url", "http://127.0.0.1:2379", "where the embedded etcd serves clients")
	fl.StringVar(&cfg.EtcdPeerURL, "etcd-peer-url", "http://127.0.0.1:2380", "where the embedded etcd serves peers")
	fl.DurationVar(&cfg.CompactionInterval, "compaction-interval", 5*time.Minute, "how often history older than one interval is compacted (0 never); with an external etcd this compacts all of it, other users' keys included")
	fl.StringVar(&cfg.Controllers.LoadBalancerPool, "lb-pool", controlplane.DefaultLoadBalancerPool, "addresses for Services of type LoadBalancer: CIDR prefixes and addresses, comma-separated (the default is on loopback, reachable on this machine only)")
	fl.BoolVar(&noKubeconfig, "no-user-kubeconfig", false, "do not write ~/.tinykube/kubeconfig (only DATA_DIR/kubeconfig)")
	serviceRangeFlags(fl, &cfg)
	return cmd
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
