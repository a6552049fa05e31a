package apiserver

import (
	"context"
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/clock"
	"github.com/tinykube/tinykube/core/rest"
	"github.com/tinykube/tinykube/core/store"
)

var fuzzMethods = []string{"GET", "POST", "PUT", "PATCH", "DELETE"}
var fuzzTypes = []string{rest.ContentJSON, rest.ContentMergePatch, rest.ContentJSONPatch, "text/yaml", "", rest.ContentStrategicPatch}

// FuzzHandle sends arbitrary requests to a server holding a few objects.
// Whatever arrives, the server must answer without panicking, without an
// internal error, and must leave only objects that decode in the store.
func FuzzHandle(f *testing.F) {
	seeds := []struct {
		m     uint8
		path  string
		query string
		ct    uint8
		body  string
	}{
		{1, "/api/v1/namespaces/default/pods", "", 0, `{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"i"}]}}`},
		{2, "/api/v1/namespaces/default/pods/seed", "", 0, `{"metadata":{"name":"seed","resourceVersion":"1"},"spec":{"containers":[]}}`},
		{3, "/api/v1/namespaces/default/pods/seed", "", 1, `{"metadata":{"labels":{"a":null}},"spec":{"nodeName":"x"}}`},
		{3, "/api/v1/namespaces/default/pods/seed", "", 2, `[{"op":"move","from":"/spec","path":"/spec/x"}]`},
		{3, "/api/v1/namespaces/default/pods/seed/status", "", 2, `[{"op":"add","path":"/status/conditions/-","value":{"type":"Ready"}}]`},
		{3, "/api/v1/namespaces/default/pods/seed", "", 5, `{"spec":{"$setElementOrder/containers":[{"name":"c"}],"containers":[{"name":"c","image":"j","$retainKeys":["name"]}]}}`},
		{3, "/api/v1/namespaces/default/pods/seed/status", "", 5, `{"status":{"conditions":[{"type":"Ready","status":"True"},{"type":"X","$patch":"delete"}]}}`},
		{4, "/api/v1/namespaces/default/pods/seed", "gracePeriodSeconds=-5", 0, `{"preconditions":{"uid":"x"}}`},
		{0, "/apis/apps/v1/deployments", "labelSelector=a+in+(b),c&limit=1&continue=eyJydiI6MX0", 0, ""},
		{0, "/api/v1/namespaces/default/pods", "watch=1&resourceVersion=-1", 0, ""},
		{1, "/apis/apps/v1/namespaces/default/deployments", "fieldValidation=Strict", 0, `{"metadata":{"name":"d"},"spec":{"replicas":-1,"selector":{},"template":{}}}`},
		{1, "/api/v1/namespaces", "", 0, `{"metadata":{"generateName":"x-"}}`},
		{4, "/api/v1/namespaces/kube-system", "", 0, ``},
	}
	for _, s := range seeds {
		f.Add(s.m, s.path, s.query, s.ct, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, m uint8, path, query string, ct uint8, body []byte) {
		ctx := context.Background()
		st := store.NewMemory()
		srv := New(Config{Store: st, Clock: &clock.Fixed{T: t0}, Rand: rand.New(rand.NewPCG(1, 2))})
		if err := srv.Bootstrap(ctx); err != nil {
			t.Fatal(err)
		}
		seed := `{"metadata":{"name":"seed","finalizers":["x/y"]},"spec":{"nodeName":"n","containers":[{"name":"c","image":"i"}]}}`
		if r := srv.Handle(ctx, &rest.Request{Method: "POST", Path: "/api/v1/namespaces/default/pods", Body: []byte(seed)}); r.Code != 201 {
			t.Fatalf("seed create = %d %s", r.Code, r.Body)
		}
		q, _ := url.ParseQuery(query)
		req := &rest.Request{Method: fuzzMethods[int(m)%len(fuzzMethods)], Path: path, Query: q,
			ContentType: fuzzTypes[int(ct)%len(fuzzTypes)], Body: body}
		resp := srv.Handle(ctx, req)
		if resp.Code >= 500 {
			t.Fatalf("%s %s?%s = %d %s", req.Method, path, query, resp.Code, resp.Body)
		}
		if resp.Stream != nil {
			for i := 0; i < 100; i++ {
				if _, ok := resp.Stream.Next(); !ok {
					break
				}
			}
			resp.Stream.Stop()
		}
		l, err := st.List(ctx, "/registry/", store.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, kv := range l.KVs {
			if strings.HasPrefix(kv.Key, ipAddressPrefix) || strings.HasPrefix(kv.Key, nodePortPrefix) {
				continue // a Service's reservation, not an object
			}
			res := resourceOfKey(kv.Key)
			if res == nil {
				t.Fatalf("stored key %s belongs to no resource", kv.Key)
			}
			obj, err := decodeKV(res, kv)
			if err != nil {
				t.Fatalf("stored %s does not decode: %v", kv.Key, err)
			}
			if errs := api.Validate(obj); len(errs) > 0 {
				t.Fatalf("stored %s is invalid: %v", kv.Key, errs)
			}
		}
	})
}

// resourceOfKey finds the resource a store key belongs to.
func resourceOfKey(key string) *api.Resource {
	for _, r := range api.Resources() {
		if len(key) > len(prefix(r, "")) && key[:len(prefix(r, ""))] == prefix(r, "") {
			return r
		}
	}
	return nil
}
