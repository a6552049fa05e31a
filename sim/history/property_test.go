package history

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/apiserver"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/rest"
	"github.com/tinykube/tinykube/core/store"
	"github.com/tinykube/tinykube/sim"
	"pgregory.net/rapid"
)

// testWorld is an API server over a memory store in a simulated world,
// with clients whose calls are recorded, and lost when the test says so.
type testWorld struct {
	w     *sim.World
	store *store.Memory
	api   *apiserver.Server
	rec   *Recorder
	procs []*sim.Process
	// fault is what happens to each process's next call: "" (delivered),
	// "request" (lost on the way) or "answer" (lost on the way back).
	fault map[string]string
	// seen is the last resourceVersion each process saw of each object:
	// the precondition a read-modify-write client would send.
	seen map[string]map[string]string
}

func newTestWorld(t interface{ Fatal(...any) }, seed uint64, clients int) *testWorld {
	w := sim.NewWorld(seed)
	tw := &testWorld{w: w, store: store.NewMemory(), rec: NewRecorder(w.Now), fault: map[string]string{}, seen: map[string]map[string]string{}}
	api := apiserver.New(apiserver.Config{Store: tw.store, Clock: w.Loop, Rand: w.Rand(sim.APIServer), Version: "sim"})
	if err := api.Bootstrap(context.Background()); err != nil {
		t.Fatal(err)
	}
	w.Net.Handler = api.Handle
	tw.api = api
	// Recorder outside, faults inside: the recorder sees what the client
	// sees, a lost request or answer as an error.
	w.WrapTransport = func(process string, next client.Transport) client.Transport {
		return tw.rec.Wrap(process, &lossy{tw: tw, process: process, next: next})
	}
	for i := range clients {
		name := fmt.Sprintf("c%d", i)
		p := w.AddProcess(name, func(*sim.Process) {})
		p.Start()
		tw.procs = append(tw.procs, p)
		tw.seen[name] = map[string]string{}
	}
	return tw
}

// lossy loses a request or its answer when the test says so, as the
// simulated network does with its own dice.
type lossy struct {
	tw      *testWorld
	process string
	next    client.Transport
}

func (l *lossy) Do(ctx context.Context, req *rest.Request) (*rest.Response, error) {
	f := l.tw.fault[l.process]
	delete(l.tw.fault, l.process)
	switch f {
	case "request":
		return nil, sim.ErrTimeout
	case "pretend":
		return l.tw.pretend(ctx, req), nil
	}
	resp, err := l.next.Do(ctx, req)
	if err == nil && f == "answer" {
		return nil, sim.ErrTimeout
	}
	return resp, err
}

// pretend answers a write of an existing object as a broken server that
// loses acknowledged writes would: 200, the object at a new
// resourceVersion, and nothing written.
func (tw *testWorld) pretend(ctx context.Context, req *rest.Request) *rest.Response {
	cur := tw.api.Handle(ctx, &rest.Request{Method: http.MethodGet, Path: req.Path})
	rev, _ := tw.store.Revision(ctx)
	var obj map[string]any
	if cur.Code != http.StatusOK || json.Unmarshal(cur.Body, &obj) != nil {
		return cur
	}
	obj["metadata"].(map[string]any)["resourceVersion"] = strconv.FormatInt(rev+1, 10)
	body, _ := json.Marshal(obj)
	return &rest.Response{Code: http.StatusOK, ContentType: rest.ContentJSON, Body: body}
}

// call sends one request from process i and remembers the resourceVersion
// it saw.
func (tw *testWorld) call(i int, obj string, req *rest.Request) {
	p := tw.procs[i]
	resp, err := p.Client().Do(context.Background(), req)
	if err != nil || resp.Code >= 300 {
		return
	}
	var m answerMeta
	if json.Unmarshal(resp.Body, &m) == nil && m.Metadata.ResourceVersion != "" {
		tw.seen[p.Name][obj] = m.Metadata.ResourceVersion
	}
}

const (
	ns      = "/api/v1/namespaces/default"
	podPath = ns + "/pods"
)

var objects = []string{"configmaps/a", "configmaps/b", "pods/p"}

// chooser makes the choices of drawOp: rapid's draws in the property
// tests, a seeded random source in the concurrent test.
type chooser interface {
	oneOf(label string, xs ...string) string
}

type rapidChooser struct{ t *rapid.T }

func (c rapidChooser) oneOf(label string, xs ...string) string {
	return rapid.SampledFrom(xs).Draw(c.t, label)
}

type randChooser struct{ r *rand.Rand }

func (c randChooser) oneOf(_ string, xs ...string) string { return xs[c.r.IntN(len(xs))] }

// drawOp draws one operation on one of a few objects, and returns it as a
// request. Preconditions are none, the last version the client saw (in
// seen; stale when another wrote since), or a version long gone.
func drawOp(c chooser, seen map[string]string, label string) (string, *rest.Request) {
	obj := c.oneOf(label+"object", objects...)
	rv := ""
	switch c.oneOf(label+"precondition", "none", "seen", "old") {
	case "seen":
		rv = seen[obj]
	case "old":
		rv = "1"
	}
	value := c.oneOf(label+"value", "0", "1", "2", "3")
	path := ns + "/" + obj
	if obj == "pods/p" {
		switch c.oneOf(label+"pod-op", "create", "get", "bind", "status", "delete", "delete-now") {
		case "create":
			return obj, &rest.Request{Method: "POST", Path: podPath, ContentType: rest.ContentJSON,
				Body: []byte(`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"busybox"}]}}`)}
		case "get":
			return obj, &rest.Request{Method: "GET", Path: path}
		case "bind":
			return obj, &rest.Request{Method: "POST", Path: path + "/binding", ContentType: rest.ContentJSON,
				Body: []byte(`{"apiVersion":"v1","kind":"Binding","metadata":{"name":"p"},"target":{"kind":"Node","name":"n` + value + `"}}`)}
		case "status":
			phase := c.oneOf(label+"phase", "Running", "Succeeded")
			return obj, &rest.Request{Method: "PATCH", Path: path + "/status", ContentType: rest.ContentMergePatch,
				Body: []byte(fmt.Sprintf(`{"metadata":{"resourceVersion":%s},"status":{"phase":%q}}`, jsonOrNull(rv), phase))}
		case "delete":
			return obj, &rest.Request{Method: "DELETE", Path: path, Body: deleteBody(rv)}
		default:
			r := &rest.Request{Method: "DELETE", Path: path, Body: deleteBody(rv)}
			r.Query = map[string][]string{"gracePeriodSeconds": {"0"}}
			return obj, r
		}
	}
	// A ConfigMap, with or without a finalizer: a delete then only marks
	// it, and a write that drops the finalizer removes it.
	name := strings.TrimPrefix(obj, "configmaps/")
	fin := ""
	if c.oneOf(label+"finalizer", "no", "yes") == "yes" {
		fin = `,"finalizers":["example.com/keep"]`
	}
	pin := ""
	if rv != "" {
		pin = `,"resourceVersion":"` + rv + `"`
	}
	configMap := func(meta string) []byte {
		return []byte(fmt.Sprintf(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":%q%s},"data":{"k":%q}}`, name, meta, value))
	}
	switch c.oneOf(label+"op", "create", "get", "update", "patch", "delete") {
	case "create":
		return obj, &rest.Request{Method: "POST", Path: ns + "/configmaps", ContentType: rest.ContentJSON,
			Body: configMap(fin)}
	case "get":
		return obj, &rest.Request{Method: "GET", Path: path}
	case "update":
		return obj, &rest.Request{Method: "PUT", Path: path, ContentType: rest.ContentJSON, Body: configMap(fin + pin)}
	case "patch":
		drop := ""
		if c.oneOf(label+"drop-finalizers", "no", "yes") == "yes" {
			drop = `,"finalizers":null`
		}
		return obj, &rest.Request{Method: "PATCH", Path: path, ContentType: rest.ContentMergePatch,
			Body: []byte(fmt.Sprintf(`{"metadata":{"resourceVersion":%s%s},"data":{"k":%q}}`, jsonOrNull(rv), drop, value))}
	default:
		return obj, &rest.Request{Method: "DELETE", Path: path, Body: deleteBody(rv)}
	}
}

func jsonOrNull(rv string) string {
	if rv == "" {
		return "null"
	}
	return strconv.Quote(rv)
}

func deleteBody(rv string) []byte {
	if rv == "" {
		return nil
	}
	return []byte(`{"apiVersion":"v1","kind":"DeleteOptions","preconditions":{"resourceVersion":"` + rv + `"}}`)
}

// run draws n operations by random clients, each delivered, or lost on
// the way there or back, and runs them in the world, 10ms apart.
func (tw *testWorld) run(t *rapid.T, n int, faults bool) {
	for k := range n {
		label := fmt.Sprintf("op%d-", k)
		i := rapid.IntRange(0, len(tw.procs)-1).Draw(t, label+"client")
		obj, req := drawOp(rapidChooser{t}, tw.seen[tw.procs[i].Name], label)
		if faults {
			tw.fault[tw.procs[i].Name] = rapid.SampledFrom([]string{"", "", "", "request", "answer"}).Draw(t, label+"fault")
		}
		tw.w.At(tw.w.Elapsed()+10*time.Millisecond, func() { tw.call(i, obj, req) })
		tw.w.RunFor(10 * time.Millisecond)
	}
}

// Whatever clients do, and whatever the network loses, the API server's
// answers are linearizable.
func TestPropertyHistoryIsLinearizable(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		tw := newTestWorld(t, rapid.Uint64().Draw(t, "seed"), 3)
		tw.run(t, rapid.IntRange(1, 60).Draw(t, "ops"), true)
		h := tw.rec.History()
		if len(h) == 0 {
			t.Fatal("nothing recorded")
		}
		if r := Check(h, Options{}); !r.Ok {
			t.Fatalf("%s", r)
		}
	})
}

// An API server that answers one client's reads from an old revision is
// caught: after any history, once c1's reads are frozen, a write by c0 that
// was acknowledged and then a read by c1 of the same object make a
// violation on that object. (The object is made to exist before the
// freeze: a stale "not found" could be explained by a delete still in
// flight, lost on its way, that took effect late.)
func TestPropertyStaleReadsAreCaught(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		tw := newTestWorld(t, rapid.Uint64().Draw(t, "seed"), 2)
		tw.run(t, rapid.IntRange(0, 30).Draw(t, "ops"), rapid.Bool().Draw(t, "faults"))
		tw.call(0, "configmaps/a", &rest.Request{Method: "POST", Path: ns + "/configmaps", ContentType: rest.ContentJSON,
			Body: []byte(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},"data":{"k":"fresh"}}`)})
		rev, err := tw.store.Revision(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		tw.w.Net.StaleReads("c1", rev)
		tw.call(0, "configmaps/a", &rest.Request{Method: "PATCH", Path: ns + "/configmaps/a", ContentType: rest.ContentMergePatch,
			Body: []byte(`{"data":{"k":"fresher"}}`)})
		tw.call(1, "configmaps/a", &rest.Request{Method: "GET", Path: ns + "/configmaps/a"})
		r := Check(tw.rec.History(), Options{})
		if r.Ok {
			t.Fatalf("a read served from revision %d after an acknowledged write passed:\n%s", rev, r)
		}
		if r.Key != "default/configmaps/a" {
			t.Fatalf("the violation is on %s, want default/configmaps/a:\n%s", r.Key, r)
		}
	})
}

// A server that acknowledges a write and loses it is caught: after any
// history, c0's patch of configmap a is answered 200 without being
// written, and c1's read then shows the version before it.
func TestPropertyLostAcknowledgedWriteIsCaught(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		tw := newTestWorld(t, rapid.Uint64().Draw(t, "seed"), 2)
		tw.run(t, rapid.IntRange(0, 30).Draw(t, "ops"), rapid.Bool().Draw(t, "faults"))
		tw.call(0, "configmaps/a", &rest.Request{Method: "POST", Path: ns + "/configmaps", ContentType: rest.ContentJSON,
			Body: []byte(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},"data":{"k":"fresh"}}`)})
		tw.fault["c0"] = "pretend"
		tw.call(0, "configmaps/a", &rest.Request{Method: "PATCH", Path: ns + "/configmaps/a", ContentType: rest.ContentMergePatch,
			Body: []byte(`{"data":{"k":"lost"}}`)})
		tw.call(1, "configmaps/a", &rest.Request{Method: "GET", Path: ns + "/configmaps/a"})
		r := Check(tw.rec.History(), Options{})
		if r.Ok || r.Key != "default/configmaps/a" {
			t.Fatalf("an acknowledged patch that was never written was not caught on default/configmaps/a:\n%s", r)
		}
	})
}
