package apiserver

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/rest"
)

// The verbs FuzzHandle speaks, by the first byte of its input.
const (
	fzCreate = iota
	fzGet
	fzList
	fzWatch
	fzUpdate
	fzJSONPatch
	fzMergePatch
	fzStrategicPatch
	fzApply
	fzDelete
	fzDeleteCollection
	fzRaw // method and content type from the input's ct byte
	fzVerbs
)

// fuzzSubresources are what FuzzHandle appends to an object's path; the
// last one no kind has.
var fuzzSubresources = []string{"", "status", "scale", "eviction", "binding", "token", "approval", "finalize", "log", "exec", "bogus"}

// fuzzNamespaces are where FuzzHandle aims: the fixture's objects, every
// namespace (a list, or a namespaced object without one), a namespace that
// does not exist, and a system namespace.
var fuzzNamespaces = []string{"default", "", "missing", "kube-system"}

var fuzzMethods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}
var fuzzTypes = []string{rest.ContentJSON, rest.ContentMergePatch, rest.ContentJSONPatch, rest.ContentStrategicPatch,
	rest.ContentApplyPatch, "application/yaml", "text/plain", "", "application/vnd.kubernetes.protobuf", "application/json;charset=utf-8"}

// fuzzRequest builds the request FuzzHandle sends: verb (mod fzVerbs),
// kind (an index into fuzzObjects' resources), where (the subresource in
// its low nibble, the namespace in its high one), the object's name, a
// raw query string, ct (the method and content type for fzRaw, and a
// content type overriding the verb's when non-zero) and the body.
func fuzzRequest(objs []fuzzObject, verb, kind, where uint8, name, query string, ct uint8, body []byte) (*rest.Request, string) {
	res := objs[int(kind)%len(objs)].res
	sub := fuzzSubresources[int(where&0xf)%len(fuzzSubresources)]
	ns := fuzzNamespaces[int(where>>4)%len(fuzzNamespaces)]
	coll := fuzzCollection(res, ns)
	one := coll + "/" + name
	if sub != "" {
		one += "/" + sub
	}
	q, _ := url.ParseQuery(query)
	req := &rest.Request{Query: q, Body: body, ContentType: rest.ContentJSON, Path: one, User: fuzzUser}
	switch int(verb) % fzVerbs {
	case fzCreate:
		req.Method, req.Path = http.MethodPost, coll
		if sub != "" {
			req.Path = one // POST …/eviction, …/binding, …/token
		}
	case fzGet:
		req.Method = http.MethodGet
	case fzList:
		req.Method, req.Path = http.MethodGet, coll
	case fzWatch:
		req.Method, req.Path = http.MethodGet, coll
		if req.Query == nil {
			req.Query = url.Values{}
		}
		req.Query.Set("watch", "true")
	case fzUpdate:
		req.Method = http.MethodPut
	case fzJSONPatch:
		req.Method, req.ContentType = http.MethodPatch, rest.ContentJSONPatch
	case fzMergePatch:
		req.Method, req.ContentType = http.MethodPatch, rest.ContentMergePatch
	case fzStrategicPatch:
		req.Method, req.ContentType = http.MethodPatch, rest.ContentStrategicPatch
	case fzApply:
		req.Method, req.ContentType = http.MethodPatch, rest.ContentApplyPatch
	case fzDelete:
		req.Method = http.MethodDelete
	case fzDeleteCollection:
		req.Method, req.Path = http.MethodDelete, coll
	case fzRaw:
		req.Method = fuzzMethods[int(ct>>4)%len(fuzzMethods)]
	}
	if ct != 0 {
		req.ContentType = fuzzTypes[int(ct&0xf)%len(fuzzTypes)]
	}
	return req, sub
}

// fuzzQueries are the query parameters the server reads, as the seed
// corpus gives them: valid values and the edges of each.
var fuzzQueries = []string{
	"",
	"dryRun=All",
	"dryRun=All&fieldManager=fuzz&fieldValidation=Strict",
	"fieldManager=kubectl&force=true",
	"fieldValidation=Warn",
	"fieldValidation=Ignore",
	"timeoutSeconds=1&allowWatchBookmarks=true",
	"sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true",
	"limit=1&continue=eyJydiI6MSwic3RhcnQiOiJzZWVkIn0",
	"resourceVersion=0&resourceVersionMatch=NotOlderThan",
	"resourceVersion=1&resourceVersionMatch=Exact",
	"labelSelector=app%3Da%2Capp+notin+(b)&fieldSelector=metadata.name%3Dseed",
	"fieldSelector=spec.nodeName%3D%2Cstatus.phase!%3DRunning",
	"gracePeriodSeconds=0&propagationPolicy=Foreground",
	"gracePeriodSeconds=-1&propagationPolicy=Orphan",
	"propagationPolicy=Background&orphanDependents=false",
	"pretty=true&includeObject=Object",
}

// FuzzHandle sends arbitrary requests, over every kind, verb, patch type,
// subresource and query parameter the server reads, to a server holding
// one object of every kind (see fuzzWorld). Per call it checks that the
// server does not panic, answers an error with a well-formed Status and
// never with a 5xx, allocates less than maxAllocPerCall, and leaves only
// valid, round-tripping objects in the store (checkStored).
func FuzzHandle(f *testing.F) {
	objs := fuzzObjects()
	for k, o := range objs {
		kind := uint8(k)
		name := fuzzName(o)
		full := fuzzBody(o, name)
		f.Add(uint8(fzCreate), kind, uint8(0), "", fuzzQueries[k%len(fuzzQueries)], uint8(0), fuzzBody(o, "fuzz"))
		if o.res.Virtual {
			continue
		}
		f.Add(uint8(fzGet), kind, uint8(0), name, "", uint8(0), []byte(nil))
		f.Add(uint8(fzList), kind, uint8(0x10), "", fuzzQueries[(k+8)%len(fuzzQueries)], uint8(0), []byte(nil))
		f.Add(uint8(fzWatch), kind, uint8(0), "", fuzzQueries[(k+6)%len(fuzzQueries)], uint8(0), []byte(nil))
		f.Add(uint8(fzUpdate), kind, uint8(0), name, fuzzQueries[(k+2)%len(fuzzQueries)], uint8(0), full)
		f.Add(uint8(fzMergePatch), kind, uint8(0), name, "", uint8(0), []byte(`{"metadata":{"labels":{"fuzz":"x","app":null}}}`))
		f.Add(uint8(fzApply), kind, uint8(0), name, "fieldManager=fuzz&force=true", uint8(0), full)
		del := []byte(nil)
		if k%3 == 0 {
			del = []byte(`{"preconditions":{"resourceVersion":"1"}}`)
		}
		f.Add(uint8(fzDelete), kind, uint8(0), name, fuzzQueries[13+k%3], uint8(0), del)
		if o.res.HasStatus {
			f.Add(uint8(fzUpdate), kind, uint8(1), name, "", uint8(0), full)
		}
		if hasScale(o.res) {
			f.Add(uint8(fzUpdate), kind, uint8(2), name, "", uint8(0), []byte(`{"kind":"Scale","apiVersion":"autoscaling/v1","metadata":{"name":"seed","namespace":"default"},"spec":{"replicas":5}}`))
		}
	}
	kindOf := func(kind string) uint8 { return fuzzKindIndex(f, objs, kind) }
	pod, dep, sa, ns, csr := kindOf("Pod"), kindOf("Deployment"), kindOf("ServiceAccount"), kindOf("Namespace"), kindOf("CertificateSigningRequest")
	for _, s := range []struct {
		verb, kind, where uint8
		name, query       string
		ct                uint8
		body              string
	}{
		{fzJSONPatch, pod, 0, "seed", "", 0, `[{"op":"move","from":"/spec","path":"/spec/x"}]`},
		{fzJSONPatch, pod, 1, "seed", "", 0, `[{"op":"add","path":"/status/conditions/-","value":{"type":"Ready","status":"True"}}]`},
		// Each copy of /x into itself doubles it: a patch bomb's seed, for
		// the fuzzer to grow by repeating the last operation.
		{fzJSONPatch, kindOf("ConfigMap"), 0, "seed", "", 0, `[{"op":"add","path":"/x","value":[1]},{"op":"copy","from":"/x","path":"/x/-"},{"op":"copy","from":"/x","path":"/x/-"},{"op":"copy","from":"/x","path":"/x/-"}]`},
		{fzJSONPatch, dep, 0, "seed", "", 0, `[{"op":"test","path":"/spec/replicas","value":2},{"op":"replace","path":"/spec/replicas","value":3},{"op":"copy","from":"/metadata/labels","path":"/metadata/annotations"}]`},
		{fzStrategicPatch, pod, 0, "seed", "", 0, `{"spec":{"$setElementOrder/containers":[{"name":"c"}],"containers":[{"name":"c","image":"j","$retainKeys":["name"]}]}}`},
		{fzStrategicPatch, pod, 1, "seed", "", 0, `{"status":{"conditions":[{"type":"Ready","status":"True"},{"type":"X","$patch":"delete"}]}}`},
		{fzStrategicPatch, dep, 0, "seed", "", 0, `{"spec":{"template":{"spec":{"containers":[{"name":"d","image":"busybox"}]}}}}`},
		{fzMergePatch, dep, 2, "seed", "", 0, `{"spec":{"replicas":7}}`},
		{fzCreate, pod, 3, "seed", "", 0, `{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"seed","namespace":"default"},"deleteOptions":{"gracePeriodSeconds":0}}`},
		{fzCreate, pod, 4, "seed", "", 0, `{"apiVersion":"v1","kind":"Binding","metadata":{"name":"seed"},"target":{"apiVersion":"v1","kind":"Node","name":"seed"}}`},
		{fzCreate, sa, 5, "seed", "", 0, `{"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{"audiences":["api"],"expirationSeconds":3600}}`},
		{fzUpdate, csr, 6, "seed", "", 0, `{"apiVersion":"certificates.k8s.io/v1","kind":"CertificateSigningRequest","metadata":{"name":"seed"},"status":{"conditions":[{"type":"Approved","status":"True","reason":"Fuzz"}]}}`},
		{fzUpdate, ns, 7, "seed", "", 0, `{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"seed"},"spec":{"finalizers":[]}}`},
		{fzDelete, ns, 0, "kube-system", "", 0, ``},
		{fzDeleteCollection, pod, 0, "", "labelSelector=app%3Da&gracePeriodSeconds=0", 0, ``},
		{fzGet, pod, 8, "seed", "container=c&tailLines=1", 0, ``},
		{fzRaw, dep, 0, "seed", "", 0x35, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: seed\nspec:\n  replicas: 1\n"},
		{fzCreate, dep, 0, "", "", 0x45, `{"metadata":{"name":"big"},"spec":{"replicas":-1,"selector":{},"template":{}}}`},
		{fzCreate, ns, 0, "", "", 0, `{"metadata":{"generateName":"x-"}}`},
	} {
		f.Add(s.verb, s.kind, s.where, s.name, s.query, s.ct, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, verb, kind, where uint8, name, query string, ct uint8, body []byte) {
		srv, st, base := newFuzzServer(t)
		req, sub := fuzzRequest(objs, verb, kind, where, name, query, ct, body)
		resp, allocated := handleMeasured(srv, req)
		drainSome(resp.Stream)
		if err := checkAnswer(resp, sub == "log" || sub == "exec"); err != nil {
			t.Fatalf("%s %s?%s: %v", req.Method, req.Path, query, err)
		}
		if allocated > maxAllocPerCall {
			t.Fatalf("%s %s?%s allocated %d MiB, want at most %d MiB", req.Method, req.Path, query, allocated>>20, maxAllocPerCall>>20)
		}
		if err := checkStored(srv, st, base); err != nil {
			t.Fatalf("after %s %s?%s: %v", req.Method, req.Path, query, err)
		}
	})
}

// TestFuzzObjectsCoverEveryKind: the fuzzers' seed objects name every
// built-in kind, and the fuzz world holds every stored one (building it
// fails on an object the server refuses).
func TestFuzzObjectsCoverEveryKind(t *testing.T) {
	have := map[string]bool{}
	for _, o := range fuzzObjects() {
		have[o.res.Kind] = true
	}
	for _, r := range api.Resources() {
		if !have[r.Kind] {
			t.Errorf("fuzzObjects has no %s: add one so the fuzzers reach it", r.Kind)
		}
	}
	srv, st, base := newFuzzServer(t)
	if err := checkStored(srv, st, 0); err != nil {
		t.Errorf("the fuzz world: %v", err)
	}
	for _, o := range fuzzObjects() {
		if o.res.Virtual {
			continue
		}
		path := fuzzCollection(o.res, "default") + "/" + fuzzName(o)
		if resp := srv.Handle(t.Context(), &rest.Request{Method: http.MethodGet, Path: path}); resp.Code != http.StatusOK {
			t.Errorf("GET %s = %d, want 200", path, resp.Code)
		}
	}
	if base < 2 {
		t.Errorf("fuzz world revision = %d, want the bootstrap's writes", base)
	}
}
