package apiserver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/rest"
)

// kubectlTableAccept is what kubectl get sends.
const kubectlTableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"

func (f *fixture) get(path, accept string, query ...string) *rest.Response {
	f.t.Helper()
	q := url.Values{}
	for i := 0; i+1 < len(query); i += 2 {
		q.Set(query[i], query[i+1])
	}
	return f.server.Handle(f.ctx, &rest.Request{Method: http.MethodGet, Path: path, Query: q, Accept: accept})
}

// tableSummary is what a test compares of a Table: its version, list
// metadata, column names (with "*" for priority 1), and per row the first
// cell and the kind of the object carried ("" for none).
type tableSummary struct {
	APIVersion string
	HasRV      bool
	Columns    []string
	Rows       []string
}

func summarize(t *testing.T, body []byte) tableSummary {
	t.Helper()
	var tb api.Table
	if err := json.Unmarshal(body, &tb); err != nil || tb.Kind != "Table" {
		t.Fatalf("not a Table (%v): %s", err, body)
	}
	s := tableSummary{APIVersion: tb.APIVersion, HasRV: tb.ResourceVersion != ""}
	for _, c := range tb.ColumnDefinitions {
		name := c.Name
		if c.Priority > 0 {
			name += "*"
		}
		s.Columns = append(s.Columns, name)
	}
	for _, r := range tb.Rows {
		var obj api.TypeMeta
		if len(r.Object) > 0 {
			if err := json.Unmarshal(r.Object, &obj); err != nil {
				t.Fatal(err)
			}
		}
		s.Rows = append(s.Rows, fmt.Sprintf("%s %s %s", r.Cells[0], obj.APIVersion, obj.Kind))
	}
	return s
}

func TestTables(t *testing.T) {
	f := newFixture(t)
	for _, n := range []string{"b", "a"} {
		if _, err := pods(f).Create(f.ctx, newPod(n, nil), client.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	podCols := []string{"NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP*", "NODE*", "NOMINATED NODE*", "READINESS GATES*"}
	for _, tc := range []struct {
		name, path, accept string
		query              []string
		want               tableSummary
		wantType           string
	}{
		{"list, kubectl's Accept, metadata by default", "/api/v1/namespaces/default/pods", kubectlTableAccept, nil,
			tableSummary{"meta.k8s.io/v1", true, podCols, []string{"a meta.k8s.io/v1 PartialObjectMetadata", "b meta.k8s.io/v1 PartialObjectMetadata"}},
			"application/json;as=Table;v=v1;g=meta.k8s.io"},
		{"list, includeObject=Object", "/api/v1/pods", kubectlTableAccept, []string{"includeObject", "Object"},
			tableSummary{"meta.k8s.io/v1", true, podCols, []string{"a v1 Pod", "b v1 Pod"}},
			"application/json;as=Table;v=v1;g=meta.k8s.io"},
		{"list, includeObject=None", "/api/v1/pods", kubectlTableAccept, []string{"includeObject", "None"},
			tableSummary{"meta.k8s.io/v1", true, podCols, []string{"a  ", "b  "}},
			"application/json;as=Table;v=v1;g=meta.k8s.io"},
		{"get, v1beta1 only", "/api/v1/namespaces/default/pods/a", "application/json;as=Table;v=v1beta1;g=meta.k8s.io", nil,
			tableSummary{"meta.k8s.io/v1beta1", false, podCols, []string{"a meta.k8s.io/v1beta1 PartialObjectMetadata"}},
			"application/json;as=Table;v=v1beta1;g=meta.k8s.io"},
		{"status subresource", "/api/v1/namespaces/default/pods/a/status", kubectlTableAccept, []string{"includeObject", "Object"},
			tableSummary{"meta.k8s.io/v1", false, podCols, []string{"a v1 Pod"}},
			"application/json;as=Table;v=v1;g=meta.k8s.io"},
		{"list of a kind without its own columns", "/apis/coordination.k8s.io/v1/leases", kubectlTableAccept, nil,
			tableSummary{"meta.k8s.io/v1", true, []string{"NAME", "HOLDER", "AGE"}, nil},
			"application/json;as=Table;v=v1;g=meta.k8s.io"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := f.get(tc.path, tc.accept, tc.query...)
			if resp.Code != http.StatusOK {
				t.Fatalf("GET %s = %d %s, want 200", tc.path, resp.Code, resp.Body)
			}
			if resp.ContentType != tc.wantType {
				t.Errorf("GET %s: Content-Type %q, want %q", tc.path, resp.ContentType, tc.wantType)
			}
			if diff := cmp.Diff(tc.want, summarize(t, resp.Body)); diff != "" {
				t.Errorf("GET %s as Table (-want +got):\n%s", tc.path, diff)
			}
		})
	}
}

func TestTableNegotiation(t *testing.T) {
	f := newFixture(t)
	if _, err := pods(f).Create(f.ctx, newPod("a", nil), client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, accept string
		query        []string
		wantCode     int
		wantKind     string // of the body: PodList, Table or Status
		wantReason   api.StatusReason
	}{
		{"no Accept", "", nil, 200, "PodList", ""},
		{"plain JSON first", "application/json,application/json;as=Table;v=v1;g=meta.k8s.io", nil, 200, "PodList", ""},
		{"anything", "*/*", nil, 200, "PodList", ""},
		{"protobuf is the edge's business", "application/vnd.kubernetes.protobuf", nil, 200, "PodList", ""},
		{"an unknown Table version, then JSON", "application/json;as=Table;v=v2;g=meta.k8s.io,application/json", nil, 200, "PodList", ""},
		{"only an unknown Table version", "application/json;as=Table;v=v2;g=meta.k8s.io", nil, 406, "Status", api.ReasonNotAcceptable},
		{"only another conversion", "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io", nil, 406, "Status", api.ReasonNotAcceptable},
		{"bad includeObject", kubectlTableAccept, []string{"includeObject", "Everything"}, 400, "Status", api.ReasonBadRequest},
		{"spaces and quotes", ` application/json; as="Table"; v=v1; g=meta.k8s.io `, nil, 200, "Table", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := f.get("/api/v1/namespaces/default/pods", tc.accept, tc.query...)
			var body struct {
				Kind   string
				Reason api.StatusReason
			}
			json.Unmarshal(resp.Body, &body)
			got := fmt.Sprintf("%d %s %s", resp.Code, body.Kind, body.Reason)
			want := fmt.Sprintf("%d %s %s", tc.wantCode, tc.wantKind, tc.wantReason)
			if got != want {
				t.Errorf("GET pods with Accept %q = %s, want %s (%s)", tc.accept, got, want, resp.Body)
			}
		})
	}
}

// TestWatchAsTable checks that each event of a watch asked for as a Table is
// a Table of one row, and that errors stay Status objects.
func TestWatchAsTable(t *testing.T) {
	f := newFixture(t)
	if _, err := pods(f).Create(f.ctx, newPod("a", nil), client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	resp := f.get("/api/v1/namespaces/default/pods", kubectlTableAccept, "watch", "true")
	if resp.Code != 200 || resp.Stream == nil {
		t.Fatalf("watch = %d %s, want a stream", resp.Code, resp.Body)
	}
	defer resp.Stream.Stop()
	if _, err := pods(f).Create(f.ctx, newPod("b", nil), client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := pods(f).Delete(f.ctx, "default", "a", client.DeleteOptions{GracePeriodSeconds: new(int64)}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for {
		ev, ok := resp.Stream.Next()
		if !ok {
			break
		}
		s := summarize(t, ev.Object)
		got = append(got, fmt.Sprintf("%s %d cols %v", ev.Type, len(s.Columns), s.Rows))
	}
	want := []string{
		"ADDED 9 cols [a meta.k8s.io/v1 PartialObjectMetadata]",
		"ADDED 9 cols [b meta.k8s.io/v1 PartialObjectMetadata]",
		"DELETED 9 cols [a meta.k8s.io/v1 PartialObjectMetadata]",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("watch events as Tables (-want +got):\n%s", diff)
	}

	// A watch from a compacted revision is still a Status, not a Table.
	rev, _ := f.store.Revision(f.ctx)
	f.store.Compact(f.ctx, rev)
	old := f.get("/api/v1/namespaces/default/pods", kubectlTableAccept, "watch", "true", "resourceVersion", "1")
	if old.Code != http.StatusGone || status(t, old).Reason != api.ReasonExpired {
		t.Errorf("watch from a compacted revision as Table = %d %s, want 410 Expired", old.Code, old.Body)
	}
}
