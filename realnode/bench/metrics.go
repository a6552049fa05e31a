package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/tinykube/tinykube/core/apiserver"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/realnode/etcdstore"
	"github.com/tinykube/tinykube/realnode/httpapi"
	promreg "github.com/tinykube/tinykube/realnode/metrics"
	"github.com/tinykube/tinykube/realnode/wallclock"
)

// measuredCreates is httpCreates with the server's Prometheus metrics on,
// as controlplane assembles it: the API server counts and times every
// request into a Registry, the store times every etcd request, and the
// Registry is served at /metrics. Its rate over httpCreates' is what
// measuring costs.
func measuredCreates(etcd *clientv3.Client, workers int) measurement {
	hc := keepAliveClient(workers)
	return measurement{
		name: "API creates over HTTP, metrics on",
		note: "(compare with the row without; aim ≥ 0.95 of it)",
		start: func(ctx context.Context, prefix string) (op, func(), error) {
			reg := promreg.NewRegistry()
			st := etcdstore.Measured(etcdstore.New(etcd, prefix), reg)
			srv := apiserver.New(apiserver.Config{Store: st, Clock: wallclock.Clock{}, Recorder: reg,
				Rand: rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1)), Version: "bench"})
			if err := srv.Bootstrap(ctx); err != nil {
				st.Close()
				return nil, nil, fmt.Errorf("creating the system namespaces under %s: %w", prefix, err)
			}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				st.Close()
				return nil, nil, fmt.Errorf("listening on a loopback port for the API: %v", err)
			}
			hs := &http.Server{Handler: httpapi.Handler(srv.Handle, httpapi.Options{Resources: srv.Resources, Metrics: reg.Handler()}), ReadHeaderTimeout: 10 * time.Second}
			go hs.Serve(ln)
			stop := func() {
				hc.CloseIdleConnections()
				hs.Close()
				st.Close()
			}
			return creates(client.New(&httpapi.Transport{BaseURL: "http://" + ln.Addr().String(), Client: hc})), stop, nil
		},
	}
}
