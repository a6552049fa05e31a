package printers

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/api"
)

// TestServerTableGolden pins the JSON shape of the Table the API server
// sends (meta.k8s.io/v1, priority 1 for wide columns, format "name" for
// the name column), for each includeObject value.
func TestServerTableGolden(t *testing.T) {
	for _, tc := range []struct {
		golden, resource, include, groupVersion string
		objs                                    []api.Object
	}{
		{"servertable-pods-metadata", "pods", api.IncludeMetadata, "meta.k8s.io/v1", pods()[:2]},
		{"servertable-pods-none", "pods", api.IncludeNone, "meta.k8s.io/v1", pods()[:2]},
		{"servertable-deployments-object", "deploy", api.IncludeObject, "meta.k8s.io/v1beta1", deployments()[:1]},
		{"servertable-leases-empty", "leases", api.IncludeMetadata, "meta.k8s.io/v1", nil},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			st, err := ServerTable(resource(t, tc.resource), tc.objs, tc.include, tc.groupVersion, now)
			if err != nil {
				t.Fatalf("ServerTable: %v", err)
			}
			b, err := json.MarshalIndent(st, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, tc.golden, string(b)+"\n")
		})
	}
}

// TestServerTableRoundTrip checks that a Table sent by the server and read
// back by tinykube's get prints exactly what the local table prints, for
// every layout: the CLI and kubectl show the same columns.
func TestServerTableRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		resource string
		objs     []api.Object
	}{
		{"pods", pods()}, {"nodes", nodes()}, {"deploy", deployments()}, {"rs", replicaSets()},
		{"ep", endpoints()}, {"ev", events()}, {"cm", configMaps()}, {"leases", leases()},
	} {
		r := resource(t, tc.resource)
		st, err := ServerTable(r, tc.objs, api.IncludeMetadata, "meta.k8s.io/v1", now)
		if err != nil {
			t.Fatalf("ServerTable(%s): %v", tc.resource, err)
		}
		b, _ := json.Marshal(st)
		var wire api.Table
		if err := json.Unmarshal(b, &wire); err != nil {
			t.Fatal(err)
		}
		back, err := FromServerTable(wire, QualifiedKind(r))
		if err != nil {
			t.Fatalf("FromServerTable(%s): %v", tc.resource, err)
		}
		for _, opts := range []PrintOptions{{}, {Wide: true}, {WithNamespace: true, ShowKind: true}, {NoHeaders: true}} {
			var want, got bytes.Buffer
			TableFor(r, tc.objs, now).Print(&want, opts)
			back.Print(&got, opts)
			if diff := cmp.Diff(want.String(), got.String()); diff != "" {
				t.Errorf("%s %+v: printed from the server's Table differs (-local +server):\n%s", tc.resource, opts, diff)
			}
		}
	}
}

func TestFromServerTableBadRow(t *testing.T) {
	_, err := FromServerTable(api.Table{Rows: []api.TableRow{{Cells: []string{"x"}, Object: json.RawMessage(`[1]`)}}}, "pod")
	if err == nil {
		t.Errorf("FromServerTable(row object [1]) = nil error, want one naming row 0")
	}
}
