package proxy

import "time"

// Balancer spreads connections over a port's backends: round robin, with
// ClientIP session affinity when the service asks for it. It is what the
// simulator and the userspace paths use; the nftables backend gets the
// same behaviour from the kernel (numgen and a timed set of client
// addresses).
//
// A Balancer keeps per-service state (the next backend, the affinity
// records) across tables, so a new table with the same backends carries on
// the rotation rather than starting over.
type Balancer struct {
	next   map[string]int
	sticky map[stickyKey]sticky
}

type stickyKey struct{ port, client string }

type sticky struct {
	backend Endpoint
	expires time.Time
}

// NewBalancer returns a Balancer with no history.
func NewBalancer() *Balancer {
	return &Balancer{next: map[string]int{}, sticky: map[stickyKey]sticky{}}
}

// Pick chooses the backend for a new connection from client to p at now.
// It reports false when p has no ready backend (the connection is refused).
func (b *Balancer) Pick(p *Port, client string, now time.Time) (Endpoint, bool) {
	if len(p.Backends) == 0 {
		return Endpoint{}, false
	}
	id := p.String()
	if p.Affinity > 0 {
		k := stickyKey{id, client}
		if s, ok := b.sticky[k]; ok && now.Before(s.expires) && contains(p.Backends, s.backend) {
			s.expires = now.Add(p.Affinity)
			b.sticky[k] = s
			return s.backend, true
		}
	}
	i := b.next[id] % len(p.Backends)
	b.next[id] = i + 1
	e := p.Backends[i]
	if p.Affinity > 0 {
		b.sticky[stickyKey{id, client}] = sticky{backend: e, expires: now.Add(p.Affinity)}
	}
	return e, true
}

// Forget drops the affinity records that have expired by now, so a long
// run does not keep every client it ever saw.
func (b *Balancer) Forget(now time.Time) {
	for k, s := range b.sticky {
		if !now.Before(s.expires) {
			delete(b.sticky, k)
		}
	}
}

func contains(es []Endpoint, e Endpoint) bool {
	for _, x := range es {
		if x.IP == e.IP && x.Port == e.Port {
			return true
		}
	}
	return false
}
