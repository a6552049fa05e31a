package servicelb

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/tinykube/tinykube/core/api"
	"pgregory.net/rapid"
)

func TestNewPoolProvider(t *testing.T) {
	tests := []struct {
		pool        string
		size        int
		first, last string
		err         string
	}{
		{pool: "192.0.2.0/24", size: 254, first: "192.0.2.1", last: "192.0.2.254"},
		{pool: "192.0.2.8/31", size: 2, first: "192.0.2.8", last: "192.0.2.9"},
		{pool: "192.0.2.7/32", size: 1, first: "192.0.2.7", last: "192.0.2.7"},
		{pool: "10.0.0.6, 10.0.0.5,10.0.0.5", size: 2, first: "10.0.0.5", last: "10.0.0.6"},
		{pool: "fd00::/120", size: 256, first: "fd00::", last: "fd00::ff"},
		{pool: "", err: "holds no address"},
		{pool: "10.0.0.300", err: "neither an address nor a CIDR prefix"},
		{pool: "10.0.0.0/33", err: "is not a CIDR prefix"},
		{pool: "10.0.0.0/8", err: "more than 65536"},
	}
	for _, tt := range tests {
		p, err := NewPoolProvider(tt.pool)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("NewPoolProvider(%q) error = %v, want one saying %q", tt.pool, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("NewPoolProvider(%q): %v", tt.pool, err)
			continue
		}
		if p.Size() != tt.size || p.addrs[0].String() != tt.first || p.addrs[len(p.addrs)-1].String() != tt.last {
			t.Errorf("NewPoolProvider(%q) = %d addresses %s…%s, want %d %s…%s", tt.pool, p.Size(), p.addrs[0], p.addrs[len(p.addrs)-1], tt.size, tt.first, tt.last)
		}
	}
}

// TestPoolNeverSharesAnAddress: under any sequence of ensures (some asking
// for a given address) and deletes, no address is held by two live
// services, every live service keeps the address it was given, and an
// ensure without a request succeeds whenever a free address remains.
func TestPoolNeverSharesAnAddress(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p, err := NewPoolProvider("192.0.2.0/29") // 6 addresses
		if err != nil {
			t.Fatal(err)
		}
		live := map[string]string{} // uid -> ip
		uids := 0
		svc := func(uid, want string) *api.Service {
			return &api.Service{ObjectMeta: api.ObjectMeta{UID: uid, Name: uid}, Spec: api.ServiceSpec{Type: api.ServiceLoadBalancer, LoadBalancerIP: want}}
		}
		t.Repeat(map[string]func(*rapid.T){
			"create": func(t *rapid.T) {
				uids++
				uid := fmt.Sprintf("uid-%d", uids)
				want := ""
				if rapid.Bool().Draw(t, "explicit") {
					want = fmt.Sprintf("192.0.2.%d", rapid.IntRange(0, 8).Draw(t, "octet"))
				}
				free := p.Free()
				in, err := p.EnsureLoadBalancer(svc(uid, want), nil)
				if want == "" && free > 0 && err != nil {
					t.Fatalf("ensure %s with %d free addresses: %v", uid, free, err)
				}
				if err == nil {
					live[uid] = in[0].IP
				}
			},
			"re-ensure": func(t *rapid.T) {
				if len(live) == 0 {
					t.Skip("no live service")
				}
				uid := rapid.SampledFrom(sortedKeys(live)).Draw(t, "uid")
				in, err := p.EnsureLoadBalancer(svc(uid, ""), nil)
				if err != nil || in[0].IP != live[uid] {
					t.Fatalf("re-ensure %s = %v, %v; want its address %s kept", uid, in, err, live[uid])
				}
			},
			"delete": func(t *rapid.T) {
				if len(live) == 0 {
					t.Skip("no live service")
				}
				uid := rapid.SampledFrom(sortedKeys(live)).Draw(t, "uid")
				if err := p.EnsureLoadBalancerDeleted(svc(uid, "")); err != nil {
					t.Fatalf("delete %s: %v", uid, err)
				}
				delete(live, uid)
			},
			"": func(t *rapid.T) {
				holder := map[string]string{}
				for uid, ip := range live {
					if other, ok := holder[ip]; ok {
						t.Fatalf("address %s held by %s and %s", ip, other, uid)
					}
					holder[ip] = uid
					if got := p.Holder(netip.MustParseAddr(ip)); got != uid {
						t.Fatalf("pool says %s holds %s, want %s", got, ip, uid)
					}
				}
				if p.Free() != p.Size()-len(live) {
					t.Fatalf("free = %d, want %d - %d live", p.Free(), p.Size(), len(live))
				}
			},
		})
	})
}

func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }
