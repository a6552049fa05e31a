package apiserver

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/rest"
)

// TestCustomResourceTable: kubectl's Table request on a custom resource
// answers the version's printer columns (the storage version's and another
// version's differ), and on the CRDs themselves NAME and CREATED AT.
func TestCustomResourceTable(t *testing.T) {
	f := newFixture(t)
	crd := strings.Replace(crontabCRD, `"subresources": {"status": {}},`, `"subresources": {"status": {}},
       "additionalPrinterColumns": [
         {"name": "Spec", "type": "string", "jsonPath": ".spec.cronSpec"},
         {"name": "Replicas", "type": "integer", "jsonPath": ".spec.replicas"},
         {"name": "Image", "type": "string", "priority": 1, "jsonPath": ".spec.image"},
         {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}],`, 1)
	if resp := f.do(http.MethodPost, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", rest.ContentJSON, crd); resp.Code != http.StatusCreated {
		t.Fatalf("create CRD = %d %s", resp.Code, resp.Body)
	}
	const crs = "/apis/stable.example.com/v1/namespaces/default/crontabs"
	if resp := f.do(http.MethodPost, crs, rest.ContentJSON, `{"apiVersion":"stable.example.com/v1","kind":"CronTab","metadata":{"name":"c1"},"spec":{"cronSpec":"*/5 * * * *","replicas":3}}`); resp.Code != http.StatusCreated {
		t.Fatalf("create CronTab = %d %s", resp.Code, resp.Body)
	}
	for _, tc := range []struct {
		path    string
		query   []string
		columns []string
		cells   []string
		object  string
	}{
		{crs, nil, []string{"Name", "Spec", "Replicas", "Image*", "Age"}, []string{"c1", "*/5 * * * *", "3", "", "0s"}, "PartialObjectMetadata"},
		{crs + "/c1", []string{"includeObject", "Object"}, []string{"Name", "Spec", "Replicas", "Image*", "Age"}, []string{"c1", "*/5 * * * *", "3", "", "0s"}, "CronTab"},
		{"/apis/stable.example.com/v1beta1/namespaces/default/crontabs", nil, []string{"Name", "Age"}, []string{"c1", "0s"}, "PartialObjectMetadata"},
		{"/apis/apiextensions.k8s.io/v1/customresourcedefinitions", nil, []string{"NAME", "CREATED AT"}, nil, "PartialObjectMetadata"},
	} {
		resp := f.get(tc.path, kubectlTableAccept, tc.query...)
		if resp.Code != http.StatusOK {
			t.Errorf("GET %s as Table = %d %s", tc.path, resp.Code, resp.Body)
			continue
		}
		s := summarize(t, resp.Body)
		if diff := cmp.Diff(tc.columns, s.Columns); diff != "" {
			t.Errorf("GET %s: columns differ (-want +got):\n%s", tc.path, diff)
		}
		var tb api.Table
		if err := json.Unmarshal(resp.Body, &tb); err != nil || len(tb.Rows) != 1 {
			t.Fatalf("GET %s: %d rows (%v), want 1", tc.path, len(tb.Rows), err)
		}
		if tc.cells != nil {
			if diff := cmp.Diff(tc.cells, tb.Rows[0].Cells); diff != "" {
				t.Errorf("GET %s: cells differ (-want +got):\n%s", tc.path, diff)
			}
		}
		if !strings.Contains(string(tb.Rows[0].Object), `"kind":"`+tc.object+`"`) {
			t.Errorf("GET %s: row object = %s, want a %s", tc.path, tb.Rows[0].Object, tc.object)
		}
	}
}
