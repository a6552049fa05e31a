package apiserver

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"runtime/metrics"
	"strconv"
	"testing"

	"github.com/tinykube/tinykube/core/rest"
	"github.com/tinykube/tinykube/core/store"
)

// The operations of FuzzAPISequence. An operation byte's low seven bits
// pick one (mod seqOps); bit 7 sends the write as a dry run.
const (
	seqCreate     = iota // POST the kind's seed object under the name, the payload merged in
	seqUpdate            // GET the object, merge the payload in, PUT it back
	seqMergePatch        // PATCH with the payload as a merge patch
	seqJSONPatch         // … as a JSON patch
	seqStrategic         // … as a strategic merge patch
	seqApply             // server-side apply of the seed object with the payload merged in
	seqDelete            // DELETE, the payload as DeleteOptions
	seqStatus            // GET, merge the payload in, PUT …/status
	seqScale             // PATCH …/scale to the payload's first byte as replicas
	seqRead              // list, or watch from resourceVersion 0 (odd name byte)
	seqEvict             // POST …/eviction, or …/binding (name byte bit 6) to the payload as node
	seqFinalize          // clear metadata.finalizers with a merge patch
	seqOps
)

// seqDryRun in an operation byte sends the write with dryRun=All.
const seqDryRun = 0x80

// seqNames are the names a sequence's objects take, by the name byte.
var seqNames = []string{"seed", "a", "b", "kube-system"}

// Bounds of one sequence: long enough for create, change, delete chains
// across kinds; short enough to run thousands a minute.
const (
	seqMaxCalls = 48
	// seqMaxHeap bounds the live heap after a GC at any point of a
	// sequence: the fuzz world is a few megabytes, so hundreds of
	// megabytes means something keeps what it should not.
	seqMaxHeap = 512 << 20
)

// seqCall is one decoded call of a sequence.
type seqCall struct {
	op, kind, name uint8
	payload        []byte
}

// encodeSeq is the inverse of decodeSeq: how the seed corpus is written.
func encodeSeq(calls ...seqCall) []byte {
	var b []byte
	for _, c := range calls {
		p := c.payload
		if len(p) > 255 {
			p = p[:255]
		}
		b = append(append(b, c.op, c.kind, c.name, byte(len(p))), p...)
	}
	return b
}

// decodeSeq reads data as calls of four bytes (operation, kind, name,
// payload length) followed by the payload, at most seqMaxCalls; a short
// tail is dropped.
func decodeSeq(data []byte) []seqCall {
	var calls []seqCall
	for len(data) >= 4 && len(calls) < seqMaxCalls {
		c := seqCall{op: data[0], kind: data[1], name: data[2]}
		n := min(int(data[3]), len(data)-4)
		c.payload, data = data[4:4+n], data[4+n:]
		calls = append(calls, c)
	}
	return calls
}

// seqRequest returns the request of call c against srv. Some operations
// read first (update and status take the current object), so requests are
// built one call at a time, against the server as it is.
func seqRequest(ctx context.Context, srv *Server, objs []fuzzObject, c seqCall) *rest.Request {
	o := objs[int(c.kind)%len(objs)]
	name := seqNames[int(c.name)%len(seqNames)]
	if o.res.Kind == "CustomResourceDefinition" {
		name = fuzzName(o)
	}
	coll := fuzzCollection(o.res, "default")
	one := coll + "/" + name
	q := url.Values{}
	if c.op&seqDryRun != 0 {
		q.Set("dryRun", "All")
	}
	req := &rest.Request{Method: http.MethodPatch, Path: one, Query: q, ContentType: rest.ContentJSON, User: fuzzUser, Body: c.payload}
	withPayload := func(doc []byte) []byte {
		if merged, err := mergePatch(doc, c.payload); err == nil {
			return merged
		}
		return doc
	}
	current := func() []byte {
		r := srv.Handle(ctx, &rest.Request{Method: http.MethodGet, Path: one, User: fuzzUser})
		if r.Code != http.StatusOK {
			return fuzzBody(o, name)
		}
		return r.Body
	}
	switch int(c.op&^seqDryRun) % seqOps {
	case seqCreate:
		req.Method, req.Path, req.Body = http.MethodPost, coll, withPayload(fuzzBody(o, name))
	case seqUpdate:
		req.Method, req.Body = http.MethodPut, withPayload(current())
	case seqMergePatch:
		req.ContentType = rest.ContentMergePatch
	case seqJSONPatch:
		req.ContentType = rest.ContentJSONPatch
	case seqStrategic:
		req.ContentType = rest.ContentStrategicPatch
	case seqApply:
		req.ContentType, req.Body = rest.ContentApplyPatch, withPayload(fuzzBody(o, name))
		q.Set("fieldManager", "fuzz-"+strconv.Itoa(int(c.name%3)))
		if c.name&0x80 != 0 {
			q.Set("force", "true")
		}
	case seqDelete:
		req.Method = http.MethodDelete
	case seqStatus:
		req.Method, req.Path, req.Body = http.MethodPut, one+"/status", withPayload(current())
	case seqScale:
		replicas := 0
		if len(c.payload) > 0 {
			replicas = int(c.payload[0]) - 8 // a few negative counts too
		}
		req.Path, req.ContentType = one+"/scale", rest.ContentMergePatch
		req.Body = []byte(`{"spec":{"replicas":` + strconv.Itoa(replicas) + `}}`)
	case seqRead:
		req.Method, req.Path, req.Body = http.MethodGet, coll, nil
		if c.name&1 != 0 {
			req.Query.Set("watch", "true")
			req.Query.Set("resourceVersion", "0")
		}
	case seqEvict:
		req.Method, req.Path = http.MethodPost, one+"/eviction"
		req.Body = []byte(`{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"` + name + `","namespace":"default"}}`)
		if c.name&0x40 != 0 {
			req.Path = one + "/binding"
			req.Body = mustMarshal(map[string]any{"apiVersion": "v1", "kind": "Binding", "metadata": map[string]any{"name": name},
				"target": map[string]any{"kind": "Node", "name": string(c.payload)}})
		}
	case seqFinalize:
		req.ContentType, req.Body = rest.ContentMergePatch, []byte(`{"metadata":{"finalizers":null}}`)
	}
	return req
}

// seqState is what FuzzAPISequence remembers between calls to check the
// next: the store's revision and every key's ModRevision.
type seqState struct {
	rev  int64
	mods map[string]int64
}

// observe checks the store after a call against what it was before: the
// revision never goes back, and neither does any key's ModRevision; a dry
// run changes nothing. It returns the state to compare the next call with.
func (prev seqState) observe(st store.Store, dryRun bool) (seqState, error) {
	ctx := context.Background()
	l, err := st.List(ctx, "/", store.ListOptions{})
	if err != nil {
		return prev, fmt.Errorf("list the store: %v", err)
	}
	next := seqState{rev: l.Revision, mods: make(map[string]int64, len(l.KVs))}
	if next.rev < prev.rev {
		return next, fmt.Errorf("store revision went back from %d to %d", prev.rev, next.rev)
	}
	if dryRun && next.rev != prev.rev {
		return next, fmt.Errorf("a dry run moved the store from revision %d to %d", prev.rev, next.rev)
	}
	for _, kv := range l.KVs {
		next.mods[kv.Key] = kv.ModRevision
		if was, ok := prev.mods[kv.Key]; ok && kv.ModRevision < was {
			return next, fmt.Errorf("%s: resourceVersion went back from %d to %d", kv.Key, was, kv.ModRevision)
		}
		if kv.ModRevision > next.rev {
			return next, fmt.Errorf("%s: resourceVersion %d is past the store's revision %d", kv.Key, kv.ModRevision, next.rev)
		}
	}
	return next, nil
}

// checkAnsweredVersion checks a successful write's answer: the object it
// returns carries a resourceVersion no newer than the store's revision.
func checkAnsweredVersion(resp *rest.Response, rev int64) error {
	if resp.Code/100 != 2 || resp.Stream != nil {
		return nil
	}
	var obj struct {
		Kind     string `json:"kind"`
		Metadata struct {
			ResourceVersion string `json:"resourceVersion"`
		} `json:"metadata"`
	}
	if json.Unmarshal(resp.Body, &obj) != nil || obj.Metadata.ResourceVersion == "" {
		return nil
	}
	got, err := strconv.ParseInt(obj.Metadata.ResourceVersion, 10, 64)
	if err != nil {
		return fmt.Errorf("answered %s has resourceVersion %q, not a number", obj.Kind, obj.Metadata.ResourceVersion)
	}
	if got > rev {
		return fmt.Errorf("answered %s has resourceVersion %d, past the store's revision %d", obj.Kind, got, rev)
	}
	return nil
}

// liveSample reads the heap the last GC found live.
var liveSample = []metrics.Sample{{Name: "/gc/heap/live:bytes"}}

// liveHeap returns the bytes of heap the last collection marked live:
// the heap in use after a GC, without forcing one (a forced collection
// per check cost more than the calls it checked).
func liveHeap() uint64 {
	metrics.Read(liveSample)
	return liveSample[0].Value.Uint64()
}

// FuzzAPISequence drives one in-process Server (over the fuzz world in a
// memory store) with a sequence of calls decoded from the input
// (decodeSeq): creates, updates, every patch type, apply, deletes, status
// and scale writes, evictions, bindings, lists and watches, any of them
// as dry runs. After every call it checks the answer (checkAnswer), what
// the call allocated, that everything the call stored decodes, validates
// and round-trips (checkStored), that no revision or resourceVersion goes
// back and a dry run writes nothing (seqState.observe), and that the
// heap the last GC found live stays below seqMaxHeap.
func FuzzAPISequence(f *testing.F) {
	objs := fuzzObjects()
	kindOf := func(kind string) uint8 { return fuzzKindIndex(f, objs, kind) }
	p := func(s string) []byte { return []byte(s) }
	pod, dep, ns, sts, job, svc, crd, ct := kindOf("Pod"), kindOf("Deployment"), kindOf("Namespace"), kindOf("StatefulSet"),
		kindOf("Job"), kindOf("Service"), kindOf("CustomResourceDefinition"), kindOf("CronTab")
	f.Add(encodeSeq(
		seqCall{seqCreate, dep, 1, p(`{"spec":{"replicas":1}}`)},
		seqCall{seqScale, dep, 1, []byte{11}},
		seqCall{seqStrategic, dep, 1, p(`{"spec":{"template":{"spec":{"containers":[{"name":"c","image":"busybox:2"}]}}}}`)},
		seqCall{seqStatus, dep, 1, p(`{"status":{"replicas":3,"readyReplicas":1,"observedGeneration":2}}`)},
		seqCall{seqRead, dep, 1, nil},
		seqCall{seqDelete, dep, 1, p(`{"propagationPolicy":"Foreground"}`)},
		seqCall{seqFinalize, dep, 1, nil},
	))
	f.Add(encodeSeq(
		seqCall{seqCreate, pod, 2, p(`{"metadata":{"finalizers":["example.com/keep"]}}`)},
		seqCall{seqEvict, pod, 2 | 0x40, p(`seed`)},
		seqCall{seqStatus, pod, 2, p(`{"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}}`)},
		seqCall{seqEvict, pod, 2, nil},
		seqCall{seqDelete, pod, 2, p(`{"gracePeriodSeconds":30}`)},
		seqCall{seqJSONPatch, pod, 2, p(`[{"op":"remove","path":"/metadata/finalizers/0"}]`)},
		seqCall{seqRead, pod, 1, nil},
	))
	f.Add(encodeSeq(
		seqCall{seqCreate, ns, 1, nil},
		seqCall{seqCreate | seqDryRun, ns, 2, nil},
		seqCall{seqDelete, ns, 1, nil},
		seqCall{seqStatus, ns, 1, p(`{"status":{"phase":"Active"}}`)},
		seqCall{seqUpdate, ns, 1, p(`{"metadata":{"labels":{"x":"y"}}}`)},
		seqCall{seqDelete, ns, 3, nil},
	))
	f.Add(encodeSeq(
		seqCall{seqApply, sts, 1, p(`{"spec":{"replicas":3}}`)},
		seqCall{seqApply | seqDryRun, sts, 1 | 0x80, p(`{"spec":{"replicas":4}}`)},
		seqCall{seqApply, sts, 2 | 0x80, p(`{"spec":{"replicas":5}}`)},
		seqCall{seqMergePatch, sts, 1, p(`{"spec":{"updateStrategy":{"type":"OnDelete"}}}`)},
		seqCall{seqCreate, job, 1, nil},
		seqCall{seqStatus, job, 1, p(`{"status":{"active":1,"startTime":"2026-03-01T12:00:00Z"}}`)},
		seqCall{seqCreate, svc, 1, p(`{"spec":{"type":"NodePort"}}`)},
		seqCall{seqUpdate, svc, 1, p(`{"spec":{"type":"ClusterIP","ports":[{"name":"http","port":81}]}}`)},
		seqCall{seqDelete, svc, 1, nil},
	))
	f.Add(encodeSeq(
		seqCall{seqCreate, ct, 1, p(`{"spec":{"replicas":2}}`)},
		seqCall{seqStatus, ct, 1, p(`{"status":{"ready":true}}`)},
		seqCall{seqMergePatch, crd, 0, p(`{"spec":{"versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}}`)},
		seqCall{seqDelete, crd, 0, nil},
		seqCall{seqRead, ct, 1, nil},
		seqCall{seqFinalize, crd, 0, nil},
	))
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx := context.Background()
		srv, st, _ := newFuzzServer(t)
		state, err := seqState{}.observe(st, false)
		if err != nil {
			t.Fatal(err)
		}
		calls := decodeSeq(data)
		for i, c := range calls {
			req := seqRequest(ctx, srv, objs, c)
			before := state.rev
			resp, allocated := handleMeasured(srv, req)
			drainSome(resp.Stream)
			what := fmt.Sprintf("call %d: %s %s?%s", i, req.Method, req.Path, req.Query.Encode())
			if err := checkAnswer(resp, false); err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			if allocated > maxAllocPerCall {
				t.Fatalf("%s allocated %d MiB, want at most %d MiB", what, allocated>>20, maxAllocPerCall>>20)
			}
			if state, err = state.observe(st, c.op&seqDryRun != 0 && req.Method != http.MethodGet); err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			if err := checkAnsweredVersion(resp, state.rev); err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			if err := checkStored(srv, st, before); err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			if h := liveHeap(); h > seqMaxHeap {
				t.Fatalf("%s: live heap %d MiB after the last GC, want at most %d MiB", what, h>>20, seqMaxHeap>>20)
			}
		}
	})
}

// TestDecodeSeqInvertsEncodeSeq: the seed corpus means what it says.
func TestDecodeSeqInvertsEncodeSeq(t *testing.T) {
	want := []seqCall{{seqCreate, 1, 2, []byte(`{"a":1}`)}, {seqRead | seqDryRun, 3, 4, []byte{}}, {seqDelete, 5, 6, []byte("x")}}
	got := decodeSeq(encodeSeq(want...))
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("decodeSeq(encodeSeq(%v)) = %v", want, got)
	}
	if got := decodeSeq([]byte{1, 2, 3, 200, 'x'}); len(got) != 1 || string(got[0].payload) != "x" {
		t.Errorf("decodeSeq of a payload cut short = %v, want one call with payload x", got)
	}
}
