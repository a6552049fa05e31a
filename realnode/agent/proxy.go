package agent

import (
	"context"
	"fmt"
	"os/exec"
	"time"

	"github.com/tinykube/tinykube/core/proxy"
	nftproxy "github.com/tinykube/tinykube/realnode/proxy"
	"github.com/tinykube/tinykube/realnode/runloop"
)

// ProxyConfig configures the node's service proxy.
type ProxyConfig struct {
	// Disable leaves service routing to someone else (or to nobody).
	Disable bool
	// CleanupOnStop deletes the proxy's nftables table when the agent
	// stops. Off by default: like kube-proxy, a stopped agent leaves its
	// rules, so services keep working until the next agent takes over.
	CleanupOnStop bool
	// Table is the nftables table (family ip); default "tinykube".
	Table string
}

// serviceProxy is core/proxy on a loop of its own, so a slow nft run never
// holds up the kubelet, with the nftables backend.
type serviceProxy struct {
	cfg    ProxyConfig
	loop   *runloop.Loop
	cancel context.CancelFunc
	proxy  *proxy.Proxy
	nft    *nftproxy.NFT
}

// startProxy starts the service proxy unless cfg.Proxy disables it. With
// no nft installed it says so and runs the node without one (nil): pods
// still run, only service addresses do not route.
func startProxy(ctx context.Context, cfg Config) *serviceProxy {
	if cfg.Proxy.Disable {
		return nil
	}
	if _, err := exec.LookPath("nft"); err != nil {
		if _, err := exec.LookPath("/usr/sbin/nft"); err != nil {
			fmt.Fprintf(cfg.Log, "node %s: no service proxy: nft is not installed (apt-get install nftables)\n", cfg.NodeName)
			return nil
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	sp := &serviceProxy{cfg: cfg.Proxy, loop: runloop.New(), cancel: cancel,
		nft: &nftproxy.NFT{Options: nftproxy.Options{Table: cfg.Proxy.Table, Bridge: cfg.Bridge}}}
	go sp.loop.Run(ctx)
	sp.loop.Do(func() {
		sp.proxy = proxy.New(proxy.Config{Loop: sp.loop, Client: cfg.Client, Backend: loggedBackend{sp.nft, cfg},
			MinSyncPeriod: 100 * time.Millisecond, ResyncPeriod: 30 * time.Second})
		sp.proxy.Start()
	})
	return sp
}

// stop stops watching; the rules stay unless CleanupOnStop. A nil proxy
// (disabled, or no nft) stops trivially.
func (sp *serviceProxy) stop() {
	if sp == nil {
		return
	}
	sp.loop.Do(func() { sp.proxy.Stop() })
	sp.cancel()
	if sp.cfg.CleanupOnStop {
		sp.nft.Close()
	}
}

// ProxyTable is the table the service proxy last applied, and the error of
// its last failed apply; nil, nil when the node runs no proxy.
func (a *Agent) ProxyTable() (*proxy.Table, error) {
	if a.proxy == nil {
		return nil, nil
	}
	var t *proxy.Table
	var err error
	a.proxy.loop.Do(func() { t, err = a.proxy.proxy.Table(), a.proxy.proxy.Err() })
	return t, err
}

// loggedBackend reports failed applies in the node's log: the proxy
// retries them with back-off, and without a line here nobody would know
// why a service does not answer.
type loggedBackend struct {
	nft *nftproxy.NFT
	cfg Config
}

func (b loggedBackend) Apply(t *proxy.Table) error {
	err := b.nft.Apply(t)
	if err != nil {
		fmt.Fprintf(b.cfg.Log, "node %s: %v\n", b.cfg.NodeName, err)
	}
	return err
}
