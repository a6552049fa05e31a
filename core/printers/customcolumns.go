package printers

// The get table of a custom resource: a Name column, then the
// additionalPrinterColumns of the version read (or Age when it has none),
// each cell the first value its JSONPath selects, formatted by the
// column's type. This is what Kubernetes' API server sends kubectl for a
// custom resource; kubectl only upper-cases the headers.

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
)

// defaultCustomColumns is what a version without additionalPrinterColumns
// shows besides the name, as Kubernetes does.
var defaultCustomColumns = []api.CustomResourceColumnDefinition{{
	Name: "Age", Type: "date", JSONPath: ".metadata.creationTimestamp",
	Description: "CreationTimestamp is the server time when this object was created.",
}}

// PrinterColumns returns the columns a version of a custom resource is
// printed with after its name: its additionalPrinterColumns, or Age.
func PrinterColumns(v *api.CustomResourceDefinitionVersion) []api.CustomResourceColumnDefinition {
	if v == nil || len(v.AdditionalPrinterColumns) == 0 {
		return defaultCustomColumns
	}
	return v.AdditionalPrinterColumns
}

// customColumnDefinitions describes the columns of r (a custom resource)
// as the server's Table does: "Name" first, then PrinterColumns, each with
// its type, format, priority and description (a column without one is
// described by its path, as Kubernetes does).
func customColumnDefinitions(r *api.Resource) []api.TableColumnDefinition {
	out := []api.TableColumnDefinition{{Name: "Name", Type: "string", Format: "name", Description: "Name must be unique within a namespace."}}
	for _, c := range PrinterColumns(r.Custom.Version) {
		desc := c.Description
		if desc == "" {
			desc = "Custom resource definition column (in JSONPath format): " + c.JSONPath
		}
		out = append(out, api.TableColumnDefinition{Name: c.Name, Type: c.Type, Format: c.Format, Description: desc, Priority: c.Priority})
	}
	return out
}

// customRows returns one row of cells per object (the name, then one cell
// per printer column of r), with ages measured from now. A column whose
// path does not parse shows empty cells (the API server refuses such a
// definition, so only a stored one from elsewhere has it).
func customRows(r *api.Resource, objs []api.Object, now time.Time) ([][]string, error) {
	cols := PrinterColumns(r.Custom.Version)
	paths := make([]*JSONPath, len(cols))
	for i, c := range cols {
		paths[i], _ = ParseColumnPath(c.JSONPath)
	}
	rows := make([][]string, len(objs))
	for i, obj := range objs {
		data, err := genericJSON(obj)
		if err != nil {
			return nil, fmt.Errorf("printing %s %q: %v", r.Kind, obj.GetObjectMeta().Name, err)
		}
		cells := []string{obj.GetObjectMeta().Name}
		for j, c := range cols {
			cells = append(cells, columnCell(c.Type, paths[j], data, now))
		}
		rows[i] = cells
	}
	return rows, nil
}

// genericJSON returns obj as decoded JSON (numbers as json.Number), the
// form JSONPath walks.
func genericJSON(obj any) (any, error) {
	b, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	return api.DecodeJSONValue(b)
}

// columnCell is the cell of one printer column, as Kubernetes computes it
// from the first value the path selects:
//
//   - nothing selected, or a value not of the column's type: an empty cell
//     (kubectl prints a missing cell as nothing);
//   - string: the value printed as JSONPath prints it (a number or an
//     object is printed too; null prints "<no value>", as client-go's
//     printer does for it);
//   - integer: a whole number (a fraction is cut off); number: shortest form;
//     boolean: true or false;
//   - date: an RFC 3339 time shown as its age ("5m"), "<invalid>" when it
//     does not parse, "<unknown>" when empty.
func columnCell(typ string, path *JSONPath, data any, now time.Time) string {
	if path == nil {
		return ""
	}
	results, err := path.FindResults(data)
	if err != nil || len(results) == 0 || len(results[0]) == 0 {
		return ""
	}
	v := results[0][0]
	if typ == "string" {
		if v == nil {
			return "<no value>"
		}
		return ValueText(v)
	}
	if v == nil {
		return ""
	}
	switch typ {
	case "integer":
		if n, ok := number(v); ok {
			if f, isFloat := n.(float64); isFloat {
				return fmt.Sprint(int64(f))
			}
			return fmt.Sprint(n)
		}
	case "number":
		if n, ok := number(v); ok {
			return fmt.Sprint(toFloat(n))
		}
	case "boolean":
		if b, ok := v.(bool); ok {
			return fmt.Sprint(b)
		}
	case "date":
		if s, ok := v.(string); ok {
			return dateCell(s, now)
		}
	}
	return ""
}

// dateCell shows an RFC 3339 time as an age. As Kubernetes reads a time
// from a query parameter, "" and "null" are the zero time ("<unknown>").
func dateCell(s string, now time.Time) string {
	if s == "" || s == "null" {
		return "<unknown>"
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return "<invalid>"
	}
	return Age(api.NewTime(t), now)
}

// customTable is the local Table of a custom resource: the server's
// columns with kubectl's upper-case headers, priority > 0 as wide.
func customTable(r *api.Resource, objs []api.Object, now time.Time) (Table, error) {
	defs := customColumnDefinitions(r)
	t := Table{Kind: QualifiedKind(r), Columns: make([]Column, len(defs))}
	for i, d := range defs {
		t.Columns[i] = Column{Name: strings.ToUpper(d.Name), Wide: d.Priority > 0}
	}
	rows, err := customRows(r, objs, now)
	if err != nil {
		return Table{}, err
	}
	for i, cells := range rows {
		m := objs[i].GetObjectMeta()
		t.Rows = append(t.Rows, Row{Namespace: m.Namespace, Name: m.Name, Cells: cells})
	}
	return t, nil
}

var crdColumns = []Column{{Name: "NAME"}, {Name: "CREATED AT"}}

// crdRow: a CustomResourceDefinition shows its name and when it was
// created, as an RFC 3339 time in UTC (not an age), as kubectl shows
// `get crd` (Kubernetes 1.37 adds scope, versions and, wide, group, kind,
// short names and Established).
func crdRow(c *api.CustomResourceDefinition, _ time.Time) Row {
	created := ""
	if c.CreationTimestamp != nil && !c.CreationTimestamp.IsZero() {
		created = c.CreationTimestamp.UTC().Format(time.RFC3339)
	}
	return Row{Cells: []string{c.Name, created}}
}
