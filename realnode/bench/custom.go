package bench

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/rest"
	"github.com/tinykube/tinykube/realnode/httpapi"
)

// benchCRD defines the custom resource of the "custom resource creates"
// row: a schema with a few typed fields, a pattern, a default and one CEL
// rule, so that a create pays for everything a custom resource costs —
// pruning, defaulting, schema validation and a compiled rule.
const benchCRD = `{
  "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
  "metadata": {"name": "widgets.bench.tinykube.dev"},
  "spec": {"group": "bench.tinykube.dev", "scope": "Namespaced",
    "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
    "versions": [{"name": "v1", "served": true, "storage": true,
      "subresources": {"status": {}},
      "schema": {"openAPIV3Schema": {"type": "object", "properties": {
        "spec": {"type": "object", "required": ["payload"],
          "x-kubernetes-validations": [{"rule": "self.minReplicas <= self.maxReplicas", "message": "minReplicas must not exceed maxReplicas"}],
          "properties": {
            "payload": {"type": "string", "maxLength": 1024},
            "color": {"type": "string", "pattern": "^[a-z]+$", "default": "blue"},
            "minReplicas": {"type": "integer", "minimum": 0, "default": 1},
            "maxReplicas": {"type": "integer", "minimum": 1, "default": 3}}},
        "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}}}]}}`

// customCreates creates custom objects through the API over HTTP, as
// httpCreates does ConfigMaps: the same payload, plus the schema's work.
func customCreates(etcd *clientv3.Client, workers int) measurement {
	hc := keepAliveClient(workers)
	return measurement{
		name: "custom resource creates over HTTP",
		note: "(schema, defaults, a CEL rule)",
		start: func(ctx context.Context, prefix string) (op, func(), error) {
			base, stop, err := serveHTTP(ctx, etcd, prefix, hc)
			if err != nil {
				return nil, nil, err
			}
			cl := client.New(&httpapi.Transport{BaseURL: base, Client: hc})
			res, err := defineWidgets(ctx, cl)
			if err != nil {
				stop()
				return nil, nil, err
			}
			widgets := client.Dynamic(cl, res)
			payload := strings.Repeat("x", payloadBytes)
			return func(ctx context.Context, w, i int) error {
				obj := &api.Unstructured{
					TypeMeta:   api.TypeMeta{APIVersion: res.APIVersion(), Kind: res.Kind},
					ObjectMeta: api.ObjectMeta{Name: fmt.Sprintf("bench-w%d-%d", w, i), Namespace: "default"},
					Content:    map[string]any{"spec": map[string]any{"payload": payload}},
				}
				if _, err := widgets.Create(ctx, obj, client.WriteOptions{}); err != nil {
					return fmt.Errorf("create Widget default/%s: %w", obj.Name, err)
				}
				return nil
			}, stop, nil
		},
	}
}

// defineWidgets creates benchCRD and waits until the server serves it.
func defineWidgets(ctx context.Context, cl *client.Client) (*api.Resource, error) {
	_, err := cl.Do(ctx, &rest.Request{Method: http.MethodPost, Path: "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
		ContentType: rest.ContentJSON, Body: []byte(benchCRD)})
	if err != nil {
		return nil, fmt.Errorf("creating the benchmark's CustomResourceDefinition: %w", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		set, err := client.Discover(ctx, cl)
		if err == nil {
			if res := set.ByPlural("bench.tinykube.dev", "widgets"); res != nil {
				return res, nil
			}
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("the benchmark's CustomResourceDefinition was not served within 10s (last discovery error: %v)", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
