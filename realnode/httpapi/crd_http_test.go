package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	openapi_v2 "github.com/google/gnostic-models/openapiv2"
	"google.golang.org/protobuf/proto"

	"github.com/tinykube/tinykube/core/apiserver"
	"github.com/tinykube/tinykube/core/clock"
	"github.com/tinykube/tinykube/core/openapi"
	"github.com/tinykube/tinykube/core/rest"
	"github.com/tinykube/tinykube/core/store"
)

// crontabCRDJSON is the Kubernetes documentation's CronTab definition,
// with a status subresource, served at v1.
const crontabCRDJSON = `{
  "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
  "metadata": {"name": "crontabs.stable.example.com"},
  "spec": {
    "group": "stable.example.com", "scope": "Namespaced",
    "names": {"plural": "crontabs", "singular": "crontab", "kind": "CronTab", "shortNames": ["ct"]},
    "versions": [{"name": "v1", "served": true, "storage": true,
      "subresources": {"status": {}},
      "schema": {"openAPIV3Schema": {"type": "object", "properties": {
        "spec": {"type": "object", "properties": {"cronSpec": {"type": "string"}, "image": {"type": "string"}, "replicas": {"type": "integer"}}},
        "status": {"type": "object", "properties": {"replicas": {"type": "integer"}}}}}}}]
  }
}`

// serveWithCRDs starts an API server on a loopback port whose edge knows
// the server's custom resources (Options.Resources), as the control plane
// wires it.
func serveWithCRDs(t *testing.T) (*httptest.Server, *apiserver.Server) {
	t.Helper()
	srv := apiserver.New(apiserver.Config{Store: store.NewMemory(), Clock: &clock.Fixed{T: time.Unix(1e9, 0)}, Rand: rand.New(rand.NewPCG(1, 1)), Version: "test"})
	if err := srv.Bootstrap(context.Background()); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(Handler(srv.Handle, Options{Resources: srv.Resources}))
	t.Cleanup(hs.Close)
	return hs, srv
}

// call sends one request and returns the answer's code, Content-Type and
// body.
func call(t *testing.T, method, url, contentType, accept string, body []byte) (int, string, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, baseType(resp.Header.Get("Content-Type")), b
}

func createCronTabCRD(t *testing.T, base string) {
	t.Helper()
	if code, _, b := call(t, http.MethodPost, base+"/apis/apiextensions.k8s.io/v1/customresourcedefinitions", rest.ContentJSON, "", []byte(crontabCRDJSON)); code != http.StatusCreated {
		t.Fatalf("create CRD = %d %s", code, b)
	}
}

// TestCustomResourcesAreJSONOnly: a client that prefers protobuf gets
// JSON for a custom resource (objects, lists, watch events), as from
// Kubernetes; a protobuf body is refused 415 with Kubernetes' message; a
// YAML body is read; tables pass through.
func TestCustomResourcesAreJSONOnly(t *testing.T) {
	hs, _ := serveWithCRDs(t)
	createCronTabCRD(t, hs.URL)
	coll := hs.URL + "/apis/stable.example.com/v1/namespaces/default/crontabs"
	const pbFirst = ContentProtobuf + ", application/json"

	code, ct, b := call(t, http.MethodPost, coll, contentYAML, pbFirst, []byte("apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata: {name: c1}\nspec: {cronSpec: '* * * * */5', replicas: 1}\n"))
	if code != http.StatusCreated || ct != rest.ContentJSON {
		t.Fatalf("create CronTab from YAML, accepting protobuf first = %d %s %s, want 201 in JSON", code, ct, b)
	}
	for _, path := range []string{coll, coll + "/c1"} {
		if code, ct, b := call(t, http.MethodGet, path, "", pbFirst, nil); code != http.StatusOK || ct != rest.ContentJSON {
			t.Errorf("GET %s accepting protobuf first = %d %s %.100s, want 200 JSON", path, code, ct, b)
		}
	}

	code, ct, b = call(t, http.MethodPost, coll, ContentProtobuf, pbFirst, []byte("k8s\x00junk"))
	want := "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml"
	if code != http.StatusUnsupportedMediaType || !strings.Contains(string(b), want) || !strings.Contains(string(b), `"reason":"UnsupportedMediaType"`) {
		t.Errorf("create CronTab as protobuf = %d %s %s, want 415 saying %q", code, ct, b, want)
	}

	// A watch asked for as protobuf streams JSON lines.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, coll+"?watch=true&timeoutSeconds=2", nil)
	req.Header.Set("Accept", ContentProtobuf+";stream=watch, application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ev struct {
		Type   string          `json:"type"`
		Object json.RawMessage `json:"object"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&ev); err != nil || ev.Type != "ADDED" || baseType(resp.Header.Get("Content-Type")) != rest.ContentJSON {
		t.Errorf("watch accepting protobuf first: %s, first event %+v, %v; want JSON with ADDED c1", resp.Header.Get("Content-Type"), ev, err)
	}

	code, ct, b = call(t, http.MethodGet, coll, "", "application/json;as=Table;v=v1;g=meta.k8s.io, application/json", nil)
	if code != http.StatusOK || ct != rest.ContentJSON || !strings.Contains(string(b), `"kind":"Table"`) {
		t.Errorf("GET as Table = %d %s %.200s, want a Table", code, ct, b)
	}
}

// TestOpenAPIFollowsCustomResources: /openapi/v3 lists a custom resource's
// group-version once its definition exists, under a hashed URL that
// changes with the document, while the others' URLs stay; /openapi/v2, as
// JSON and as the protobuf client-go asks for, describes the kind.
func TestOpenAPIFollowsCustomResources(t *testing.T) {
	hs, _ := serveWithCRDs(t)
	index := func() openapi.V3Index {
		t.Helper()
		code, _, b := call(t, http.MethodGet, hs.URL+"/openapi/v3", "", rest.ContentJSON, nil)
		var idx openapi.V3Index
		if code != http.StatusOK || json.Unmarshal(b, &idx) != nil {
			t.Fatalf("GET /openapi/v3 = %d %.200s", code, b)
		}
		return idx
	}
	const gv = "apis/stable.example.com/v1"
	before := index()
	if _, ok := before.Paths[gv]; ok {
		t.Fatalf("/openapi/v3 lists %s before its definition exists", gv)
	}
	createCronTabCRD(t, hs.URL)
	after := index()
	entry, ok := after.Paths[gv]
	if !ok {
		t.Fatalf("/openapi/v3 does not list %s after its definition was created", gv)
	}
	if before.Paths["api/v1"] != after.Paths["api/v1"] {
		t.Errorf("api/v1's URL changed from %v to %v, though its document did not", before.Paths["api/v1"], after.Paths["api/v1"])
	}
	code, _, b := call(t, http.MethodGet, hs.URL+entry.ServerRelativeURL, "", rest.ContentJSON, nil)
	if code != http.StatusOK || !strings.Contains(string(b), `"com.example.stable.v1.CronTab"`) {
		t.Fatalf("GET %s = %d %.200s, want the CronTab's schema", entry.ServerRelativeURL, code, b)
	}

	code, _, b = call(t, http.MethodGet, hs.URL+"/openapi/v2", "", mimeV2Proto, nil)
	if code != http.StatusOK {
		t.Fatalf("GET /openapi/v2 as protobuf = %d %.200s", code, b)
	}
	var doc openapi_v2.Document
	if err := proto.Unmarshal(b, &doc); err != nil {
		t.Fatalf("/openapi/v2 as protobuf does not decode: %v", err)
	}
	found := false
	for _, d := range doc.GetDefinitions().GetAdditionalProperties() {
		found = found || d.GetName() == "com.example.stable.v1.CronTab"
	}
	if !found {
		t.Errorf("/openapi/v2 as protobuf has no com.example.stable.v1.CronTab")
	}

	// Deleting the definition's resource (its finalizer is the cleanup
	// controller's) is not needed here: a changed definition is enough
	// to see the document rebuilt with a new hash.
	patch := `{"spec":{"versions":[{"name":"v1","served":true,"storage":true,"subresources":{"status":{}},"schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}}`
	if code, _, b := call(t, http.MethodPatch, hs.URL+"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/crontabs.stable.example.com", "application/merge-patch+json", "", []byte(patch)); code != http.StatusOK {
		t.Fatalf("patch CRD = %d %s", code, b)
	}
	if changed := index().Paths[gv]; changed == entry {
		t.Errorf("the URL of %s stayed %s after its schema changed", gv, changed.ServerRelativeURL)
	}
	if code, _, _ := call(t, http.MethodGet, hs.URL+entry.ServerRelativeURL, "", rest.ContentJSON, nil); code != http.StatusOK {
		t.Errorf("GET of the stale hashed URL = %d, want the current document (redirected)", code)
	}
}
