package proxy

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/client/clienttest"
)

// recorder is a Backend that keeps every table it is given, and fails
// while fail is set.
type recorder struct {
	tables []*Table
	at     []time.Time
	fail   bool
	now    func() time.Time
}

func (r *recorder) Apply(t *Table) error {
	if r.fail {
		return errors.New("nft: operation not permitted")
	}
	r.tables = append(r.tables, t)
	r.at = append(r.at, r.now())
	return nil
}

func (r *recorder) last() string {
	if len(r.tables) == 0 {
		return "<none>"
	}
	return r.tables[len(r.tables)-1].String()
}

func newProxyEnv(t *testing.T, cfg Config) (*clienttest.Env, *recorder, *Proxy) {
	e := clienttest.New(t, 1, 2)
	r := &recorder{now: e.Loop.Now}
	cfg.Loop, cfg.Client, cfg.Backend = e.Loop, e.Client, r
	p := New(cfg)
	p.Start()
	e.Settle()
	return e, r, p
}

func create[T api.Object](t *testing.T, c *client.Client, obj T) {
	t.Helper()
	if _, err := client.For[T](c).Create(context.Background(), obj, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
}

func TestProxyAppliesEmptyTableFirst(t *testing.T) {
	_, r, _ := newProxyEnv(t, Config{})
	if len(r.tables) != 1 || len(r.tables[0].Ports) != 0 {
		t.Fatalf("want one empty table at start (clears stale rules), got %d tables: %s", len(r.tables), r.last())
	}
}

func TestProxyFollowsEndpoints(t *testing.T) {
	e, r, p := newProxyEnv(t, Config{})
	create(t, e.Client, svc("web", "10.96.0.10", api.ServicePort{Port: 80}))
	e.Settle()
	if !strings.Contains(r.last(), "default/web TCP 10.96.0.10:80 -> (no ready endpoints: refused)") {
		t.Fatalf("table: %s", r.last())
	}
	create(t, e.Client, ep("web", api.EndpointSubset{Addresses: addrs("10.88.0.2"), Ports: []api.EndpointPort{{Port: 8080}}}))
	e.Settle()
	if want := "default/web TCP 10.96.0.10:80 -> 10.88.0.2:8080\n"; r.last() != want {
		t.Fatalf("table %q, want %q", r.last(), want)
	}
	if p.Table() != r.tables[len(r.tables)-1] {
		t.Fatal("Table() is not the table last applied")
	}
	// An update that changes nothing the proxy routes by is not reapplied.
	n := len(r.tables)
	c := client.For[*api.Endpoints](e.Client)
	got, _ := c.Get(context.Background(), "default", "web")
	got.Labels = map[string]string{"touched": "yes"}
	if _, err := c.Update(context.Background(), got, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.Settle()
	if len(r.tables) != n {
		t.Fatalf("an irrelevant change was applied again (%d tables, want %d)", len(r.tables), n)
	}
	if _, err := client.For[*api.Service](e.Client).Delete(context.Background(), "default", "web", client.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.Settle()
	if r.last() != "" {
		t.Fatalf("deleted service still routed: %q", r.last())
	}
}

func TestProxyCoalescesWithinMinSyncPeriod(t *testing.T) {
	e, r, _ := newProxyEnv(t, Config{MinSyncPeriod: time.Second})
	for i, ip := range []string{"10.96.0.1", "10.96.0.2", "10.96.0.3"} {
		create(t, e.Client, svc("s"+string(rune('a'+i)), ip, api.ServicePort{Port: 80}))
	}
	e.RunFor(3 * time.Second)
	if len(r.tables) > 3 {
		t.Fatalf("%d applies for one burst", len(r.tables))
	}
	for i := 1; i < len(r.at); i++ {
		if d := r.at[i].Sub(r.at[i-1]); d < time.Second {
			t.Fatalf("applies %v apart, MinSyncPeriod is 1s", d)
		}
	}
	if strings.Count(r.last(), "\n") != 3 {
		t.Fatalf("final table lacks a service:\n%s", r.last())
	}
}

func TestProxyRetriesFailedApply(t *testing.T) {
	e, r, p := newProxyEnv(t, Config{})
	r.fail = true
	create(t, e.Client, svc("web", "10.96.0.10", api.ServicePort{Port: 80}))
	e.RunFor(5 * time.Second)
	if p.Err() == nil {
		t.Fatal("a failing backend left no error")
	}
	r.fail = false
	e.RunFor(30 * time.Second)
	if p.Err() != nil || !strings.Contains(r.last(), "default/web") {
		t.Fatalf("not retried after the backend recovered: err=%v table=%q", p.Err(), r.last())
	}
}

func TestProxyResyncReapplies(t *testing.T) {
	e, r, _ := newProxyEnv(t, Config{ResyncPeriod: 10 * time.Second})
	n := len(r.tables)
	e.RunFor(35 * time.Second)
	if got := len(r.tables) - n; got != 3 {
		t.Fatalf("%d resyncs in 35s with a 10s period, want 3", got)
	}
}
