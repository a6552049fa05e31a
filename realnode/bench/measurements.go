package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/apiserver"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/realnode/etcdstore"
	"github.com/tinykube/tinykube/realnode/httpapi"
	"github.com/tinykube/tinykube/realnode/wallclock"
)

// A measurement is one row of the table.
type measurement struct {
	name string
	note string // printed after the row, e.g. the ratio to aim for
	// start prepares one trial, whose keys go under prefix (a prefix of its
	// own, so every trial starts on an empty keyspace), and returns the
	// operation to repeat and what to release once the trial is over.
	start func(ctx context.Context, prefix string) (op, func(), error)
}

// payloadBytes is the size of the data each created ConfigMap carries;
// with its metadata it is stored as about 600 bytes.
const payloadBytes = 400

// configMap is the object the API rows create: worker's i-th ConfigMap.
func configMap(worker, i int) *api.ConfigMap {
	return &api.ConfigMap{
		ObjectMeta: api.ObjectMeta{Name: fmt.Sprintf("bench-w%d-%d", worker, i), Namespace: "default"},
		Data:       map[string]string{"payload": strings.Repeat("x", payloadBytes)},
	}
}

// storedSize is how many bytes the API server stores for a ConfigMap from
// configMap, so the raw puts can write values of the same size.
func storedSize() int {
	cm := configMap(7, 12345)
	api.SetTypeMeta(cm)
	cm.UID = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"
	cm.Generation = 1
	cm.CreationTimestamp = api.NewTime(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	b, err := json.Marshal(cm)
	if err != nil {
		panic(err) // a ConfigMap always encodes
	}
	return len(b)
}

// rawPuts is the baseline: one etcd Put of a value the size of a stored
// ConfigMap to a distinct key, straight through clientv3.
func rawPuts(etcd *clientv3.Client) measurement {
	value := strings.Repeat("x", storedSize())
	return measurement{
		name: "raw etcd puts (baseline)",
		start: func(_ context.Context, prefix string) (op, func(), error) {
			put := func(ctx context.Context, w, i int) error {
				_, err := etcd.Put(ctx, fmt.Sprintf("%sw%d-%d", prefix, w, i), value)
				return err
			}
			return put, func() {}, nil
		},
	}
}

// localCreates creates ConfigMaps through an API server in this process,
// called through client.Local: the API's semantics without HTTP.
func localCreates(etcd *clientv3.Client) measurement {
	return measurement{
		name: "API creates, in-process",
		start: func(ctx context.Context, prefix string) (op, func(), error) {
			srv, closeStore, err := newAPIServer(ctx, etcd, prefix)
			if err != nil {
				return nil, nil, err
			}
			return creates(client.New(client.Local(srv.Handle))), closeStore, nil
		},
	}
}

// httpCreates creates ConfigMaps through an API server served by
// httpapi.Handler on a loopback port, called through httpapi.Transport
// with one keep-alive connection per worker.
func httpCreates(etcd *clientv3.Client, workers int) measurement {
	hc := keepAliveClient(workers)
	return measurement{
		name: "API creates over HTTP",
		note: "(aim ≥ 0.70)",
		start: func(ctx context.Context, prefix string) (op, func(), error) {
			base, stop, err := serveHTTP(ctx, etcd, prefix, hc)
			if err != nil {
				return nil, nil, err
			}
			return creates(client.New(&httpapi.Transport{BaseURL: base, Client: hc})), stop, nil
		},
	}
}

// serveHTTP starts an API server (newAPIServer) behind httpapi.Handler on
// a loopback port and returns its base URL and what stops it.
func serveHTTP(ctx context.Context, etcd *clientv3.Client, prefix string, hc *http.Client) (string, func(), error) {
	srv, closeStore, err := newAPIServer(ctx, etcd, prefix)
	if err != nil {
		return "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		closeStore()
		return "", nil, fmt.Errorf("listening on a loopback port for the API: %v", err)
	}
	hs := &http.Server{Handler: httpapi.Handler(srv.Handle, httpapi.Options{Resources: srv.Resources}), ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	stop := func() {
		hc.CloseIdleConnections()
		hs.Close()
		closeStore()
	}
	return "http://" + ln.Addr().String(), stop, nil
}

// keepAliveClient keeps one idle connection per worker (and some spare).
func keepAliveClient(workers int) *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        2 * workers,
		MaxIdleConnsPerHost: 2 * workers,
		IdleConnTimeout:     time.Minute,
	}}
}

// newAPIServer assembles an API server as controlplane.Start does, over an
// etcdstore keeping its keys under prefix, and creates its system
// namespaces. The returned func closes the store.
func newAPIServer(ctx context.Context, etcd *clientv3.Client, prefix string) (*apiserver.Server, func(), error) {
	st := etcdstore.New(etcd, prefix)
	srv := apiserver.New(apiserver.Config{
		Store:   st,
		Clock:   wallclock.Clock{},
		Rand:    rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1)),
		Version: "bench",
	})
	if err := srv.Bootstrap(ctx); err != nil {
		st.Close()
		return nil, nil, fmt.Errorf("creating the system namespaces under %s: %w", prefix, err)
	}
	return srv, func() { st.Close() }, nil
}

// creates is the operation of the API rows: create worker's i-th
// ConfigMap in namespace default.
func creates(cl *client.Client) op {
	cms := client.For[*api.ConfigMap](cl)
	return func(ctx context.Context, w, i int) error {
		if _, err := cms.Create(ctx, configMap(w, i), client.WriteOptions{}); err != nil {
			return fmt.Errorf("create ConfigMap default/bench-w%d-%d: %w", w, i, err)
		}
		return nil
	}
}
