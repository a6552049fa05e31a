package proxy

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func port(affinity time.Duration, ips ...string) *Port {
	p := &Port{Namespace: "default", Name: "web", Affinity: affinity}
	for _, ip := range ips {
		p.Backends = append(p.Backends, Endpoint{IP: ip, Port: 8080})
	}
	return p
}

func TestBalancerRoundRobin(t *testing.T) {
	b := NewBalancer()
	p := port(0, "10.0.0.1", "10.0.0.2", "10.0.0.3")
	var got []string
	for range 6 {
		e, ok := b.Pick(p, "10.1.0.1", t0)
		if !ok {
			t.Fatal("no backend")
		}
		got = append(got, e.IP)
	}
	want := []string{"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.1", "10.0.0.2", "10.0.0.3"}
	if !equal(got, want) {
		t.Fatalf("picks %v, want %v", got, want)
	}
	// A backend that left gets no new connection.
	p2 := port(0, "10.0.0.1", "10.0.0.3")
	for range 4 {
		if e, _ := b.Pick(p2, "10.1.0.1", t0); e.IP == "10.0.0.2" {
			t.Fatal("picked a backend no longer in the table")
		}
	}
	if _, ok := b.Pick(port(0), "10.1.0.1", t0); ok {
		t.Fatal("a port without backends must refuse")
	}
}

func TestBalancerAffinity(t *testing.T) {
	b := NewBalancer()
	p := port(time.Minute, "10.0.0.1", "10.0.0.2")
	first, _ := b.Pick(p, "10.1.0.1", t0)
	other, _ := b.Pick(p, "10.1.0.2", t0)
	if first.IP == other.IP {
		t.Fatalf("two new clients on one backend %s: affinity should not stop spreading", first.IP)
	}
	for i := range 5 {
		if e, _ := b.Pick(p, "10.1.0.1", t0.Add(time.Duration(i)*30*time.Second)); e != first {
			t.Fatalf("client moved to %v within its affinity window", e)
		}
	}
	// Idle past the timeout: the record expires and the client is placed
	// afresh; Forget drops it.
	late := t0.Add(10 * time.Minute)
	b.Forget(late)
	if len(b.sticky) != 0 {
		t.Fatalf("expired affinity kept: %v", b.sticky)
	}
	// The sticky backend leaving moves the client at once.
	b.Pick(p, "10.1.0.9", late)
	gone := port(time.Minute, "10.0.0.2")
	if e, _ := b.Pick(gone, "10.1.0.9", late); e.IP != "10.0.0.2" {
		t.Fatalf("client stuck to a removed backend: %v", e)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
