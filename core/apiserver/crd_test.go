package apiserver

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/rest"
)

// crontabCRD is the CronTab definition of Kubernetes' documentation: two
// versions, a status subresource, a short name.
const crontabCRD = `{
  "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
  "metadata": {"name": "crontabs.stable.example.com"},
  "spec": {
    "group": "stable.example.com", "scope": "Namespaced",
    "names": {"plural": "crontabs", "singular": "crontab", "kind": "CronTab", "shortNames": ["ct"]},
    "versions": [
      {"name": "v1", "served": true, "storage": true,
       "subresources": {"status": {}},
       "schema": {"openAPIV3Schema": {"type": "object", "properties": {
         "spec": {"type": "object", "properties": {"cronSpec": {"type": "string"}, "image": {"type": "string"}, "replicas": {"type": "integer"}}},
         "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}}},
      {"name": "v1beta1", "served": true, "storage": false,
       "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}
    ]
  }
}`

// TestCustomResourceServedAfterDefinition: creating a definition makes its
// resource routable, discoverable, and its objects stored under the group.
func TestCustomResourceServedAfterDefinition(t *testing.T) {
	f := newFixture(t)
	const crs = "/apis/stable.example.com/v1/namespaces/default/crontabs"
	if resp := f.do(http.MethodGet, crs, "", ""); resp.Code != http.StatusNotFound {
		t.Fatalf("GET %s before the CRD = %d, want 404", crs, resp.Code)
	}
	resp := f.do(http.MethodPost, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", rest.ContentJSON, crontabCRD)
	if resp.Code != http.StatusCreated {
		t.Fatalf("create CRD = %d %s", resp.Code, resp.Body)
	}
	var crd api.CustomResourceDefinition
	if err := json.Unmarshal(resp.Body, &crd); err != nil {
		t.Fatal(err)
	}
	if !crd.Status.IsTrue(api.CRDEstablished) || !crd.Status.IsTrue(api.CRDNamesAccepted) {
		t.Errorf("CRD conditions = %+v, want Established and NamesAccepted", crd.Status.Conditions)
	}
	if len(crd.Finalizers) != 1 || crd.Finalizers[0] != api.CustomResourceCleanupFinalizer {
		t.Errorf("finalizers = %v", crd.Finalizers)
	}
	resp = f.do(http.MethodPost, crs, rest.ContentJSON, `{"apiVersion":"stable.example.com/v1","kind":"CronTab","metadata":{"name":"c1"},"spec":{"cronSpec":"* * * * */5","replicas":3},"status":{"x":1}}`)
	if resp.Code != http.StatusCreated {
		t.Fatalf("create CronTab = %d %s", resp.Code, resp.Body)
	}
	if strings.Contains(string(resp.Body), `"status"`) {
		t.Errorf("create kept the status the client sent: %s", resp.Body)
	}
	resp = f.do(http.MethodGet, "/apis/stable.example.com/v1beta1/namespaces/default/crontabs/c1", "", "")
	if resp.Code != http.StatusOK || !strings.Contains(string(resp.Body), `"apiVersion":"stable.example.com/v1beta1"`) {
		t.Errorf("GET through v1beta1 = %d %s, want the object as v1beta1", resp.Code, resp.Body)
	}
	if _, err := f.store.Get(t.Context(), "/registry/stable.example.com/crontabs/default/c1"); err != nil {
		t.Errorf("stored object not under its group's prefix: %v", err)
	}
	resp = f.do(http.MethodGet, "/apis/stable.example.com", "", "")
	if resp.Code != http.StatusOK || !strings.Contains(string(resp.Body), `"preferredVersion":{"groupVersion":"stable.example.com/v1"`) {
		t.Errorf("group discovery = %d %s", resp.Code, resp.Body)
	}
}
