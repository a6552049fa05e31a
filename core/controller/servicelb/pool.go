package servicelb

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/tinykube/tinykube/core/api"
)

// maxPoolSize bounds a pool, which is kept as a list of its addresses: an
// IPv6 /64 cannot be listed, and no small cluster needs more.
const maxPoolSize = 1 << 16

// PoolProvider gives each LoadBalancer service one address from a fixed
// pool, never the same address to two services. It does no IO, holds its
// state in memory and is deterministic: the lowest free address goes
// first. It implements Adopter, so a controller that restarts with a new
// PoolProvider takes back the addresses its services' statuses record.
//
// Services are told apart by uid, so a service deleted and created again
// under the same name is a new claimant.
type PoolProvider struct {
	addrs  []netip.Addr          // the pool, sorted
	inPool map[netip.Addr]bool   // the same, for lookups
	owner  map[netip.Addr]string // address -> uid of the service holding it
	held   map[string]netip.Addr // uid -> its address
}

// NewPoolProvider parses pool: a comma-separated list of addresses and
// CIDR prefixes ("192.0.2.0/24", "10.0.0.5,10.0.0.6", "fd00::/120"). An
// IPv4 prefix shorter than /31 leaves out its first (network) and last
// (broadcast) address. It fails on an empty pool, a malformed entry, or a
// pool of more than 65536 addresses.
func NewPoolProvider(pool string) (*PoolProvider, error) {
	p := &PoolProvider{inPool: map[netip.Addr]bool{}, owner: map[netip.Addr]string{}, held: map[string]netip.Addr{}}
	add := func(a netip.Addr) error {
		if p.inPool[a] {
			return nil
		}
		if len(p.addrs) == maxPoolSize {
			return fmt.Errorf("load-balancer pool %q: more than %d addresses; give a smaller prefix", pool, maxPoolSize)
		}
		p.inPool[a] = true
		p.addrs = append(p.addrs, a)
		return nil
	}
	for _, entry := range strings.Split(pool, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		if !strings.Contains(entry, "/") {
			a, err := netip.ParseAddr(entry)
			if err != nil {
				return nil, fmt.Errorf("load-balancer pool %q: %q is neither an address nor a CIDR prefix (write 192.0.2.10 or 192.0.2.0/24)", pool, entry)
			}
			if err := add(a.Unmap()); err != nil {
				return nil, err
			}
			continue
		}
		pfx, err := netip.ParsePrefix(entry)
		if err != nil {
			return nil, fmt.Errorf("load-balancer pool %q: %q is not a CIDR prefix: %v", pool, entry, err)
		}
		pfx = pfx.Masked()
		if pfx.Addr().BitLen()-pfx.Bits() > 16 {
			return nil, fmt.Errorf("load-balancer pool %q: %s holds more than %d addresses; give a smaller prefix", pool, pfx, maxPoolSize)
		}
		first, last := pfx.Addr(), lastAddr(pfx)
		if pfx.Addr().Is4() && pfx.Bits() < 31 {
			first, last = first.Next(), last.Prev()
		}
		for a := first; a.IsValid() && a.Compare(last) <= 0; a = a.Next() {
			if err := add(a); err != nil {
				return nil, err
			}
		}
	}
	if len(p.addrs) == 0 {
		return nil, fmt.Errorf("load-balancer pool %q holds no address: give addresses or CIDR prefixes, comma-separated", pool)
	}
	slices.SortFunc(p.addrs, netip.Addr.Compare)
	return p, nil
}

// lastAddr returns the highest address of a masked prefix.
func lastAddr(pfx netip.Prefix) netip.Addr {
	b := pfx.Addr().AsSlice()
	for i := pfx.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// Name implements Provider.
func (p *PoolProvider) Name() string { return "pool" }

// Size returns how many addresses the pool holds.
func (p *PoolProvider) Size() int { return len(p.addrs) }

// Free returns how many addresses no service holds.
func (p *PoolProvider) Free() int { return len(p.addrs) - len(p.owner) }

// EnsureLoadBalancer implements Provider: it returns svc's address, taking
// one if svc holds none. The address is, in order of preference,
// spec.loadBalancerIP when set (it must be in the pool and free, or
// already svc's: otherwise an error), the one svc already holds, the one
// svc's status records if it is in the pool and free, and else the lowest
// free address. With no free address it fails; the caller tries again
// later, when a release may have freed one. nodes play no part: every
// node's proxy answers on every pool address.
func (p *PoolProvider) EnsureLoadBalancer(svc *api.Service, _ []*api.Node) ([]api.LoadBalancerIngress, error) {
	uid := svc.UID
	held, holds := p.held[uid]
	if want := svc.Spec.LoadBalancerIP; want != "" {
		a, err := netip.ParseAddr(want)
		if err != nil {
			return nil, fmt.Errorf("spec.loadBalancerIP %q is not an IP address", want)
		}
		a = a.Unmap()
		if !p.inPool[a] {
			return nil, fmt.Errorf("spec.loadBalancerIP %s is not in the load-balancer pool (%s…%s): ask for an address in the pool, or leave the field empty", a, p.addrs[0], p.addrs[len(p.addrs)-1])
		}
		if o, taken := p.owner[a]; taken && o != uid {
			return nil, fmt.Errorf("spec.loadBalancerIP %s is already used by another service: ask for a free address, or leave the field empty", a)
		}
		if holds && held != a {
			p.release(uid)
		}
		p.take(uid, a)
		return ingress(a), nil
	}
	if holds {
		return ingress(held), nil
	}
	for _, in := range svc.Status.LoadBalancer.Ingress {
		if a, err := netip.ParseAddr(in.IP); err == nil && p.inPool[a.Unmap()] && p.owner[a.Unmap()] == "" {
			p.take(uid, a.Unmap())
			return ingress(a.Unmap()), nil
		}
	}
	for _, a := range p.addrs {
		if _, taken := p.owner[a]; !taken {
			p.take(uid, a)
			return ingress(a), nil
		}
	}
	return nil, fmt.Errorf("the load-balancer pool is exhausted: all %d addresses are in use; delete a LoadBalancer service or give a larger pool", len(p.addrs))
}

// EnsureLoadBalancerDeleted implements Provider: svc's address becomes
// free.
func (p *PoolProvider) EnsureLoadBalancerDeleted(svc *api.Service) error {
	p.release(svc.UID)
	return nil
}

// Adopt implements Adopter: the first address of svc's status that is in
// the pool and free becomes svc's. Addresses outside the pool, or held by
// another service, are ignored; EnsureLoadBalancer will pick another.
func (p *PoolProvider) Adopt(svc *api.Service) {
	if _, holds := p.held[svc.UID]; holds {
		return
	}
	for _, in := range svc.Status.LoadBalancer.Ingress {
		a, err := netip.ParseAddr(in.IP)
		if err != nil {
			continue
		}
		a = a.Unmap()
		if _, taken := p.owner[a]; p.inPool[a] && !taken {
			p.take(svc.UID, a)
			return
		}
	}
}

// Holder returns the uid of the service holding a, or "".
func (p *PoolProvider) Holder(a netip.Addr) string { return p.owner[a] }

func (p *PoolProvider) take(uid string, a netip.Addr) {
	p.owner[a] = uid
	p.held[uid] = a
}

func (p *PoolProvider) release(uid string) {
	if a, ok := p.held[uid]; ok {
		delete(p.owner, a)
		delete(p.held, uid)
	}
}

func ingress(a netip.Addr) []api.LoadBalancerIngress {
	return []api.LoadBalancerIngress{{IP: a.String()}}
}
