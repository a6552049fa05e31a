package printers

// Server-side printing: the get table of a kind, as the meta.k8s.io Table
// the API server sends to kubectl, and back into a Table for tinykube's own
// get. Both sides use the one set of columns in columns.go, so kubectl and
// tinykube show the same thing.

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
)

// TableGroupVersions are the versions of meta.k8s.io a Table is served in.
var TableGroupVersions = []string{"meta.k8s.io/v1", "meta.k8s.io/v1beta1"}

// ServerTable builds the Table of objs (all of r's kind) in groupVersion
// (one of TableGroupVersions), with ages measured from now. Cells are the
// wide ones (kubectl narrows nothing it is sent); wide columns get
// priority 1. include says what each row carries: the whole object
// (IncludeObject), a PartialObjectMetadata (IncludeMetadata) or nothing
// (IncludeNone); the caller has checked it.
//
// A custom resource's Table is Kubernetes' for it: "Name" and the printer
// columns of the version read, with their own names, types, formats,
// descriptions and priorities (see customColumnDefinitions).
func ServerTable(r *api.Resource, objs []api.Object, include, groupVersion string, now time.Time) (api.Table, error) {
	out := api.Table{TypeMeta: api.TypeMeta{APIVersion: groupVersion, Kind: "Table"}}
	var rows [][]string
	if r.Custom != nil {
		out.ColumnDefinitions = customColumnDefinitions(r)
		var err error
		if rows, err = customRows(r, objs, now); err != nil {
			return api.Table{}, err
		}
	} else {
		t := TableFor(r, objs, now)
		for _, c := range t.Columns {
			out.ColumnDefinitions = append(out.ColumnDefinitions, columnDefinition(c))
		}
		for _, row := range t.Rows {
			rows = append(rows, row.Cells)
		}
	}
	if out.ColumnDefinitions == nil {
		out.ColumnDefinitions = []api.TableColumnDefinition{}
	}
	out.Rows = make([]api.TableRow, len(rows))
	for i, rowCells := range rows {
		cells := make([]string, len(out.ColumnDefinitions))
		copy(cells, rowCells)
		out.Rows[i].Cells = cells
		name := objs[i].GetObjectMeta().Name
		var obj any
		switch include {
		case api.IncludeObject:
			api.SetTypeMeta(objs[i])
			obj = objs[i]
		case api.IncludeMetadata:
			obj = api.PartialObjectMetadata{
				TypeMeta:   api.TypeMeta{APIVersion: groupVersion, Kind: "PartialObjectMetadata"},
				ObjectMeta: *objs[i].GetObjectMeta(),
			}
		default:
			continue
		}
		b, err := json.Marshal(obj)
		if err != nil {
			return api.Table{}, fmt.Errorf("encoding %s %q for its table row: %v", r.Kind, name, err)
		}
		out.Rows[i].Object = b
	}
	return out, nil
}

// columnDefinition describes a column as kubectl expects: the name column
// is marked by format "name" (kubectl puts the kind before it), and wide
// columns have priority 1.
func columnDefinition(c Column) api.TableColumnDefinition {
	d := api.TableColumnDefinition{Name: c.Name, Type: "string"}
	if c.Name == "NAME" {
		d.Format = "name"
		d.Description = "Name must be unique within a namespace."
	}
	if c.Wide {
		d.Priority = 1
	}
	return d
}

// FromServerTable turns a Table received from the API server into a Table
// to Print, for kind (the qualified lower-case kind that --show-kind
// shows). Headers are upper-cased, as kubectl prints them (a custom
// resource's columns come as "Name", "Age" and as their definition names
// them). Rows take their namespace and name from the object or metadata
// each carries (a table fetched with IncludeNone has neither).
func FromServerTable(st api.Table, kind string) (Table, error) {
	t := Table{Kind: kind, Columns: make([]Column, len(st.ColumnDefinitions)), Rows: make([]Row, len(st.Rows))}
	for i, d := range st.ColumnDefinitions {
		t.Columns[i] = Column{Name: strings.ToUpper(d.Name), Wide: d.Priority > 0}
	}
	for i, r := range st.Rows {
		t.Rows[i].Cells = r.Cells
		if len(r.Object) == 0 {
			continue
		}
		var m api.PartialObjectMetadata
		if err := json.Unmarshal(r.Object, &m); err != nil {
			return Table{}, fmt.Errorf("row %d of the server's table: %v", i, err)
		}
		t.Rows[i].Namespace, t.Rows[i].Name = m.Namespace, m.Name
	}
	return t, nil
}
