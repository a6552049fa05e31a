package apiserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/store"
)

// Service address allocation, after Kubernetes' IPAddress allocator
// (KEP-1880): every cluster IP and node port in use has its own store key,
// written with create-if-absent. The store has no multi-key transactions,
// but it never lets two writers create one key, so two concurrent creates —
// even on two API servers over one store — cannot hand out one address, and
// a restarted server sees every allocation because nothing is kept in
// memory.
//
// A write of a Service runs: validate → reserve keys → write the Service.
// If the write does not happen, the keys just reserved are released. Keys a
// Service stops holding (it was deleted, or changed type) are released after
// the write commits. A crash in between leaves a reservation no Service
// holds (a leak, never a duplicate); RepairServiceAllocations frees those.
const (
	ipAddressPrefix = "/registry/ipaddresses/"
	nodePortPrefix  = "/registry/nodeports/"
)

// reservation is the value stored at an allocation key: who holds it, and
// since when (so that repair leaves a reservation of a write still in
// flight alone).
type reservation struct {
	Namespace string    `json:"namespace"`
	Name      string    `json:"name"`
	UID       string    `json:"uid"`
	Reserved  time.Time `json:"reserved"`
}

func ipKey(a netip.Addr) string { return ipAddressPrefix + a.String() }

func nodePortKey(port int32, proto api.Protocol) string {
	return nodePortPrefix + strconv.Itoa(int(port)) + "-" + string(proto)
}

// needsNodePorts reports whether a service type is reached on every node's
// ports.
func needsNodePorts(typ string) bool {
	return typ == api.ServiceNodePort || typ == api.ServiceLoadBalancer
}

// serviceClaims lists the allocation keys a stored Service holds: its
// cluster IP and, for NodePort and LoadBalancer services, its node ports.
func serviceClaims(svc *api.Service) []string {
	var keys []string
	if svc.Spec.Type != api.ServiceExternalName {
		if a, err := netip.ParseAddr(svc.Spec.ClusterIP); err == nil {
			keys = append(keys, ipKey(a))
		}
	}
	if needsNodePorts(svc.Spec.Type) {
		for _, p := range svc.Spec.Ports {
			if k := nodePortKey(p.NodePort, p.Protocol); p.NodePort != 0 && !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	return keys
}

// allocateService fills in next's cluster IP and node ports and reserves
// the ones old (nil on create) does not already hold. It returns the keys
// it reserved, for the caller to release if its write fails. On error it
// has reserved nothing. A dry run checks without reserving.
//
// Explicit values are checked against the ranges before anything is
// reserved, so a request that names a bad one changes nothing.
func (s *Server) allocateService(ctx context.Context, res *api.Resource, next, old *api.Service, dryRun bool) ([]string, error) {
	if s.rangesErr != nil {
		return nil, errInternal(s.rangesErr)
	}
	spec := &next.Spec
	held := map[string]bool{}
	if old != nil {
		for _, k := range serviceClaims(old) {
			held[k] = true
		}
	}
	// First settle what the request asks for and check it; reserve after.
	var errs api.FieldErrors
	var wantIP netip.Addr // valid when an explicit, not yet held IP is asked for
	allocIP := false
	if spec.Type != api.ServiceExternalName {
		ip := spec.ClusterIP
		if ip == "" && len(spec.ClusterIPs) > 0 {
			ip = spec.ClusterIPs[0]
		}
		switch {
		case len(spec.ClusterIPs) > 1:
			errs = append(errs, api.FieldInvalid("spec.clusterIPs", spec.ClusterIPs, "tinykube services are single-stack: give at most one cluster IP"))
		case ip == "None":
			spec.ClusterIP, spec.ClusterIPs = "None", []string{"None"}
		case ip == "":
			allocIP = true
		default:
			a, err := netip.ParseAddr(ip)
			switch {
			case err != nil:
				errs = append(errs, api.FieldInvalid("spec.clusterIP", ip, "must be a valid IP address"))
			case held[ipKey(a)]:
				spec.ClusterIP, spec.ClusterIPs = a.String(), []string{a.String()}
			case !s.serviceIPs.contains(a):
				errs = append(errs, api.FieldInvalid("spec.clusterIP", ip, fmt.Sprintf("failed to allocate IP %s: provided IP is not in the valid range. The range of valid IPs is %s", ip, s.serviceIPs)))
			default:
				wantIP = a
			}
		}
	}
	type portWant struct {
		i   int
		key string
	}
	var wantPorts []portWant // explicit node ports not yet held
	var allocPorts []int     // indexes of ports that need one drawn
	if needsNodePorts(spec.Type) {
		keepOldNodePorts(spec, old)
		seen := map[string]bool{}
		for i, p := range spec.Ports {
			if p.NodePort == 0 {
				allocPorts = append(allocPorts, i)
				continue
			}
			field := fmt.Sprintf("spec.ports[%d].nodePort", i)
			k := nodePortKey(p.NodePort, p.Protocol)
			switch {
			case seen[k]:
				errs = append(errs, api.FieldDuplicate(field, p.NodePort))
			case held[k]:
			case !s.nodePorts.contains(p.NodePort):
				errs = append(errs, api.FieldInvalid(field, p.NodePort, fmt.Sprintf("provided port is not in the valid range. The range of valid ports is %s", s.nodePorts)))
			default:
				wantPorts = append(wantPorts, portWant{i, k})
			}
			seen[k] = true
		}
	}
	if len(errs) > 0 {
		return nil, errInvalid(res, next.Name, errs)
	}

	owner := reservation{Namespace: next.Namespace, Name: next.Name, UID: next.UID, Reserved: s.clock.Now().UTC()}
	var reserved []string
	undo := func(err error) ([]string, error) {
		s.release(ctx, owner.UID, reserved)
		return nil, err
	}
	take := func(k string) error {
		err := s.reserve(ctx, k, owner, dryRun)
		if err == nil && !dryRun {
			reserved = append(reserved, k)
		}
		return err
	}
	// Candidates are drawn from a source seeded by the service's uid: as
	// random as the uid, replayable from the server's seed, and without
	// taking draws from the server's own source.
	h := fnv.New64a()
	h.Write([]byte(next.UID))
	rnd := rand.New(rand.NewPCG(h.Sum64(), 0x5e4c1ce))

	if wantIP.IsValid() {
		err := take(ipKey(wantIP))
		if errors.Is(err, store.ErrExists) {
			return undo(errInvalid(res, next.Name, api.FieldErrors{api.FieldInvalid("spec.clusterIP", spec.ClusterIP,
				fmt.Sprintf("failed to allocate IP %s: provided IP is already allocated", wantIP))}))
		}
		if err != nil {
			return undo(storeError(err))
		}
		spec.ClusterIP, spec.ClusterIPs = wantIP.String(), []string{wantIP.String()}
	}
	for _, w := range wantPorts {
		err := take(w.key)
		if errors.Is(err, store.ErrExists) {
			return undo(errInvalid(res, next.Name, api.FieldErrors{api.FieldInvalid(fmt.Sprintf("spec.ports[%d].nodePort", w.i),
				spec.Ports[w.i].NodePort, "provided port is already allocated")}))
		}
		if err != nil {
			return undo(storeError(err))
		}
	}
	if allocIP {
		r := s.serviceIPs
		i, err := s.draw(ctx, rnd, r.size, ipAddressPrefix, func(i uint64) string { return ipKey(r.addr(i + 1)) }, take)
		if err != nil {
			return undo(rangeError(err, "a cluster IP", r.String(), "--service-cidr"))
		}
		a := r.addr(i + 1).String()
		spec.ClusterIP, spec.ClusterIPs = a, []string{a}
	}
	for _, idx := range allocPorts {
		r, proto := s.nodePorts, spec.Ports[idx].Protocol
		i, err := s.draw(ctx, rnd, r.size(), nodePortPrefix, func(i uint64) string { return nodePortKey(r.base+int32(i), proto) }, take)
		if err != nil {
			return undo(rangeError(err, "a node port", r.String(), "--service-node-port-range"))
		}
		spec.Ports[idx].NodePort = r.base + int32(i)
	}
	return reserved, nil
}

// keepOldNodePorts gives each port of spec that asks for no node port the
// one the same port had in old (matched by port number and protocol, else
// by name), so that re-applying a manifest does not move node ports.
func keepOldNodePorts(spec *api.ServiceSpec, old *api.Service) {
	if old == nil || !needsNodePorts(old.Spec.Type) {
		return
	}
	used := map[string]bool{}
	for _, p := range spec.Ports {
		if p.NodePort != 0 {
			used[nodePortKey(p.NodePort, p.Protocol)] = true
		}
	}
	for i := range spec.Ports {
		p := &spec.Ports[i]
		if p.NodePort != 0 {
			continue
		}
		for _, o := range old.Spec.Ports {
			same := o.Port == p.Port && o.Protocol == p.Protocol || p.Name != "" && o.Name == p.Name && o.Protocol == p.Protocol
			if k := nodePortKey(o.NodePort, o.Protocol); same && o.NodePort != 0 && !used[k] {
				p.NodePort, used[k] = o.NodePort, true
				break
			}
		}
	}
}

// errRangeFull is what draw returns when every candidate is taken.
var errRangeFull = errors.New("range is full")

// rangeError words a failed draw: a full range says which flag widens it.
func rangeError(err error, what, rng, flag string) error {
	if errors.Is(err, errRangeFull) {
		return api.NewStatusError(http.StatusInternalServerError, api.ReasonInternalError, nil,
			"Internal error occurred: failed to allocate %s: range %s is full; delete a Service that holds one, or restart the API server with a larger %s", what, rng, flag)
	}
	return storeError(err)
}

// draw reserves a free candidate among n (numbered 0 … n-1) and returns
// it. It tries a few random candidates first, which succeeds at once in a
// range that is not nearly full; then it reads every reservation under
// prefix and walks from a random start to the first free candidate, so a
// full range is told apart from an unlucky one. A candidate reserved by
// someone else between the read and the reservation is skipped.
func (s *Server) draw(ctx context.Context, rnd *rand.Rand, n uint64, prefix string, keyOf func(uint64) string, take func(string) error) (uint64, error) {
	const probes = 3
	for range probes {
		i := rnd.Uint64N(n)
		err := take(keyOf(i))
		if err == nil {
			return i, nil
		}
		if !errors.Is(err, store.ErrExists) {
			return 0, err
		}
	}
	l, err := s.store.List(ctx, prefix, store.ListOptions{})
	if err != nil {
		return 0, err
	}
	taken := make(map[string]bool, len(l.KVs))
	for _, kv := range l.KVs {
		taken[kv.Key] = true
	}
	start := rnd.Uint64N(n)
	for j := uint64(0); j < n; j++ {
		i := (start + j) % n
		k := keyOf(i)
		if taken[k] {
			continue
		}
		err := take(k)
		if err == nil {
			return i, nil
		}
		if !errors.Is(err, store.ErrExists) {
			return 0, err
		}
		taken[k] = true
	}
	return 0, errRangeFull
}

// reserve creates the reservation at k, failing with store.ErrExists when
// it is held. A dry run only looks.
func (s *Server) reserve(ctx context.Context, k string, owner reservation, dryRun bool) error {
	if dryRun {
		_, err := s.store.Get(ctx, k)
		if err == nil {
			return store.ErrExists
		}
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		return err
	}
	value, err := json.Marshal(owner)
	if err != nil {
		return err
	}
	_, err = s.store.Create(ctx, k, value)
	return err
}

// release deletes the reservations at keys that uid holds. One held by
// another uid is left alone: it was freed and taken again meanwhile. A
// failure is not reported: the reservation leaks, which is safe (it is
// never handed out twice), and RepairServiceAllocations frees it later.
func (s *Server) release(ctx context.Context, uid string, keys []string) {
	for _, k := range keys {
		kv, err := s.store.Get(ctx, k)
		if err != nil {
			continue
		}
		var r reservation
		if json.Unmarshal(kv.Value, &r) != nil || r.UID != uid {
			continue
		}
		s.store.Delete(ctx, k, kv.ModRevision)
	}
}

// releaseDropped releases the keys old held that next no longer holds,
// once next has been written.
func (s *Server) releaseDropped(ctx context.Context, old, next *api.Service) {
	keep := serviceClaims(next)
	var drop []string
	for _, k := range serviceClaims(old) {
		if !slices.Contains(keep, k) {
			drop = append(drop, k)
		}
	}
	s.release(ctx, old.UID, drop)
}
