package httpapi

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	openapi_v2 "github.com/google/gnostic-models/openapiv2"
	openapi_v3 "github.com/google/gnostic-models/openapiv3"
	"google.golang.org/protobuf/proto"
)

func get(t *testing.T, url string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// TestOpenAPIDocuments checks the documents with gnostic, the library
// client-go decodes them with, and the negotiation and caching kubectl
// relies on.
func TestOpenAPIDocuments(t *testing.T) {
	_, hs, _ := serve(t)

	// v2 as client-go asks for it: protobuf only.
	resp, body := get(t, hs.URL+"/openapi/v2", "Accept", mimeV2Proto)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != mimeV2ProtoV1 {
		t.Fatalf("GET /openapi/v2 (protobuf) = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var doc openapi_v2.Document
	if err := proto.Unmarshal(body, &doc); err != nil {
		t.Fatalf("v2 protobuf does not decode: %v", err)
	}
	found := false
	for _, d := range doc.GetDefinitions().GetAdditionalProperties() {
		found = found || d.GetName() == "io.k8s.api.apps.v1.Deployment"
	}
	if !found {
		t.Errorf("v2 protobuf has no io.k8s.api.apps.v1.Deployment definition")
	}
	// v2 as JSON, and 406 for what is not offered, so a client falls back.
	if resp, body := get(t, hs.URL+"/openapi/v2", "Accept", "application/json"); resp.StatusCode != 200 || !json.Valid(body) {
		t.Errorf("GET /openapi/v2 (JSON) = %d", resp.StatusCode)
	}
	if resp, _ := get(t, hs.URL+"/openapi/v2", "Accept", "application/yaml"); resp.StatusCode != http.StatusNotAcceptable {
		t.Errorf("GET /openapi/v2 (YAML) = %d, want 406", resp.StatusCode)
	}

	// v3: the index, then each document by its hashed URL.
	resp, body = get(t, hs.URL+"/openapi/v3", "Accept", "application/json, */*")
	var index struct {
		Paths map[string]struct{ ServerRelativeURL string } `json:"paths"`
	}
	if err := json.Unmarshal(body, &index); err != nil || resp.StatusCode != 200 || len(index.Paths) == 0 {
		t.Fatalf("GET /openapi/v3 = %d %s (%v)", resp.StatusCode, body, err)
	}
	for _, gv := range []string{"api/v1", "apis/apps/v1", "apis/batch/v1", "apis/coordination.k8s.io/v1"} {
		url := index.Paths[gv].ServerRelativeURL
		if !strings.HasPrefix(url, "/openapi/v3/"+gv+"?hash=") {
			t.Fatalf("index %s = %q", gv, url)
		}
		resp, body := get(t, hs.URL+url, "Accept", "application/json")
		if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "public, immutable" || resp.Header.Get("ETag") == "" {
			t.Errorf("GET %s = %d, Cache-Control %q, ETag %q", url, resp.StatusCode, resp.Header.Get("Cache-Control"), resp.Header.Get("ETag"))
		}
		if _, err := openapi_v3.ParseDocument(body); err != nil {
			t.Errorf("%s does not parse as OpenAPI v3: %v", gv, err)
		}
		if resp, _ := get(t, hs.URL+url, "Accept", "application/json", "If-None-Match", resp.Header.Get("ETag")); resp.StatusCode != http.StatusNotModified {
			t.Errorf("GET %s with its ETag = %d, want 304", url, resp.StatusCode)
		}
	}
	if resp, _ := get(t, hs.URL+"/openapi/v3/api/v1?hash=OLD"); resp.StatusCode != http.StatusMovedPermanently ||
		resp.Header.Get("Location") != index.Paths["api/v1"].ServerRelativeURL {
		t.Errorf("stale hash = %d to %q, want 301 to the current URL", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := get(t, hs.URL+"/openapi/v3/apis/nope/v1"); resp.StatusCode != 404 {
		t.Errorf("unknown group-version = %d, want 404", resp.StatusCode)
	}
}
