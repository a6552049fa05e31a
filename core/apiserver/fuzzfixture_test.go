package apiserver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"reflect"
	"runtime/metrics"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/clock"
	"github.com/tinykube/tinykube/core/rest"
	"github.com/tinykube/tinykube/core/store"
)

// The fuzzers' fixture. Bootstrapping a Server (system namespaces, the
// default StorageClass, some sixty RBAC objects) and creating one object of
// every kind through the whole write path costs tens of milliseconds under
// the fuzzer's coverage instrumentation; doing it for every input held the
// fuzzers to a hundred executions a second, and minimizing an interesting
// input (thousands of executions, reported only when done) froze the
// execs/s counter at 0 for tens of seconds. So the world is built once per
// process (per fuzz worker) and every input gets a fresh store loaded with
// its raw keys: a few hundred map inserts.

// fuzzWorld is the state every fuzz input starts from: the store's keys
// after Bootstrap and the creation of every fuzzObject as "seed".
type fuzzWorld struct {
	kvs []store.KeyValue // in ModRevision order
}

// theFuzzWorld builds the fuzzWorld once per process.
var theFuzzWorld = sync.OnceValues(buildFuzzWorld)

// buildFuzzWorld bootstraps a Server over a fresh store and creates every
// stored kind's fuzzObject as "seed" (namespace default when namespaced),
// then keeps what the store holds. It fails if any creation is refused,
// which means fuzzObjects went stale.
func buildFuzzWorld() (*fuzzWorld, error) {
	ctx := context.Background()
	st := store.NewMemory()
	srv := newFuzzServerOver(st, rand.New(rand.NewPCG(1, 2)))
	if err := srv.Bootstrap(ctx); err != nil {
		return nil, fmt.Errorf("fuzz world: Bootstrap: %v", err)
	}
	// With ServiceAccount keys, pods need their namespace's default
	// ServiceAccount, which a controller would create.
	sa := fuzzObject{res: api.ResourceByPlural("", "serviceaccounts"), body: `{}`}
	reqs := []*rest.Request{{Method: http.MethodPost, Path: fuzzCollection(sa.res, "default"), Body: fuzzBody(sa, "default")}}
	for _, o := range fuzzObjects() {
		if !o.res.Virtual {
			reqs = append(reqs, &rest.Request{Method: http.MethodPost, Path: fuzzCollection(o.res, "default"), Body: fuzzBody(o, fuzzName(o))})
		}
	}
	for _, req := range reqs {
		req.ContentType = rest.ContentJSON
		resp := srv.Handle(ctx, req)
		if resp.Code != http.StatusCreated {
			return nil, fmt.Errorf("fuzz world: POST %s = %d %s, want 201: fix fuzzObjects", req.Path, resp.Code, resp.Body)
		}
	}
	l, err := st.List(ctx, "/", store.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("fuzz world: list: %v", err)
	}
	kvs := slices.Clone(l.KVs)
	slices.SortFunc(kvs, func(a, b store.KeyValue) int { return int(a.ModRevision - b.ModRevision) })
	return &fuzzWorld{kvs: kvs}, nil
}

// newFuzzServerOver returns the Server the fuzzers talk to over st: a
// fixed clock, random source rnd, ServiceAccount keys (so that
// TokenRequest and TokenReview run rather than answer 503), no
// authorization (requests carry no user).
func newFuzzServerOver(st store.Store, rnd *rand.Rand) *Server {
	return New(Config{Store: st, Clock: &clock.Fixed{T: t0}, Rand: rnd,
		Version: "fuzz", ServiceAccountKeys: testSAKeys()})
}

// fuzzUser is who the fuzzers' requests come from: a request from outside
// always carries a user, and this one may do anything.
var fuzzUser = &rest.UserInfo{Name: "fuzz", Groups: []string{"system:masters", "system:authenticated"}}

// newFuzzServer returns a Server over a fresh memory store holding the
// fuzz world, and the store's revision before any input ran: everything
// stored at a later revision was written by the input.
func newFuzzServer(tb testing.TB) (*Server, *store.Memory, int64) {
	tb.Helper()
	w, err := theFuzzWorld()
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	st := store.NewMemory()
	for _, kv := range w.kvs {
		if _, err := st.Create(ctx, kv.Key, kv.Value); err != nil {
			tb.Fatalf("loading the fuzz world: %s: %v", kv.Key, err)
		}
	}
	rev, _ := st.Revision(ctx)
	// Another stream than the world's: the same one would hand out the
	// world's uids again.
	return newFuzzServerOver(st, rand.New(rand.NewPCG(3, 4))), st, rev
}

// resourceOfKey finds the resource, built-in or custom, a store key
// belongs to, or nil.
func resourceOfKey(rs *api.ResourceSet, key string) *api.Resource {
	for _, r := range rs.All() {
		if p := prefix(r, ""); len(key) > len(p) && strings.HasPrefix(key, p) {
			return r
		}
	}
	return nil
}

// isAllocationKey reports whether key is a Service's IP or node port
// reservation rather than an object.
func isAllocationKey(key string) bool {
	return strings.HasPrefix(key, ipAddressPrefix) || strings.HasPrefix(key, nodePortPrefix)
}

// checkStored is the fuzzers' strongest property: nothing invalid is ever
// stored. Every key written after revision since must belong to a served
// resource, decode, pass api.Validate (status included) and round-trip:
// encoding the decoded object for the store gives back the stored bytes.
// It returns the first violation, worded with the key.
func checkStored(srv *Server, st store.Store, since int64) error {
	l, err := st.List(context.Background(), "/registry/", store.ListOptions{})
	if err != nil {
		return fmt.Errorf("list the store: %v", err)
	}
	rs := srv.resources()
	for _, kv := range l.KVs {
		if kv.ModRevision <= since || isAllocationKey(kv.Key) {
			continue
		}
		res := resourceOfKey(rs, kv.Key)
		if res == nil {
			return fmt.Errorf("stored key %s belongs to no served resource", kv.Key)
		}
		obj, err := decodeKV(res, kv)
		if err != nil {
			return err
		}
		if errs := api.Validate(obj); len(errs) > 0 {
			return fmt.Errorf("stored %s is invalid: %v\n%s", kv.Key, errs, kv.Value)
		}
		again, err := encodeForStore(obj)
		if err != nil {
			return fmt.Errorf("stored %s does not encode again: %v", kv.Key, err)
		}
		if !bytes.Equal(again, kv.Value) && !equalStored(again, kv.Value) {
			return fmt.Errorf("stored %s does not round-trip:\nstored  %s\nencoded %s", kv.Key, kv.Value, again)
		}
	}
	return nil
}

// equalStored reports whether encoded, an object encoded again, is the
// same JSON value as stored (numbers compared as written, object keys in
// any order), apart from the apiVersion and kind that a built-in kind's
// stored form leaves out and decoding fills in.
func equalStored(encoded, stored []byte) bool {
	var x, y map[string]any
	dx, dy := json.NewDecoder(bytes.NewReader(encoded)), json.NewDecoder(bytes.NewReader(stored))
	dx.UseNumber()
	dy.UseNumber()
	if dx.Decode(&x) != nil || dy.Decode(&y) != nil {
		return false
	}
	for _, k := range []string{"apiVersion", "kind"} {
		if _, ok := y[k]; !ok {
			delete(x, k)
		}
	}
	return reflect.DeepEqual(x, y)
}

// checkAnswer checks what the server answered: an error is a Status
// whose code is the response's, with a reason, and a client's input never
// earns a 5xx; a success that is not a stream is JSON. noNodes says the
// request addressed pods/log or pods/exec, which this in-process server
// answers 503 by design.
func checkAnswer(resp *rest.Response, noNodes bool) error {
	if resp.Code >= 400 {
		var st api.Status
		if err := json.Unmarshal(resp.Body, &st); err != nil || st.Kind != "Status" {
			return fmt.Errorf("answer %d is not a Status: %s", resp.Code, resp.Body)
		}
		if int(st.Code) != resp.Code || st.Reason == "" || st.Status != "Failure" {
			return fmt.Errorf("answer %d carries Status code=%d reason=%q status=%q, want code %d, a reason and Failure: %s",
				resp.Code, st.Code, st.Reason, st.Status, resp.Code, resp.Body)
		}
		if resp.Code >= 500 && !(noNodes && resp.Code == http.StatusServiceUnavailable) {
			return fmt.Errorf("answer %d to a client's input, want a 4xx: %s", resp.Code, resp.Body)
		}
		return nil
	}
	if resp.Stream == nil && len(resp.Body) > 0 && !json.Valid(resp.Body) {
		return fmt.Errorf("answer %d is not JSON: %.200s", resp.Code, resp.Body)
	}
	return nil
}

// drainSome reads at most 100 events of a watch without waiting, then stops
// it: with a fixed clock and no other writer a watch never ends by itself.
func drainSome(s rest.Stream) {
	if s == nil {
		return
	}
	for i := 0; i < 100; i++ {
		if _, ok := s.Next(); !ok {
			break
		}
	}
	s.Stop()
}

// maxAllocPerCall bounds what one API call may allocate. A call's body is
// at most 3 MiB; a server that allocates 256 MiB to answer one has an
// amplification bug (a patch bomb, a quadratic merge).
const maxAllocPerCall = 256 << 20

// allocSample reads the process's total heap allocation in bytes, cheaply
// (no stop-the-world, unlike runtime.ReadMemStats).
var allocSample = []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}

// allocatedBytes returns the bytes allocated on the heap since the
// process started.
func allocatedBytes() uint64 {
	metrics.Read(allocSample)
	return allocSample[0].Value.Uint64()
}

// handleMeasured sends req and returns the answer and how many bytes
// handling it allocated (the process's other goroutines included, so an
// over-estimate under parallel tests).
func handleMeasured(srv *Server, req *rest.Request) (*rest.Response, uint64) {
	before := allocatedBytes()
	resp := srv.Handle(context.Background(), req)
	return resp, allocatedBytes() - before
}
