package apiserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/store"
)

// ReservationGrace is how old a reservation must be before repair may free
// it for holding nothing: younger ones may belong to a write still in
// flight, which reserves first and writes the Service after. It must
// exceed the longest request plus the clock skew between API servers.
const ReservationGrace = 2 * time.Minute

// RepairServiceAllocations reconciles the reservations with the Services
// in the store. It frees every reservation that no Service holds (a crash
// between reserving and writing, or a release that failed) once it is
// older than ReservationGrace, and re-creates the reservation of any
// Service that holds an address or port without one. It changes nothing
// else. The error lists what it could not fix (two Services holding one
// address, an address outside the service CIDR), or why it could not run.
//
// Bootstrap calls it; a process that runs for long should call it every
// few minutes. Any number of servers may run it at once.
func (s *Server) RepairServiceAllocations(ctx context.Context) error {
	problems, err := s.repairAllocations(ctx)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return fmt.Errorf("service allocations: %s", strings.Join(problems, "; "))
	}
	return nil
}

// holder is a Service as repair sees it: who holds a key.
type holder struct {
	ref string // namespace/name
	svc *api.Service
}

// repairAllocations does RepairServiceAllocations' work and returns the
// problems it found but could not fix, apart from a store failure.
//
// Reservations are listed before Services: a Service written in between
// then looks as if it lacked its reservation, and the create-if-absent
// that would restore it finds it already there.
func (s *Server) repairAllocations(ctx context.Context) ([]string, error) {
	var reservations []store.KeyValue
	for _, p := range []string{ipAddressPrefix, nodePortPrefix} {
		l, err := s.store.List(ctx, p, store.ListOptions{})
		if err != nil {
			return nil, storeError(err)
		}
		reservations = append(reservations, l.KVs...)
	}
	res := api.ResourceByPlural("", "services")
	l, err := s.store.List(ctx, prefix(res, ""), store.ListOptions{})
	if err != nil {
		return nil, storeError(err)
	}
	var problems []string
	holders := map[string]holder{} // allocation key -> the Service holding it
	var keys []string              // holders' keys, in the order found
	for _, kv := range l.KVs {
		obj, err := decodeKV(res, kv)
		if err != nil {
			return nil, errInternal(err)
		}
		svc := obj.(*api.Service)
		h := holder{ref: svc.Namespace + "/" + svc.Name, svc: svc}
		if a, err := netip.ParseAddr(svc.Spec.ClusterIP); err == nil && svc.Spec.Type != api.ServiceExternalName && !s.serviceIPs.contains(a) {
			problems = append(problems, fmt.Sprintf("service %s has cluster IP %s, outside the service CIDR %s; recreate it to get a new one", h.ref, a, s.serviceIPs))
		}
		for _, k := range serviceClaims(svc) {
			if other, dup := holders[k]; dup {
				problems = append(problems, fmt.Sprintf("services %s and %s both hold %s; delete and recreate one of them", other.ref, h.ref, describeKey(k)))
				continue
			}
			holders[k] = h
			keys = append(keys, k)
		}
	}
	now := s.clock.Now()
	reserved := map[string]bool{}
	for _, kv := range reservations {
		var r reservation
		if json.Unmarshal(kv.Value, &r) != nil {
			r = reservation{} // unreadable: held by nobody, and old
		}
		if h, held := holders[kv.Key]; held && h.svc.UID == r.UID {
			reserved[kv.Key] = true
			continue
		}
		if now.Sub(r.Reserved) < ReservationGrace {
			reserved[kv.Key] = true // perhaps a write in flight: next time
			continue
		}
		_, _, err := s.store.Delete(ctx, kv.Key, kv.ModRevision)
		if err != nil && !errors.Is(err, store.ErrConflict) && !errors.Is(err, store.ErrNotFound) {
			return problems, storeError(err)
		}
		if err != nil {
			reserved[kv.Key] = true // changed meanwhile: leave it
		}
	}
	for _, k := range keys {
		if reserved[k] {
			continue
		}
		h := holders[k]
		owner := reservation{Namespace: h.svc.Namespace, Name: h.svc.Name, UID: h.svc.UID, Reserved: now.UTC()}
		err := s.reserve(ctx, k, owner, false)
		if errors.Is(err, store.ErrExists) {
			continue // reserved meanwhile, by this Service's own write or by a leak's owner
		}
		if err != nil {
			return problems, storeError(err)
		}
	}
	return problems, nil
}

// describeKey words an allocation key for a person: "cluster IP 10.96.0.1"
// or "node port 30080-TCP".
func describeKey(k string) string {
	if ip, ok := strings.CutPrefix(k, ipAddressPrefix); ok {
		return "cluster IP " + ip
	}
	return "node port " + strings.TrimPrefix(k, nodePortPrefix)
}
